// The mail an agent's reply becomes: a greeting, the agent's text, the account's signature, and the
// conversation's recent history quoted below, as HTML and as plain text, from handlebars templates.
// The HTML template escapes every value (handlebars' default); the text template does not need to.
import Handlebars from 'handlebars';

export interface QuotedMessage {
  author: string;
  at: string;
  text: string;
}

export interface ReplyView {
  greetingName: string | null;
  locale: 'th' | 'en';
  text: string;
  signature: string;
  history: QuotedMessage[];
}

const hb = Handlebars.create();
hb.registerHelper('lines', (text: string) => new Handlebars.SafeString(hb.escapeExpression(text).replace(/\r?\n/g, '<br>\n')));

const GREETING = { th: 'เรียน คุณ', en: 'Dear' } as const;
const HISTORY = { th: 'ข้อความก่อนหน้า', en: 'Earlier in this conversation' } as const;

const HTML = hb.compile(
  `<!doctype html>
<html><head><meta charset="utf-8"></head>
<body style="font-family: -apple-system, 'Segoe UI', Tahoma, 'Noto Sans Thai', sans-serif; font-size: 14px; line-height: 1.5; color: #1f2937">
{{#if greetingName}}<p>{{greeting}} {{greetingName}},</p>{{/if}}
<div>{{lines text}}</div>
{{#if signature}}<p style="color: #4b5563">{{lines signature}}</p>{{/if}}
{{#if history.length}}
<div style="margin-top: 24px; color: #6b7280; font-size: 13px">{{historyTitle}}</div>
{{#each history}}
<blockquote style="margin: 8px 0; padding-left: 12px; border-left: 3px solid #d1d5db; color: #4b5563">
<div style="font-size: 12px">{{author}} · {{at}}</div>
<div>{{lines text}}</div>
</blockquote>
{{/each}}
{{/if}}
</body></html>`,
  { strict: false },
);

const TEXT = hb.compile(
  `{{#if greetingName}}{{greeting}} {{greetingName}},

{{/if}}{{text}}
{{#if signature}}

{{signature}}
{{/if}}
{{#if history.length}}

{{historyTitle}}
{{#each history}}
> {{author}} · {{at}}
{{{quote text}}}
{{/each}}
{{/if}}`,
  { noEscape: true },
);
hb.registerHelper('quote', (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => `> ${l}`)
    .join('\n'),
);

export function renderReply(view: ReplyView): { html: string; text: string } {
  const context = { ...view, greeting: GREETING[view.locale], historyTitle: HISTORY[view.locale] };
  return {
    html: HTML(context),
    text:
      TEXT(context)
        .replace(/\n{3,}/g, '\n\n')
        .trim() + '\n',
  };
}
