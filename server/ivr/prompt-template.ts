// IVR prompts are handlebars templates from trusted flow files (never from callers), with built-in
// helpers only and no escaping: the text goes into <Say>, and the TwiML builder escapes XML itself.
import Handlebars from 'handlebars';

const templates = Handlebars.create();
const COMPILE = { noEscape: true, knownHelpersOnly: true, strict: false } as const;

/** Null when `text` compiles; otherwise the parser's first line, for a validation message. */
export function templateProblem(text: string): string | null {
  try {
    templates.precompile(text, COMPILE);
    return null;
  } catch (err) {
    return err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
  }
}

// Flows are loaded once and their texts are few, so a compiled template per text is kept for good.
const compiled = new Map<string, HandlebarsTemplateDelegate>();

export function renderPrompt(text: string, context: object): string {
  let template = compiled.get(text);
  if (!template) compiled.set(text, (template = templates.compile(text, COMPILE)));
  return template(context).replace(/\s+/g, ' ').trim();
}
