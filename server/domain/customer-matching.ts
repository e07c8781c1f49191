// Likely duplicates, pure: how a name, a phone and an email are reduced to keys, which keys put two
// customers in the same block (only those are ever compared), and how a pair is scored.
import { distance } from 'fastest-levenshtein';
import { emailIdentity, phoneIdentity } from './identity.js';
import type { Identity } from './types.js';

export type DuplicateReason = 'same_phone' | 'same_email' | 'same_name' | 'similar_name';
export type MatchKeyKind = 'name' | 'namep' | 'sound' | 'soundw' | 'phone' | 'email';
export interface MatchKey {
  kind: MatchKeyKind;
  key: string;
}

// Thai titles, longest first (นางสาว before นาง); they are often written joined to the name (นายสมชาย).
const THAI_TITLES = [
  'ว่าที่ร้อยตรี',
  'เด็กหญิง',
  'เด็กชาย',
  'นางสาว',
  'ศ.ดร.',
  'รศ.ดร.',
  'ผศ.ดร.',
  'น.ส.',
  'ด.ญ.',
  'ด.ช.',
  'คุณ',
  'นาย',
  'นาง',
  'ดร.',
  'รศ.',
  'ผศ.',
  'ศ.',
];
// Latin titles stand apart from the name: "Mr Somchai", "Mrs. Malee", "Khun Nok".
const LATIN_TITLE = /^(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|khun)(?:\.\s*|\s+)/u;
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/gu;

/**
 * A name reduced for comparison: Unicode NFKC (so ำ typed as ํ + า compares equal), case-folded, titles
 * (คุณ, นาย, นาง, นางสาว, Mr, Ms, Mrs...) removed from the front, punctuation dropped and spaces collapsed.
 * Empty when nothing is left.
 */
export function normalizeName(raw: string | null | undefined): string {
  if (!raw) return '';
  let s = raw.normalize('NFKC').replace(INVISIBLE, '').toLowerCase().replace(/\s+/gu, ' ').trim();
  for (let stripped = true; stripped;) {
    stripped = false;
    const latin = LATIN_TITLE.exec(s);
    if (latin && s.length > latin[0].length) {
      s = s.slice(latin[0].length).trimStart();
      stripped = true;
      continue;
    }
    const thai = THAI_TITLES.find((t) => s.startsWith(t) && s.slice(t.length).trim().length >= 2);
    if (thai) {
      s = s.slice(thai.length).trimStart();
      stripped = true;
    }
  }
  return s
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .replace(/ +/g, ' ')
    .trim();
}

// A name's sound as consonants, the same for its Thai spelling and its usual Latin ones (RTGS or informal):
// สมชาย ใจดี, Somchai Jaidee and Somchay Chaidee all read "smc cd". Vowels, tone marks, ห/h and the glides
// ย ว / y w v are left out (romanizations disagree on them most); aspirated and plain stops share a letter
// (ph/p, th/t, kh/k, ch/j/c); a Thai word's last consonant sounds as RTGS writes a final (ล → n, ส → t...),
// and a ร or ญ closing a syllable reads n (พร-, spelled Porn- or Phon-); a consonant under the silencer ์
// is not read (ทร์ and ตร์ together). Only a key for suggestions: an agent reviews every one.
const THAI_SOUND: Record<string, string> = Object.fromEntries(
  (
    [
      ['กขฃคฅฆ', 'k'],
      ['ง', 'N'],
      ['จฉชฌ', 'c'],
      ['ซศษส', 's'],
      ['ฎด', 'd'],
      ['ฏตฐฑฒถทธ', 't'],
      ['ณน', 'n'],
      ['บ', 'b'],
      ['ปผพภ', 'p'],
      ['ฝฟ', 'f'],
      ['ม', 'm'],
      ['รฤ', 'r'],
      ['ลฬ', 'l'],
      ['ญยวหฮอ', ''],
    ] as const
  ).flatMap(([letters, sound]) => [...letters].map((c) => [c, sound])),
);
// How a consonant ending a Thai word is written in Latin (RTGS finals: k, t, p, n, m, ng).
const FINAL: Record<string, string> = { c: 't', s: 't', d: 't', b: 'p', f: 'p', r: 'n', l: 'n' };
const THAI_WORD = /[\u0e00-\u0e7f]/u;
const SILENCER = '\u0e4c';

// Tone marks, the shortener ็ and the silencer ์: marks that do not make a vowel sound after a consonant.
const NOT_A_VOWEL = /[\u0e47-\u0e4c]/u;

function thaiWordSound(word: string): string {
  const chars = [...word].filter((c) => !/[\u0e48-\u0e4b]/u.test(c)); // tone marks say nothing here
  let out = '';
  let lastAt = -1; // the char index of the last consonant read
  let lastLetter = -1; // the char index of the last consonant letter not silenced (ญ ย ว included)
  for (let i = 0; i < chars.length; i++) {
    const sound = THAI_SOUND[chars[i]!];
    if (sound === undefined) continue;
    if (chars[i + 1] === SILENCER || (chars[i + 2] === SILENCER && /[\u0e34\u0e38]/u.test(chars[i + 1]!))) continue;
    // ทร์ and ตร์ are silent together (จันทร์ is "chan", พักตร์ "phak").
    if (/[ทต]/u.test(chars[i]!) && chars[i + 1] === 'ร' && chars[i + 2] === SILENCER) continue;
    lastLetter = i;
    // ร or ญ straight before another consonant closes a syllable and reads n (พร in พรทิพย์: Porn-, Phon-;
    // บุญ in บุญชัย: Boon-).
    out += /[รญ]/u.test(chars[i]!) && i > 0 && THAI_SOUND[chars[i + 1] ?? ''] ? 'n' : sound;
    if (sound) lastAt = i;
  }
  // The last consonant is a final when only silent letters or marks follow it (no vowel, no glide).
  const tail = chars.slice(lastAt + 1);
  const final = out.length >= 2 && tail.every((c) => NOT_A_VOWEL.test(c) || (THAI_SOUND[c] !== undefined && !/[ยวอ]/u.test(c)));
  if (final && FINAL[out.at(-1)!]) out = out.slice(0, -1) + FINAL[out.at(-1)!];
  // A word ending in ญ ends in n (เพ็ญ is "phen").
  if (out && chars[lastLetter] === 'ญ' && chars.slice(lastLetter + 1).every((c) => NOT_A_VOWEL.test(c))) out += 'n';
  return out;
}

function latinWordSound(word: string): string {
  let s = word.normalize('NFD').replace(/\p{M}/gu, '');
  const endsInConsonant = /[^aeiouy]$/.test(s);
  // "rn" is the informal spelling of a final ร (Siriporn, Thanathorn): it reads n.
  s = s
    .replace(/rn/g, 'n')
    .replace(/ng/g, 'N')
    .replace(/(?<=[kptcs])h/g, '')
    .replace(/j/g, 'c')
    .replace(/[gq]/g, 'k');
  s = s.replace(/[xz]/g, 's').replace(/[aeiouywvh]/g, '');
  if (endsInConsonant && s.length >= 2 && FINAL[s.at(-1)!]) s = s.slice(0, -1) + FINAL[s.at(-1)!];
  return s;
}

/**
 * The sound key of a normalized name: each word as consonants (see above), runs of one letter read once,
 * words that leave nothing dropped. Empty for a name in another script.
 */
export function nameSound(name: string): string {
  return name
    .split(' ')
    .map((w) => (THAI_WORD.test(w) ? thaiWordSound(w) : /^[a-z\p{M}\u00c0-\u024f]+$/u.test(w) ? latinWordSound(w) : ''))
    .map((w) => w.replace(/(.)\1+/g, '$1'))
    .filter(Boolean)
    .join(' ');
}

const scriptOf = (name: string): 'thai' | 'latin' | 'other' => (THAI_WORD.test(name) ? 'thai' : /[a-z]/.test(name) ? 'latin' : 'other');
/** One name in Thai letters, the other in Latin ones. */
function acrossScripts(a: string, b: string): boolean {
  const [sa, sb] = [scriptOf(a), scriptOf(b)];
  return sa !== sb && sa !== 'other' && sb !== 'other';
}

/**
 * One mailbox, however it is written: lower-cased, a `+tag` dropped, and for Gmail the dots too (and
 * googlemail.com read as gmail.com). Undefined when it is not an email address.
 */
export function canonicalEmail(raw: string): string | undefined {
  const parsed = emailIdentity(raw);
  if (!parsed.ok) return undefined;
  const at = parsed.identity.value.lastIndexOf('@');
  let local = parsed.identity.value.slice(0, at).replace(/\+.*$/, '');
  let domain = parsed.identity.value.slice(at + 1);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return local ? `${local}@${domain}` : undefined;
}

// Attributes that often hold a second phone or email (a web chat visitor's typed email, an imported column).
const PHONE_ATTRIBUTE = /phone|mobile|tel|โทร|เบอร์/iu;
const EMAIL_ATTRIBUTE = /e-?mail|อีเมล/iu;

/** What a customer is compared on. */
export interface MatchProfile {
  name: string;
  phones: string[];
  emails: string[];
}

export function matchProfile(customer: { name: string | null; attributes: Record<string, unknown> }, identities: Identity[]): MatchProfile {
  const phones = new Set<string>();
  const emails = new Set<string>();
  for (const i of identities) {
    if (i.kind === 'phone') phones.add(i.value);
    if (i.kind === 'email') {
      const e = canonicalEmail(i.value);
      if (e) emails.add(e);
    }
  }
  for (const [key, value] of Object.entries(customer.attributes)) {
    if (typeof value !== 'string' || value.length > 320) continue;
    if (EMAIL_ATTRIBUTE.test(key)) {
      const e = canonicalEmail(value);
      if (e) emails.add(e);
    } else if (PHONE_ATTRIBUTE.test(key)) {
      const p = phoneIdentity(value);
      if (p.ok) phones.add(p.identity.value);
    }
  }
  return { name: normalizeName(customer.name), phones: [...phones], emails: [...emails] };
}

const PREFIX = 4;

/** The blocking keys of a profile: two customers are compared only when they share one. */
export function matchKeys(p: MatchProfile): MatchKey[] {
  const keys: MatchKey[] = [];
  if (p.name.length >= 2) {
    keys.push({ kind: 'name', key: p.name.slice(0, 320) });
    const prefixes = new Set(
      p.name
        .split(' ')
        .filter((w) => w.length >= 3)
        .map((w) => w.slice(0, PREFIX)),
    );
    for (const key of prefixes) keys.push({ kind: 'namep', key });
    // The whole name's sound, words in order: สมชาย ใจดี meets Somchai Jaidee (and Jaidee Somchai).
    const sound = nameSound(p.name);
    if (sound.replace(/ /g, '').length >= 4) keys.push({ kind: 'sound', key: sound.split(' ').sort().join(' ').slice(0, 320) });
    // And each longer word's sound, so spellings a letter apart (Chan-o-cha, จันทร์โอชา) still meet.
    for (const key of new Set(sound.split(' ').filter((w) => w.length >= 3))) keys.push({ kind: 'soundw', key: key.slice(0, 320) });
  }
  for (const key of p.phones) keys.push({ kind: 'phone', key });
  for (const key of p.emails) keys.push({ kind: 'email', key: key.slice(0, 320) });
  return keys;
}

/** Rebuilds the compared profile from stored keys (the `name`, `phone` and `email` ones). */
export function profileFromKeys(keys: MatchKey[]): MatchProfile {
  return {
    name: keys.find((k) => k.kind === 'name')?.key ?? '',
    phones: keys.filter((k) => k.kind === 'phone').map((k) => k.key),
    emails: keys.filter((k) => k.kind === 'email').map((k) => k.key),
  };
}

const ratio = (a: string, b: string) => 1 - distance(a, b) / Math.max(a.length, b.length);
const sortedWords = (s: string) => s.split(' ').sort().join(' ');

/**
 * How alike two normalized names are, 0 to 1: one minus the edit distance over the longer length, the
 * better of the names as written and with their words sorted ("Jaidee Somchai" is "Somchai Jaidee").
 */
export function nameSimilarity(a: string, b: string): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  return Math.max(ratio(a, b), ratio(sortedWords(a), sortedWords(b)));
}

/**
 * Whether two sounds that are not equal differ by one slip a spelling could make, not by a name: word by
 * word (sorted), each the same or one letter apart on a word of 5 or more (Somsak / สมศรี, 4 letters, are
 * two names); when the words are split differently (Chan-o-cha, จันทร์โอชา), the letters together.
 */
function oneSlip(a: string, b: string): boolean {
  const wa = a.split(' ').sort();
  const wb = b.split(' ').sort();
  if (wa.length !== wb.length) return distance(a.replace(/ /g, ''), b.replace(/ /g, '')) <= 1;
  return wa.every((w, i) => w === wb[i] || (Math.min(w.length, wb[i]!.length) >= 5 && distance(w, wb[i]!) <= 1));
}

/** Similar names must be at least this alike, and this long, to be suggested. */
export const SIMILAR_NAME_MIN = 0.8;
const SIMILAR_NAME_MIN_LENGTH = 6;
/** Thai and Latin spellings of longer names may sound this alike and still be suggested. */
const SOUND_MIN = 0.85;

export interface PairScore {
  reasons: DuplicateReason[];
  /** 0-100: how likely the two are one person. */
  score: number;
}

/**
 * Scores a pair from independent signals (a shared phone or mailbox is strong, the same full name fair,
 * a single shared word such as a lone nickname weak), combined as 1 - Π(1 - w). Undefined when nothing
 * links them.
 */
export function scorePair(a: MatchProfile, b: MatchProfile): PairScore | undefined {
  const reasons: DuplicateReason[] = [];
  const weights: number[] = [];
  if (a.phones.some((p) => b.phones.includes(p))) {
    reasons.push('same_phone');
    weights.push(0.9);
  }
  if (a.emails.some((e) => b.emails.includes(e))) {
    reasons.push('same_email');
    weights.push(0.9);
  }
  const similarity = nameSimilarity(a.name, b.name);
  const words = Math.min(a.name.split(' ').length, b.name.split(' ').length);
  if (similarity === 1) {
    reasons.push('same_name');
    weights.push(words >= 2 ? 0.7 : 0.45);
  } else if (similarity >= SIMILAR_NAME_MIN && Math.min(a.name.length, b.name.length) >= SIMILAR_NAME_MIN_LENGTH) {
    reasons.push('similar_name');
    weights.push((words >= 2 ? 0.6 : 0.4) * similarity);
  } else if (acrossScripts(a.name, b.name)) {
    // One name in Thai, the other in Latin letters: alike when they sound alike.
    const sa = nameSound(a.name);
    const sb = nameSound(b.name);
    const letters = Math.min(sa.replace(/ /g, '').length, sb.replace(/ /g, '').length);
    const alike = letters >= 4 ? nameSimilarity(sa, sb) : 0;
    if (alike === 1 || (letters >= 6 && alike >= SOUND_MIN && oneSlip(sa, sb))) {
      reasons.push('similar_name');
      weights.push((words >= 2 ? 0.55 : 0.35) * alike);
    }
  }
  if (!reasons.length) return undefined;
  const score = Math.round(100 * (1 - weights.reduce((miss, w) => miss * (1 - w), 1)));
  return { reasons, score };
}

/** A pair is stored once, the lower id first. */
export const orderedPair = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);
