// The IVR engine: given a flow, where the caller is, and what just happened (call start, the caller's
// answer, a redirect), it walks through the nodes that need no answer (say, set, branches) up to the
// next node that waits for the caller or hands the call off, and returns what to play (verbs), the new
// state and the effects for the call (enqueue, voicemail...). Pure and deterministic: the clock comes
// in as `now`, and the verbs become TwiML through the `render` the voice channel passes in.
import { isOpen } from '../domain/routing/business-hours.js';
import type { Flow, FlowNode, GatherNode, LocalizedText } from './flow.js';
import { NO_SPEECH_LANGUAGES } from './flow-schema.js';
import { attributeMatches, matchSpeech } from './match.js';
import { renderPrompt } from './prompt-template.js';
import type { IvrRender, IvrVerb, SpokenVerb } from './verbs.js';

export type { IvrRender, IvrVerb } from './verbs.js';

export interface IvrCaller {
  known: boolean;
  name: string | null;
  firstName: string | null;
  vip: boolean;
  valueTier: string | null;
  language: string | null;
  attributes: Record<string, unknown>;
  phone: string;
}
export interface IvrState {
  /** The node the caller is at: the gather or hand-off the last step stopped on. */
  node: string;
  language: string;
  attributes: Record<string, string>;
  /** Retries spent on the current gather. */
  retries: number;
  path: IvrPathEntry[];
}
/** One node on the caller's way, for the call record; `input` is the caller's answer ('' = none). */
export interface IvrPathEntry {
  node: string;
  type: string;
  input?: string;
  at: number;
}
/**
 * `gather`: the caller's answer to the node they wait at (digits or speech for a gather; for a voicemail,
 * the recording ended); neither digits nor speech means no input (timeout). `redirect`: the server sends
 * the caller to a node (e.g. a queue's `onTimeout`).
 */
export type IvrInput =
  { kind: 'start' } | { kind: 'gather'; node: string; digits?: string; speech?: string } | { kind: 'redirect'; node: string };
/** Absolute URLs the TwiML points Twilio at. */
export interface IvrUrls {
  step(node: string): string;
  recording(node: string): string;
  transcription(node: string): string;
  wait: string;
}
export type IvrEffect =
  | {
      type: 'enqueue';
      queue: string;
      priority: number;
      holdMusic: string | null;
      announce: 'position' | 'expected_wait' | 'none';
      announceEvery: number;
      maxWaitSeconds: number | null;
      onTimeout: string | null;
    }
  | { type: 'voicemail'; node: string; maxLengthSeconds: number; transcribe: boolean }
  | { type: 'callback'; queue: string }
  | { type: 'transfer'; number: string }
  | { type: 'hangup' }
  | { type: 'language'; language: string }
  | { type: 'attributes'; attributes: Record<string, string> }
  /** The flow could not go on (a loop, a node missing after a flow change); the call is hung up. */
  | { type: 'error'; message: string };
export interface IvrWalk {
  verbs: IvrVerb[];
  state: IvrState;
  effects: IvrEffect[];
}
export interface IvrStep {
  twiml: string;
  state: IvrState;
  effects: IvrEffect[];
}

/** More nodes than this walked in one step without waiting for the caller is taken for a loop. */
export const MAX_HOPS = 50;
/** The path keeps the latest entries: a caller looping through a menu for an hour must not bloat the call record. */
const PATH_LIMIT = 200;

const DEFAULT_TEXT = {
  th: { invalid: 'ขออภัย ไม่ได้รับข้อมูลที่ถูกต้อง', error: 'ขออภัยค่ะ ระบบขัดข้องชั่วคราว กรุณาโทรใหม่อีกครั้งค่ะ' },
  en: { invalid: "Sorry, I didn't get that.", error: 'Sorry, something went wrong. Please call again later.' },
};

/** One step of the flow, rendered: what `render` makes of the verbs, the new state, the effects. */
export function stepFlow(
  flow: Flow,
  state: IvrState | null,
  input: IvrInput,
  caller: IvrCaller,
  urls: IvrUrls,
  now: number,
  render: IvrRender,
): IvrStep {
  const walk = walkFlow(flow, state, input, caller, urls, now);
  return { twiml: render(walk.verbs), state: walk.state, effects: walk.effects };
}

/** The same step as data (verbs instead of TwiML): for tests and a local simulator. */
export function walkFlow(flow: Flow, prior: IvrState | null, input: IvrInput, caller: IvrCaller, urls: IvrUrls, now: number): IvrWalk {
  const fresh = input.kind === 'start' || !prior;
  const state: IvrState = fresh
    ? { node: flow.start, language: flow.languages[0]!, attributes: {}, retries: 0, path: [] }
    : { ...prior, attributes: { ...prior.attributes }, path: [...prior.path] };
  if (!flow.languages.includes(state.language)) state.language = flow.languages[0]!; // the flow changed mid-call
  const verbs: IvrVerb[] = [];
  const effects: IvrEffect[] = [];
  const changed: { language?: string; attributes?: Record<string, string> } = {};

  const record = (node: FlowNode, entry: Partial<IvrPathEntry> = {}) => {
    state.path.push({ node: node.id, type: node.type, ...entry, at: now });
    if (state.path.length > PATH_LIMIT) state.path.splice(0, state.path.length - PATH_LIMIT);
  };
  const context = () => ({ customer: caller, attributes: state.attributes, language: state.language });
  const spoken = (text: LocalizedText | null): SpokenVerb[] => {
    const source = text?.[state.language] ?? text?.[flow.languages[0]!];
    const rendered = source === undefined ? '' : renderPrompt(source, context());
    return rendered ? [{ verb: 'say', text: rendered, language: state.language, voice: flow.voices[state.language] ?? null }] : [];
  };
  const fallback = (key: 'invalid' | 'error'): SpokenVerb => {
    const thai = state.language.startsWith('th-');
    const language = thai || state.language.startsWith('en-') ? state.language : 'en-US';
    return { verb: 'say', text: DEFAULT_TEXT[thai ? 'th' : 'en'][key], language, voice: flow.voices[language] ?? null };
  };
  const fail = (message: string) => {
    verbs.length = 0; // what a runaway walk collected is not worth saying
    verbs.push(fallback('error'), { verb: 'hangup' });
    effects.push({ type: 'error', message }, { type: 'hangup' });
    state.path.push({ node: state.node, type: 'error', at: now });
  };

  const gather = (node: GatherNode) => {
    const keys = [...node.options.keys()];
    const sameLength = keys.length > 0 && keys.every((k) => k.length === keys[0]!.length);
    const speech = node.input.includes('speech');
    verbs.push(
      {
        verb: 'gather',
        action: urls.step(node.id),
        input: node.input,
        timeout: node.timeout,
        // One-key menus answer as soon as the key is pressed, without waiting for # or the timeout.
        numDigits: node.numDigits ?? (node.input.includes('dtmf') && sameLength ? keys[0]!.length : null),
        language: NO_SPEECH_LANGUAGES.has(state.language) ? null : state.language,
        hints: speech ? node.speech.filter((s) => s.language === null || s.language === state.language).map((s) => s.phrase) : [],
        prompt: spoken(node.prompt),
      },
      // Twilio falls through to this when the caller says nothing: it comes back as a gather without input.
      { verb: 'redirect', url: urls.step(node.id) },
    );
    state.node = node.id;
  };

  // Walks from `id` until a node waits for the caller or ends the IVR.
  const enter = (id: string) => {
    for (let hops = 0; ; hops++) {
      const node = flow.nodes.get(id);
      if (!node) return fail(`node "${id}" does not exist in flow "${flow.name}" (${flow.file})`);
      if (hops > MAX_HOPS) return fail(`more than ${MAX_HOPS} nodes without waiting for the caller, at "${id}": does the flow loop?`);
      record(node);
      state.node = id;
      switch (node.type) {
        case 'say':
          verbs.push(...(node.play ? [{ verb: 'play', url: node.play } as const] : spoken(node.text)));
          id = node.next;
          break;
        case 'set':
          if (node.language) changed.language = state.language = node.language;
          if (Object.keys(node.attributes).length > 0) {
            Object.assign(state.attributes, node.attributes);
            changed.attributes = { ...changed.attributes, ...node.attributes };
          }
          id = node.next;
          break;
        case 'branch_hours':
          id = isOpen(node.hours, now) ? node.open : node.closed;
          break;
        case 'branch_attribute':
          id = node.anyOf.some((v) => attributeMatches(node.attribute, v, caller, state)) ? node.then : node.else;
          break;
        case 'branch_known':
          id = caller.known ? node.known : node.unknown;
          break;
        case 'gather':
          state.retries = 0;
          return gather(node);
        case 'enqueue': {
          const { queue, priority, holdMusic, announce, announceEvery, maxWaitSeconds, onTimeout } = node;
          effects.push({ type: 'enqueue', queue, priority, holdMusic, announce, announceEvery, maxWaitSeconds, onTimeout });
          verbs.push({ verb: 'redirect', url: urls.wait });
          return;
        }
        case 'voicemail':
          effects.push({ type: 'voicemail', node: id, maxLengthSeconds: node.maxLengthSeconds, transcribe: node.transcribe });
          verbs.push(...spoken(node.prompt), {
            verb: 'record',
            action: urls.step(id), // Twilio re-requests the current URL when a Record has no action
            maxLength: node.maxLengthSeconds,
            transcribe: node.transcribe,
            transcribeCallback: node.transcribe ? urls.transcription(id) : null,
            recordingStatusCallback: urls.recording(id),
            playBeep: true,
          });
          verbs.push({ verb: 'redirect', url: urls.step(id) }); // nothing recorded: carry on as if done
          return;
        case 'callback':
          effects.push({ type: 'callback', queue: node.queue }, { type: 'hangup' });
          verbs.push(...spoken(node.prompt), ...spoken(node.confirm), { verb: 'hangup' });
          return;
        case 'transfer':
          effects.push({ type: 'transfer', number: node.number });
          verbs.push(...spoken(node.prompt), { verb: 'dial', number: node.number });
          return;
        case 'hangup':
          effects.push({ type: 'hangup' });
          verbs.push(...spoken(node.prompt), { verb: 'hangup' });
          return;
      }
    }
  };

  const answer = (nodeId: string, digits: string, speech: string) => {
    const node = flow.nodes.get(nodeId);
    if (!node) return fail(`node "${nodeId}" does not exist in flow "${flow.name}" (${flow.file})`);
    const given = digits || speech;
    const last = state.path[state.path.length - 1];
    // Entries are shared with the prior state's copy of the path: replace, never mutate.
    if (last && last.node === nodeId && last.input === undefined) state.path[state.path.length - 1] = { ...last, input: given };
    else record(node, { input: given });
    if (node.type === 'voicemail') {
      if (node.next) return enter(node.next);
      effects.push({ type: 'hangup' });
      verbs.push({ verb: 'hangup' });
      return;
    }
    if (node.type !== 'gather') return enter(nodeId);
    const target =
      (digits && node.input.includes('dtmf') ? node.options.get(digits) : undefined) ?? matchSpeech(node, speech, state.language);
    if (target) {
      state.retries = 0;
      return enter(target);
    }
    if (state.retries < node.retries) {
      state.retries += 1;
      verbs.push(...(node.invalidPrompt ? spoken(node.invalidPrompt) : [fallback('invalid')]));
      record(node);
      return gather(node);
    }
    state.retries = 0;
    enter(node.invalid);
  };

  if (input.kind === 'start') enter(flow.start);
  else if (input.kind === 'redirect') enter(input.node);
  else if (!fresh && input.node !== prior!.node)
    enter(prior!.node); // a stale or replayed answer: say where the caller is again
  else answer(input.node, input.digits?.trim() ?? '', input.speech?.trim() ?? '');

  // Language and attribute changes come first, once each: they hold for whatever the rest asks for.
  const changes: IvrEffect[] = [];
  if (changed.language) changes.push({ type: 'language', language: changed.language });
  if (changed.attributes) changes.push({ type: 'attributes', attributes: changed.attributes });
  return { verbs, state, effects: [...changes, ...effects] };
}
