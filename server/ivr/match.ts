// How the engine decides a caller's answer and a branch on a customer field: speech phrases against
// what the recogniser heard, and profile values against a flow's configured values.
import type { IvrCaller, IvrState } from './engine.js';
import type { GatherNode, Scalar } from './flow.js';

// Languages written without spaces: recognisers put spaces between words unpredictably, so ignore them.
const UNSPACED = /^(th|ja|zh|lo|km|my)-/;

/** The node of the longest configured phrase that the utterance contains (case-insensitive), if any. */
export function matchSpeech(node: GatherNode, speech: string, language: string): string | undefined {
  if (!speech || !node.input.includes('speech')) return undefined;
  const squash = UNSPACED.test(language);
  const norm = (s: string) => {
    const lower = s.normalize('NFC').toLowerCase().trim();
    return squash ? lower.replace(/\s+/g, '') : lower.replace(/\s+/g, ' ');
  };
  const said = norm(speech);
  let best: { length: number; next: string } | undefined;
  for (const route of node.speech) {
    if (route.language !== null && route.language !== language) continue;
    const phrase = norm(route.phrase);
    if (phrase && said.includes(phrase) && (!best || phrase.length > best.length)) best = { length: phrase.length, next: route.next };
  }
  return best?.next;
}

/** A customer field against a configured value; `language: th` and `th-TH` match each other. */
export function attributeMatches(attribute: string, expected: Scalar, caller: IvrCaller, state: IvrState): boolean {
  let actual: unknown;
  if (attribute === 'vip') actual = caller.vip;
  else if (attribute === 'valueTier') actual = caller.valueTier;
  else if (attribute === 'language') {
    const [a, b] = [caller.language?.toLowerCase(), String(expected).toLowerCase()];
    return !!a && (a === b || (!a.includes('-') && b.startsWith(`${a}-`)) || (!b.includes('-') && a.startsWith(`${b}-`)));
  } else {
    const key = attribute.slice('attributes.'.length);
    // Set during the call wins over what the profile says.
    actual = Object.hasOwn(state.attributes, key)
      ? state.attributes[key]
      : Object.hasOwn(caller.attributes, key)
        ? caller.attributes[key]
        : undefined;
  }
  if (actual === null || actual === undefined || typeof actual === 'object') return false;
  return actual === expected || String(actual) === String(expected);
}
