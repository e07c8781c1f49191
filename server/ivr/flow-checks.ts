// The checks of a flow that look across nodes or at the flow's languages: references to nodes that
// do not exist, branches a node must have, texts per language, and nodes that no call can reach.
import { validateBusinessHours } from '../domain/routing/business-hours.js';
import { isNodeType, NO_SPEECH_LANGUAGES, type Path, type RawNode } from './flow-schema.js';
import { templateProblem } from './prompt-template.js';

export interface NodeProblem {
  node: string;
  path: Path;
  message: string;
}

interface FlowParts {
  languages: readonly string[];
  start: string;
  /** Every node as written (id → raw value), including those whose shape is wrong. */
  raw: Readonly<Record<string, unknown>>;
  /** The nodes whose shape parsed. */
  parsed: ReadonlyMap<string, RawNode>;
}

interface Edge {
  path: Path;
  label: string;
  target: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const REF_FIELDS: Record<string, string[]> = {
  say: ['next'],
  gather: ['invalid'],
  branch_hours: ['open', 'closed'],
  branch_attribute: ['then', 'else'],
  branch_known: ['known', 'unknown'],
  set: ['next'],
  enqueue: ['onTimeout'],
  voicemail: ['next'],
};

/** Where a node can send the caller. Read from the raw node, so a node with other mistakes still counts. */
function edgesOf(raw: unknown, ids: ReadonlySet<string>): Edge[] {
  if (!isRecord(raw)) return [];
  const type = typeof raw.type === 'string' ? raw.type : '';
  const edges: Edge[] = [];
  const add = (path: Path, label: string, target: unknown) => typeof target === 'string' && edges.push({ path, label, target });
  if (!isNodeType(type)) {
    // An unknown type's edges are unknown: any string naming a node counts, so no node is called unreachable wrongly.
    const collect = (v: unknown): void => {
      if (typeof v === 'string' && ids.has(v)) add([], '', v);
      else if (isRecord(v)) Object.values(v).forEach(collect);
    };
    collect(raw);
    return edges;
  }
  for (const field of REF_FIELDS[type] ?? []) add([field], `"${field}"`, raw[field]);
  if (type === 'gather') {
    for (const [key, target] of Object.entries(isRecord(raw.options) ? raw.options : {})) add(['options', key], `option "${key}"`, target);
    for (const [key, value] of Object.entries(isRecord(raw.speech) ? raw.speech : {})) {
      if (isRecord(value))
        for (const [phrase, target] of Object.entries(value)) add(['speech', key, phrase], `speech (${key}) "${phrase}"`, target);
      else add(['speech', key], `speech "${key}"`, value);
    }
  }
  return edges;
}

const TEXT_FIELDS = ['text', 'prompt', 'invalidPrompt', 'confirm'] as const;

export function checkFlow({ languages, start, raw, parsed }: FlowParts): NodeProblem[] {
  const problems: NodeProblem[] = [];
  const ids = new Set(Object.keys(raw));
  for (const [id, node] of Object.entries(raw)) {
    const report = (path: Path, message: string) => problems.push({ node: id, path, message });
    for (const edge of edgesOf(node, ids)) {
      if (edge.label && !ids.has(edge.target)) report(edge.path, `${edge.label} goes to unknown node "${edge.target}"`);
    }
    const shape = parsed.get(id);
    if (!shape) continue;
    for (const field of TEXT_FIELDS) {
      const text = (shape as Partial<Record<(typeof TEXT_FIELDS)[number], Record<string, string>>>)[field];
      if (text && languages.length > 0) checkText(text, field, languages, report);
    }
    checkNode(shape, languages, report);
  }
  if (ids.has(start)) {
    const reached = new Set([start]);
    const queue = [start];
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      for (const { target } of edgesOf(raw[id], ids)) {
        if (!ids.has(target) || reached.has(target)) continue;
        reached.add(target);
        queue.push(target);
      }
    }
    for (const id of ids) if (!reached.has(id)) problems.push({ node: id, path: [], message: `is not reachable from start "${start}"` });
  }
  return problems;
}

type Report = (path: Path, message: string) => void;

function checkText(text: Record<string, string>, field: string, languages: readonly string[], report: Report): void {
  for (const [lang, value] of Object.entries(text)) {
    if (!languages.includes(lang))
      report([field, lang], `"${field}" has a ${lang} text, a language the flow does not list (${languages.join(', ')})`);
    else if (!value.trim()) report([field, lang], `"${field}" has an empty ${lang} text`);
    else {
      const problem = templateProblem(value);
      if (problem) report([field, lang], `"${field}" (${lang}) is not a valid template: ${problem}`);
    }
  }
  for (const lang of languages) if (!Object.hasOwn(text, lang)) report([field], `"${field}" has no ${lang} text`);
}

function checkNode(node: RawNode, languages: readonly string[], report: Report): void {
  switch (node.type) {
    case 'say':
      if (!node.text && !node.play) report([], 'needs "text" (per language) or "play" (an audio URL)');
      if (node.text && node.play) report(['play'], 'has both "text" and "play"; keep one');
      return;
    case 'gather':
      return checkGather(node as Extract<RawNode, { type: 'gather' }>, languages, report);
    case 'branch_hours': {
      const checked = validateBusinessHours(node.hours);
      if (!checked.ok) report(['hours'], `"hours" ${checked.reason}`);
      return;
    }
    case 'branch_attribute':
      if (node.equals === undefined && node.in === undefined) report([], 'needs "equals: <value>" or "in: [<values>]"');
      if (node.equals !== undefined && node.in !== undefined) report(['in'], 'has both "equals" and "in"; keep one');
      return;
    case 'set':
      if (node.language === undefined && node.attributes === undefined) report([], 'sets nothing: give "language" and/or "attributes"');
      if (node.language !== undefined && languages.length > 0 && !languages.includes(node.language)) {
        report(['language'], `"language" ${node.language} is not one of the flow's languages (${languages.join(', ')})`);
      }
      for (const key of Object.keys(node.attributes ?? {})) {
        if (!/^[A-Za-z0-9_-]+$/.test(key)) report(['attributes', key], `attribute name "${key}" may use only letters, digits, _ and -`);
      }
      return;
    case 'enqueue':
      if (node.maxWaitSeconds !== undefined && node.onTimeout === undefined)
        report(['maxWaitSeconds'], '"maxWaitSeconds" needs "onTimeout" (where a caller goes after waiting that long)');
      if (node.onTimeout !== undefined && node.maxWaitSeconds === undefined) report(['onTimeout'], '"onTimeout" needs "maxWaitSeconds"');
      return;
    case 'voicemail':
      if (node.transcribe && node.maxLengthSeconds > 120) {
        report(
          ['maxLengthSeconds'],
          'Twilio transcribes recordings of at most 120 seconds: lower "maxLengthSeconds" or set "transcribe: false"',
        );
      }
      return;
    default:
      return;
  }
}

function checkGather(node: Extract<RawNode, { type: 'gather' }>, languages: readonly string[], report: Report): void {
  const dtmf = node.input.includes('dtmf');
  const speech = node.input.includes('speech');
  if (new Set(node.input).size !== node.input.length) report(['input'], '"input" lists the same input twice');
  const options = Object.entries(node.options ?? {});
  if (dtmf && options.length === 0) report([], 'a gather with dtmf input needs "options" (keys to node ids)');
  if (!dtmf && node.options) report(['options'], '"options" are keys to press, but "input" has no dtmf');
  if (speech && Object.keys(node.speech ?? {}).length === 0) report([], 'a gather with speech input needs "speech" (phrases to node ids)');
  if (!speech && node.speech) report(['speech'], '"speech" phrases need "speech" in "input"');
  for (const [key] of options) {
    if (!/^[0-9*#]{1,20}$/.test(key)) report(['options', key], `option "${key}" is not a key sequence of 0-9, * and #`);
    else if (node.numDigits !== undefined && key.length > node.numDigits) {
      report(['options', key], `option "${key}" has ${key.length} keys but "numDigits" is ${node.numDigits}, so it can never be pressed`);
    }
  }
  for (const [key, value] of Object.entries(node.speech ?? {})) {
    const perLanguage = typeof value === 'object';
    if (perLanguage && !languages.includes(key)) report(['speech', key], `speech phrases for ${key}, a language the flow does not list`);
    const phrases = perLanguage ? Object.keys(value) : [key];
    for (const phrase of phrases) if (!phrase.trim()) report(['speech', key], 'a speech phrase is empty');
  }
  if (speech) {
    for (const lang of languages) {
      if (NO_SPEECH_LANGUAGES.has(lang)) report(['input'], `Twilio cannot recognise speech in ${lang}; use dtmf input in this flow`);
    }
  }
}
