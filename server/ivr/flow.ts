// An IVR flow as data: the types the engine walks, and validateFlow, which turns a parsed
// `*.flow.yaml` document into a Flow or throws a FlowError listing every problem of the file,
// each naming the file and the node. Pure: no I/O (load-flows.ts reads the files).
import type { BusinessHours } from '../domain/routing/types.js';
import { checkFlow, type NodeProblem } from './flow-checks.js';
import {
  isNodeType,
  LANGUAGE_FORM,
  NODE_ID,
  NODE_TYPES,
  normalizeNode,
  parseNode,
  SAY_LANGUAGES,
  type Path,
  type RawNode,
} from './flow-schema.js';

/** Text per language of the flow, e.g. `{ 'th-TH': 'สวัสดีค่ะ', 'en-US': 'Hello' }`; handlebars placeholders allowed. */
export type LocalizedText = Readonly<Record<string, string>>;
export type Scalar = string | number | boolean;

export interface SayNode {
  type: 'say';
  id: string;
  text: LocalizedText | null;
  play: string | null;
  next: string;
}
export interface SpeechRoute {
  phrase: string;
  /** null: matches in every language. */
  language: string | null;
  next: string;
}
export interface GatherNode {
  type: 'gather';
  id: string;
  input: ('dtmf' | 'speech')[];
  prompt: LocalizedText;
  timeout: number;
  retries: number;
  numDigits: number | null;
  options: ReadonlyMap<string, string>;
  speech: readonly SpeechRoute[];
  invalid: string;
  invalidPrompt: LocalizedText | null;
}
export interface BranchHoursNode {
  type: 'branch_hours';
  id: string;
  hours: BusinessHours;
  open: string;
  closed: string;
}
export interface BranchAttributeNode {
  type: 'branch_attribute';
  id: string;
  attribute: string;
  /** `equals: x` is stored as `[x]`. */
  anyOf: readonly Scalar[];
  then: string;
  else: string;
}
export interface BranchKnownNode {
  type: 'branch_known';
  id: string;
  known: string;
  unknown: string;
}
export interface SetNode {
  type: 'set';
  id: string;
  language: string | null;
  attributes: Readonly<Record<string, string>>;
  next: string;
}
export interface EnqueueNode {
  type: 'enqueue';
  id: string;
  queue: string;
  priority: number;
  holdMusic: string | null;
  announce: 'position' | 'expected_wait' | 'none';
  announceEvery: number;
  maxWaitSeconds: number | null;
  onTimeout: string | null;
}
export interface VoicemailNode {
  type: 'voicemail';
  id: string;
  prompt: LocalizedText;
  maxLengthSeconds: number;
  transcribe: boolean;
  next: string | null;
}
export interface CallbackNode {
  type: 'callback';
  id: string;
  prompt: LocalizedText;
  queue: string;
  confirm: LocalizedText;
}
export interface TransferNode {
  type: 'transfer';
  id: string;
  number: string;
  prompt: LocalizedText | null;
}
export interface HangupNode {
  type: 'hangup';
  id: string;
  prompt: LocalizedText | null;
}

export type FlowNode =
  | SayNode
  | GatherNode
  | BranchHoursNode
  | BranchAttributeNode
  | BranchKnownNode
  | SetNode
  | EnqueueNode
  | VoicemailNode
  | CallbackNode
  | TransferNode
  | HangupNode;

export interface Flow {
  name: string;
  /** The file it came from, for messages. */
  file: string;
  /** The first is the default. */
  languages: readonly string[];
  /** Twilio voice per language; a language without one gets Twilio's default voice. */
  voices: Readonly<Record<string, string>>;
  start: string;
  /** A Map, not an object: node ids arrive in webhook URLs and must never hit `constructor` & co. */
  nodes: ReadonlyMap<string, FlowNode>;
}

export interface FlowProblem {
  file: string;
  node: string | null;
  message: string;
  line: number | null;
}

const formatProblem = (p: FlowProblem) =>
  `${p.file}: ${p.node === null ? '' : `node "${p.node}": `}${p.message}${p.line === null ? '' : ` (line ${p.line})`}`;

/** Every problem of one or more flow files; the message has one problem per line. */
export class FlowError extends Error {
  readonly code = 'INVALID_FLOW';
  constructor(readonly problems: readonly FlowProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'FlowError';
  }
}

/** Maps a path in the document (e.g. ['nodes', 'menu', 'options', '3']) to a 1-based line, when known. */
export type LineOf = (path: Path) => number | null;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed flow document; returns the Flow or throws a FlowError with all its problems. */
export function validateFlow(file: string, doc: unknown, lineOf: LineOf = () => null): Flow {
  const problems: FlowProblem[] = [];
  const report = (node: string | null, path: Path, message: string) => problems.push({ file, node, message, line: lineOf(path) });
  const fail = () => new FlowError(problems);

  if (!isRecord(doc)) {
    report(null, [], 'expected a mapping with name, languages, start and nodes');
    throw fail();
  }
  for (const key of Object.keys(doc)) {
    if (!['name', 'languages', 'voices', 'start', 'nodes'].includes(key)) report(null, [key], `unknown top-level key "${key}"`);
  }
  const name = typeof doc.name === 'string' && doc.name.trim() ? doc.name.trim() : null;
  if (!name) report(null, ['name'], '"name" is required (a short text)');

  const languages: string[] = [];
  if (!Array.isArray(doc.languages) || doc.languages.length === 0) {
    report(null, ['languages'], '"languages" must list at least one language, e.g. [th-TH, en-US]');
  } else {
    for (const [i, lang] of doc.languages.entries()) {
      const problem = languageProblem(lang);
      if (problem) report(null, ['languages', i], problem);
      else if (languages.includes(lang as string)) report(null, ['languages', i], `language ${lang} is listed twice`);
      else languages.push(lang as string);
    }
  }

  const voices: Record<string, string> = {};
  if (doc.voices !== undefined && !isRecord(doc.voices)) report(null, ['voices'], '"voices" must map languages to Twilio voices');
  for (const [lang, voice] of Object.entries(isRecord(doc.voices) ? doc.voices : {})) {
    if (!languages.includes(lang)) report(null, ['voices', lang], `voice for ${lang}, a language the flow does not list`);
    else if (typeof voice !== 'string' || !/^(man|woman|alice|(Polly|Google|ElevenLabs)\.[\w.-]+)$/.test(voice)) {
      report(
        null,
        ['voices', lang],
        `voice ${JSON.stringify(voice)} is not a Twilio voice such as Google.th-TH-Standard-A or Polly.Joanna`,
      );
    } else voices[lang] = voice;
  }

  const nodes = new Map<string, RawNode>();
  const rawNodes = isRecord(doc.nodes) ? doc.nodes : null;
  if (!rawNodes || Object.keys(rawNodes).length === 0) report(null, ['nodes'], '"nodes" must map node ids to nodes');
  let shapesOk = true;
  for (const [id, raw] of Object.entries(rawNodes ?? {})) {
    if (!NODE_ID.test(id)) {
      report(id, ['nodes', id], 'a node id must start with a letter and use only letters, digits, _ and - (at most 64)');
      shapesOk = false;
      continue;
    }
    if (!isRecord(raw)) {
      report(id, ['nodes', id], `expected a mapping with a type (one of ${NODE_TYPES.join(', ')})`);
      shapesOk = false;
      continue;
    }
    if (!isNodeType(raw.type)) {
      const got = raw.type === undefined ? 'has no type' : `unknown node type ${JSON.stringify(raw.type)}`;
      report(id, ['nodes', id, 'type'], `${got} (expected one of ${NODE_TYPES.join(', ')})`);
      shapesOk = false;
      continue;
    }
    const parsed = parseNode(raw.type, raw);
    if ('issues' in parsed) {
      for (const issue of parsed.issues) report(id, ['nodes', id, ...issue.path], issue.message);
      shapesOk = false;
    } else nodes.set(id, parsed.node);
  }

  const start = typeof doc.start === 'string' ? doc.start : null;
  if (!start) report(null, ['start'], '"start" must name the first node');
  else if (rawNodes && !Object.hasOwn(rawNodes, start)) report(null, ['start'], `"start" names unknown node "${start}"`);

  const nodeProblems: NodeProblem[] = checkFlow({ languages, start: start ?? '', raw: rawNodes ?? {}, parsed: nodes });
  for (const p of nodeProblems) report(p.node, ['nodes', p.node, ...p.path], p.message);

  if (problems.length > 0 || !shapesOk || !name || !start) throw fail();
  return { name, file, languages, voices, start, nodes: new Map([...nodes].map(([id, raw]) => [id, normalizeNode(id, raw)])) };
}

function languageProblem(lang: unknown): string | null {
  if (typeof lang !== 'string' || !LANGUAGE_FORM.test(lang))
    return `language ${JSON.stringify(lang)} is not a BCP-47 code of the form ll-CC such as th-TH`;
  if (!SAY_LANGUAGES.has(lang)) return `language ${lang} is not one Twilio <Say> speaks`;
  return null;
}
