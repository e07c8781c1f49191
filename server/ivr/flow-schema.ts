// The shapes of an IVR flow file's nodes (zod, strict: an unknown key is an error) and the language
// lists they are checked against. Cross-node rules (references, reachability, texts per language)
// live in flow-checks.ts; this file only answers "is this node well-formed on its own".
import { z } from 'zod';
import { validateBusinessHours } from '../domain/routing/business-hours.js';
import type { BusinessHours } from '../domain/routing/types.js';
import type { FlowNode, Scalar, SpeechRoute } from './flow.js';

/** Languages Twilio `<Say>` speaks, limited to the BCP-47 `ll-CC` form the flow format uses. */
export const SAY_LANGUAGES: ReadonlySet<string> = new Set(
  (
    'af-ZA am-ET ar-AE ar-XA bg-BG bn-IN ca-ES cs-CZ cy-GB da-DK de-AT de-DE el-GR en-AU en-CA en-GB en-IE en-IN en-NZ ' +
    'en-US en-ZA es-ES es-MX es-US fi-FI fr-BE fr-CA fr-FR gu-IN he-IL hi-IN hu-HU id-ID is-IS it-IT ja-JP kn-IN ko-KR ' +
    'lv-LV ml-IN mr-IN ms-MY nb-NO nl-BE nl-NL pa-IN pl-PL pt-BR pt-PT ro-RO ru-RU sk-SK sr-RS sv-SE ta-IN te-IN th-TH ' +
    'tr-TR uk-UA vi-VN zh-CN zh-HK zh-TW'
  ).split(' '),
);

/** Say languages that `<Gather input="speech">` cannot recognise under the same code. */
export const NO_SPEECH_LANGUAGES: ReadonlySet<string> = new Set(['ar-XA', 'cy-GB', 'de-AT', 'fr-BE', 'pa-IN', 'zh-CN', 'zh-HK']);

export const LANGUAGE_FORM = /^[a-z]{2}-[A-Z]{2}$/;
export const NODE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const E164 = /^\+[1-9]\d{6,14}$/;
export const ATTRIBUTE = /^(vip|valueTier|language|attributes\.[A-Za-z0-9_-]+)$/;

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

const wholeIn = (min: number, max: number, unit = '') => {
  const error = `must be a whole number${unit} from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const ref = z.string({ error: 'must be a node id' });
const text = z.record(z.string(), z.string({ error: 'must be text' }), {
  error: 'must map each language to a text, e.g. { th-TH: "…", en-US: "…" }',
});
const url = z.string({ error: 'must be an http(s) URL' }).refine(isHttpUrl, { error: 'must be an http(s) URL' });
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' });
const type = <T extends string>(name: T) => z.literal(name);

export const NODE_SCHEMAS = {
  say: z.strictObject({ type: type('say'), text: text.optional(), play: url.optional(), next: ref }),
  gather: z.strictObject({
    type: type('gather'),
    input: z.array(z.enum(['dtmf', 'speech'], { error: 'must be dtmf or speech' })).min(1, { error: 'must list dtmf, speech or both' }),
    prompt: text,
    timeout: wholeIn(1, 30, ' of seconds').default(5),
    retries: wholeIn(0, 5).default(2),
    numDigits: wholeIn(1, 20).optional(),
    options: z.record(z.string(), ref).optional(),
    speech: z.record(z.string(), z.union([ref, z.record(z.string(), ref)]), { error: 'must map phrases to node ids' }).optional(),
    invalid: ref,
    invalidPrompt: text.optional(),
  }),
  branch_hours: z.strictObject({ type: type('branch_hours'), hours: z.unknown(), open: ref, closed: ref }),
  branch_attribute: z.strictObject({
    type: type('branch_attribute'),
    attribute: z.string().regex(ATTRIBUTE, { error: 'must be vip, valueTier, language or attributes.<key>' }),
    equals: scalar.optional(),
    in: z.array(scalar).min(1, { error: 'must list at least one value' }).optional(),
    then: ref,
    else: ref,
  }),
  branch_known: z.strictObject({ type: type('branch_known'), known: ref, unknown: ref }),
  set: z.strictObject({
    type: type('set'),
    language: z.string().optional(),
    attributes: z.record(z.string(), scalar).optional(),
    next: ref,
  }),
  enqueue: z.strictObject({
    type: type('enqueue'),
    queue: z.string({ error: 'must be a queue name' }).min(1, { error: 'must be a queue name' }),
    priority: wholeIn(-10, 10).default(0),
    holdMusic: url.optional(),
    announce: z.enum(['position', 'expected_wait', 'none'], { error: 'must be position, expected_wait or none' }).default('position'),
    announceEvery: wholeIn(10, 600, ' of seconds').default(30),
    maxWaitSeconds: wholeIn(10, 86_400, ' of seconds').optional(),
    onTimeout: ref.optional(),
  }),
  voicemail: z.strictObject({
    type: type('voicemail'),
    prompt: text,
    maxLengthSeconds: wholeIn(1, 3600, ' of seconds').default(120),
    transcribe: z.boolean({ error: 'must be true or false' }).default(true),
    next: ref.optional(),
  }),
  callback: z.strictObject({
    type: type('callback'),
    prompt: text,
    queue: z.string({ error: 'must be a queue name' }).min(1, { error: 'must be a queue name' }),
    confirm: text,
  }),
  transfer: z.strictObject({
    type: type('transfer'),
    number: z.string({ error: 'must be an E.164 number' }).regex(E164, { error: 'must be an E.164 number such as +6621234567' }),
    prompt: text.optional(),
  }),
  hangup: z.strictObject({ type: type('hangup'), prompt: text.optional() }),
};

export type NodeType = keyof typeof NODE_SCHEMAS;
export type RawNode = { [T in NodeType]: z.output<(typeof NODE_SCHEMAS)[T]> }[NodeType];
export const NODE_TYPES = Object.keys(NODE_SCHEMAS) as NodeType[];

export const isNodeType = (value: unknown): value is NodeType => typeof value === 'string' && Object.hasOwn(NODE_SCHEMAS, value);

export type Path = (string | number)[];
export interface Issue {
  path: Path;
  message: string;
}

const quotePath = (path: Path) => path.map(String).join('.');

/** Parses one node with its type's schema; zod's issues become sentences that name the field. */
export function parseNode(type: NodeType, raw: Record<string, unknown>): { node: RawNode } | { issues: Issue[] } {
  const result = NODE_SCHEMAS[type].safeParse(raw);
  if (result.success) return { node: result.data as RawNode };
  const allowed = Object.keys(NODE_SCHEMAS[type].shape).join(', ');
  return {
    issues: result.error.issues.map((issue): Issue => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => `"${k}"`).join(', ');
        return { path: [...path, issue.keys[0]!], message: `unknown key ${keys} on a ${type} node (allowed: ${allowed})` };
      }
      const missing = path.reduce<unknown>((at, key) => (at as Record<string | number, unknown> | undefined)?.[key], raw) === undefined;
      const field = path.length ? `"${quotePath(path)}"` : 'node';
      return { path, message: missing && path.length ? `${field} is required on a ${type} node` : `${field} ${issue.message}` };
    }),
  };
}

const str = (v: Scalar) => String(v);

/** The parsed shape with defaults, as the engine wants it (nulls instead of absent keys). */
export function normalizeNode(id: string, n: RawNode): FlowNode {
  switch (n.type) {
    case 'say':
      return { type: 'say', id, text: n.text ?? null, play: n.play ?? null, next: n.next };
    case 'gather': {
      const speech: SpeechRoute[] = [];
      for (const [key, value] of Object.entries(n.speech ?? {})) {
        if (typeof value === 'string') speech.push({ phrase: key, language: null, next: value });
        else for (const [phrase, next] of Object.entries(value)) speech.push({ phrase, language: key, next });
      }
      const { input, prompt, timeout, retries } = n;
      const options = new Map(Object.entries(n.options ?? {}));
      return {
        type: 'gather',
        id,
        input,
        prompt,
        timeout,
        retries,
        numDigits: n.numDigits ?? null,
        options,
        speech,
        invalid: n.invalid,
        invalidPrompt: n.invalidPrompt ?? null,
      };
    }
    case 'branch_hours': {
      const checked = validateBusinessHours(n.hours); // ok: checkFlow reported it otherwise
      return { type: 'branch_hours', id, hours: checked.ok ? checked.hours : (n.hours as BusinessHours), open: n.open, closed: n.closed };
    }
    case 'branch_attribute':
      return { type: 'branch_attribute', id, attribute: n.attribute, anyOf: n.in ?? [n.equals!], then: n.then, else: n.else };
    case 'branch_known':
      return { type: 'branch_known', id, known: n.known, unknown: n.unknown };
    case 'set': {
      const attributes = Object.fromEntries(Object.entries(n.attributes ?? {}).map(([k, v]) => [k, str(v)]));
      return { type: 'set', id, language: n.language ?? null, attributes, next: n.next };
    }
    case 'enqueue': {
      const { queue, priority, announce, announceEvery } = n;
      return {
        type: 'enqueue',
        id,
        queue,
        priority,
        holdMusic: n.holdMusic ?? null,
        announce,
        announceEvery,
        maxWaitSeconds: n.maxWaitSeconds ?? null,
        onTimeout: n.onTimeout ?? null,
      };
    }
    case 'voicemail':
      return {
        type: 'voicemail',
        id,
        prompt: n.prompt,
        maxLengthSeconds: n.maxLengthSeconds,
        transcribe: n.transcribe,
        next: n.next ?? null,
      };
    case 'callback':
      return { type: 'callback', id, prompt: n.prompt, queue: n.queue, confirm: n.confirm };
    case 'transfer':
      return { type: 'transfer', id, number: n.number, prompt: n.prompt ?? null };
    case 'hangup':
      return { type: 'hangup', id, prompt: n.prompt ?? null };
  }
}
