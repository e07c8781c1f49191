// Customers as CSV, pure: which column is which, what a good cell is, and every problem of every row
// named (row number as a spreadsheet shows it, column, reason), so an import is all checked before
// anything is written. Also the other way: a customer as an export row.
import { emailIdentity, phoneIdentity } from './identity.js';
import type { Customer, CustomerIdentity, Identity, ValueTier } from './types.js';
import { VALUE_TIERS } from './types.js';

export type ImportErrorCode = 'bad_phone' | 'bad_email' | 'bad_value' | 'missing' | 'duplicate' | 'bad_row';

export interface ImportRowError {
  /** As a spreadsheet numbers it: the header is row 1, the first customer row 2. */
  row: number;
  column: string | null;
  code: ImportErrorCode;
  message: string;
  value?: string;
  /** A duplicate of a customer already in the desk. */
  customerId?: string;
  /** A duplicate of an earlier row of the same file. */
  duplicateOfRow?: number;
}

export interface ImportDraft {
  row: number;
  name: string | null;
  locale: string | null;
  tags: string[];
  /** A tier, and VIP "yes", from the file are kept as a supervisor's override (null: not given or "no", computed). */
  valueTier: ValueTier | null;
  vip: boolean | null;
  attributes: Record<string, string>;
  identities: Identity[];
}

type Field = 'name' | 'phone' | 'email' | 'language' | 'tags' | 'value_tier' | 'vip';

const FIELD_NAMES: Record<string, Field> = {
  name: 'name',
  'full name': 'name',
  ชื่อ: 'name',
  phone: 'phone',
  phones: 'phone',
  mobile: 'phone',
  โทรศัพท์: 'phone',
  เบอร์โทร: 'phone',
  email: 'email',
  emails: 'email',
  'e-mail': 'email',
  อีเมล: 'email',
  language: 'language',
  locale: 'language',
  ภาษา: 'language',
  tags: 'tags',
  แท็ก: 'tags',
  value_tier: 'value_tier',
  tier: 'value_tier',
  vip: 'vip',
};

/** Columns an export writes that an import does not take (ids and channel ids are the desk's own). */
export const EXPORT_ONLY_COLUMNS = ['id', 'line', 'messenger', 'web_chat', 'slack', 'created_at', 'last_contact_at'] as const;

export const ATTRIBUTE_PREFIX = 'attr:';
const ATTRIBUTE_KEY = /^[\p{L}\p{M}\p{N}_.-]{1,64}$/u;
const TAG = /^[\p{L}\p{M}\p{N}_-]{1,32}$/u;
const LANGUAGE = /^([a-z]{2})(?:[-_]([a-z]{2}))?$/i;
const MAX_ATTRIBUTES = 50;

export interface ImportColumns {
  fields: Map<number, Field>;
  attributes: Map<number, string>;
  ignored: string[];
}

/** Reads the header row; a problem here (an unnamed or repeated column) makes the whole file unusable. */
export function readHeader(header: string[]): { ok: true; columns: ImportColumns } | { ok: false; message: string } {
  const fields = new Map<number, Field>();
  const attributes = new Map<number, string>();
  const ignored: string[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of header.entries()) {
    const title = raw.normalize('NFC').trim();
    const lower = title.toLowerCase();
    if (!title) return { ok: false, message: `column ${i + 1} has no name in the header row` };
    const field = FIELD_NAMES[lower];
    const key = field ?? (lower.startsWith(ATTRIBUTE_PREFIX) ? `attr:${title.slice(ATTRIBUTE_PREFIX.length)}` : lower);
    if (seen.has(key)) return { ok: false, message: `the column "${title}" appears twice (columns ${seen.get(key)! + 1} and ${i + 1})` };
    seen.set(key, i);
    if (field) fields.set(i, field);
    else if ((EXPORT_ONLY_COLUMNS as readonly string[]).includes(lower)) ignored.push(title);
    else {
      const name = lower.startsWith(ATTRIBUTE_PREFIX) ? title.slice(ATTRIBUTE_PREFIX.length) : title;
      if (!ATTRIBUTE_KEY.test(name)) {
        return {
          ok: false,
          message: `the column "${title}" is not a known field (name, phone, email, language, tags, value_tier, vip) nor a valid attribute name (1-64 letters, digits, _ . -)`,
        };
      }
      attributes.set(i, name);
    }
  }
  if (![...fields.values()].some((f) => f === 'name' || f === 'phone' || f === 'email')) {
    return { ok: false, message: 'the header row needs at least one of the columns name, phone or email' };
  }
  if (attributes.size > MAX_ATTRIBUTES) return { ok: false, message: `at most ${MAX_ATTRIBUTES} attribute columns` };
  return { ok: true, columns: { fields, attributes, ignored } };
}

// Our export writes a leading ' before a cell a spreadsheet would run as a formula; an import takes it off.
const unguard = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);
const list = (cell: string, sep: RegExp) =>
  cell
    .split(sep)
    .map((s) => s.trim())
    .filter(Boolean);

/** A phone as typed, or as a spreadsheet left it (the + of +66... dropped by Excel). */
function importPhone(raw: string) {
  const parsed = phoneIdentity(raw);
  if (parsed.ok || !/^\d{10,15}$/.test(raw)) return parsed;
  const international = phoneIdentity(`+${raw}`);
  return international.ok ? international : parsed;
}

const YES = ['true', 'yes', 'y', '1', 'ใช่'];
const NO = ['false', 'no', 'n', '0', 'ไม่', 'ไม่ใช่'];

/** Checks one data row; `row` is its spreadsheet number. Returns the customer to create, or its problems. */
export function readRow(
  columns: ImportColumns,
  cells: string[],
  width: number,
  row: number,
): { draft?: ImportDraft; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  if (cells.length !== width) {
    return {
      errors: [{ row, column: null, code: 'bad_row', message: `this row has ${cells.length} cells but the header has ${width} columns` }],
    };
  }
  const draft: ImportDraft = { row, name: null, locale: null, tags: [], valueTier: null, vip: null, attributes: {}, identities: [] };
  const fail = (column: string, code: ImportErrorCode, message: string, value?: string) =>
    errors.push({ row, column, code, message, ...(value !== undefined && { value }) });
  for (const [i, field] of columns.fields) {
    const cell = unguard(cells[i]!.normalize('NFC').trim());
    if (!cell) continue;
    switch (field) {
      case 'name':
        if (cell.length > 200) fail('name', 'bad_value', 'a name is at most 200 characters');
        else draft.name = cell.replace(/\s+/g, ' ');
        break;
      case 'phone':
        for (const value of list(cell, /[;\n]/)) {
          const parsed = importPhone(value);
          if (parsed.ok) draft.identities.push(parsed.identity);
          else
            fail(
              'phone',
              'bad_phone',
              `not a phone number: "${value}" (write it with its country code, e.g. +66 81 234 5678, or as a Thai number, 081 234 5678)`,
              value,
            );
        }
        break;
      case 'email':
        for (const value of list(cell, /[;,\s]+/)) {
          const parsed = emailIdentity(value);
          if (parsed.ok) draft.identities.push(parsed.identity);
          else fail('email', 'bad_email', `not an email address: "${value}"`, value);
        }
        break;
      case 'language': {
        const m = LANGUAGE.exec(cell);
        if (m) draft.locale = m[2] ? `${m[1]!.toLowerCase()}-${m[2].toUpperCase()}` : m[1]!.toLowerCase();
        else fail('language', 'bad_value', `not a language code: "${cell}" (use th, en, or en-GB)`, cell);
        break;
      }
      case 'tags': {
        const tags = list(cell, /[;,]/).map((t) => t.toLowerCase());
        const bad = tags.find((t) => !TAG.test(t));
        if (bad) fail('tags', 'bad_value', `not a tag: "${bad}" (1-32 letters, digits, _ and -; separate tags with ;)`, bad);
        else if (tags.length > 30) fail('tags', 'bad_value', 'at most 30 tags');
        else draft.tags = [...new Set(tags)];
        break;
      }
      case 'value_tier': {
        const tier = VALUE_TIERS.find((t) => t === cell.toLowerCase());
        if (tier) draft.valueTier = tier;
        else fail('value_tier', 'bad_value', `not a value tier: "${cell}" (one of ${VALUE_TIERS.join(', ')})`, cell);
        break;
      }
      case 'vip':
        // Only "yes" is a supervisor's say; "no" (what every export writes for most customers) leaves VIP to the tier.
        if (YES.includes(cell.toLowerCase())) draft.vip = true;
        else if (!NO.includes(cell.toLowerCase())) fail('vip', 'bad_value', `not yes or no: "${cell}"`, cell);
        break;
    }
  }
  for (const [i, key] of columns.attributes) {
    const cell = unguard(cells[i]!.normalize('NFC').trim());
    if (!cell) continue;
    if (cell.length > 1000) fail(key, 'bad_value', 'an attribute value is at most 1000 characters');
    else draft.attributes[key] = cell;
  }
  draft.identities = [...new Map(draft.identities.map((i) => [identityKey(i), i])).values()];
  if (!errors.length && !draft.name && !draft.identities.length) {
    fail('name', 'missing', 'a customer needs at least a name, a phone or an email');
  }
  return errors.length ? { errors } : { draft, errors };
}

export const identityKey = (i: Identity) => `${i.kind}:${i.scope}:${i.value}`;

/** Marks rows whose phone or email an earlier row of the file already has. */
export function duplicatesWithinFile(drafts: ImportDraft[]): ImportRowError[] {
  const firstRow = new Map<string, number>();
  const errors: ImportRowError[] = [];
  for (const d of drafts) {
    for (const i of d.identities) {
      const earlier = firstRow.get(identityKey(i));
      if (earlier !== undefined && earlier !== d.row) {
        errors.push({
          row: d.row,
          column: i.kind,
          code: 'duplicate',
          message: `${i.value} is also on row ${earlier} of this file`,
          value: i.value,
          duplicateOfRow: earlier,
        });
      } else firstRow.set(identityKey(i), d.row);
    }
  }
  return errors;
}

// ---- export ----

/** Cells a spreadsheet would run as a formula get a leading ' (phone numbers such as +66... do not). */
export function guardCell(value: string): string {
  return /^[=@\t\r]/.test(value) || /^[+-][^\d\s(]/.test(value) ? `'${value}` : value;
}

const cellOf = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);

export function exportHeader(attributeKeys: string[]): string[] {
  return [
    'id',
    'name',
    'phone',
    'email',
    'language',
    'tags',
    'value_tier',
    'vip',
    'line',
    'messenger',
    'web_chat',
    'slack',
    'created_at',
    'last_contact_at',
    ...attributeKeys.map((k) => `${ATTRIBUTE_PREFIX}${k}`),
  ];
}

export function exportRow(c: Customer, identities: CustomerIdentity[], attributeKeys: string[]): string[] {
  const of = (kind: Identity['kind']) =>
    identities
      .filter((i) => i.kind === kind)
      .map((i) => i.value)
      .join('; ');
  const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());
  return [
    c.id,
    c.name ?? '',
    of('phone'),
    of('email'),
    c.locale ?? '',
    c.tags.join('; '),
    c.valueTier ?? '',
    c.vip ? 'yes' : 'no',
    of('line'),
    of('messenger'),
    of('web_chat'),
    of('slack'),
    iso(c.createdAt),
    iso(c.lastContactAt),
    ...attributeKeys.map((k) => cellOf(c.attributes[k])),
  ].map(guardCell);
}
