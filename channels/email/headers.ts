// Raw header reading: the blocks inside a delivery report and a returned message's headers, and the
// few top-level headers whose raw form says more than mailparser's parsed one (ids, dates).

/** Header fields by lower-case name, values unfolded and in order of appearance. */
export type HeaderFields = Map<string, string[]>;

/** Adds `Name: value` lines (folded lines joined) to `fields`; stops at the first blank line. */
function readFields(lines: string[], start: number, fields: HeaderFields): number {
  let name: string | null = null;
  let value = '';
  const keep = () => {
    if (name) fields.set(name, [...(fields.get(name) ?? []), value.replace(/\s+/g, ' ').trim()]);
    name = null;
  };
  let i = start;
  for (; i < lines.length && lines[i]!.trim() !== ''; i++) {
    const line = lines[i]!;
    if (/^[ \t]/.test(line)) {
      value += ' ' + line;
      continue;
    }
    keep();
    const colon = line.indexOf(':');
    // A field name is printable ASCII without spaces; anything else is not a header line.
    if (colon > 0 && /^[\x21-\x39\x3b-\x7e]+$/.test(line.slice(0, colon).trimEnd())) {
      name = line.slice(0, colon).trim().toLowerCase();
      value = line.slice(colon + 1);
    }
  }
  keep();
  return i;
}

/** One header block: everything up to the first blank line. */
export function parseHeaderBlock(text: string): HeaderFields {
  const fields: HeaderFields = new Map();
  readFields(text.split(/\r?\n/), 0, fields);
  return fields;
}

/** Consecutive header blocks separated by blank lines (a message/delivery-status body). */
export function parseHeaderBlocks(text: string): HeaderFields[] {
  const lines = text.split(/\r?\n/);
  const blocks: HeaderFields[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const fields: HeaderFields = new Map();
    i = readFields(lines, i, fields);
    if (fields.size > 0) blocks.push(fields);
  }
  return blocks;
}

export function firstField(fields: HeaderFields, name: string): string | null {
  return fields.get(name)?.[0] ?? null;
}

/** mailparser's raw header lines (`Name: value`, folding kept) as fields. */
export function fieldsOfLines(lines: ReadonlyArray<{ key: string; line: string }>): HeaderFields {
  const fields: HeaderFields = new Map();
  for (const { key, line } of lines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]/g, ' ')
      .trim();
    fields.set(key, [...(fields.get(key) ?? []), value]);
  }
  return fields;
}

/**
 * The message ids in a header value, without angle brackets, in order, each once. Values without
 * brackets (some clients write them bare) count when they look like an id; comments do not.
 */
export function messageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  const ids =
    bracketed.length > 0
      ? bracketed
      : value
          .replace(/\([^)]*\)/g, ' ')
          .split(/[\s,]+/)
          .filter((t) => /^[^@\s<>]+@[^@\s<>]+$/.test(t));
  return [...new Set(ids)];
}

/** A Date header as epoch ms, or null when it does not parse (mailparser would say "now"). */
export function parseDate(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value.replace(/\([^)]*\)\s*$/, '').trim());
  return Number.isFinite(ms) ? ms : null;
}
