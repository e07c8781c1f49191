// Address headers into plain lists: groups flattened, addresses lower-cased, entries without an
// address dropped. A display name mailparser could not decode (an unknown charset in an encoded
// word, or raw 8-bit bytes) is decoded again from the raw header.
import type { AddressObject, EmailAddress } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import { decodeHeaderText } from './charsets.js';
import type { MailAddress } from './parse-mail.js';

const REPLACEMENT = '\uFFFD';

function flatten(entries: EmailAddress[]): EmailAddress[] {
  return entries.flatMap((e) => (e.group ? flatten(e.group) : [e]));
}

function toMailAddress(address: string | undefined, name: string | undefined): MailAddress | null {
  const a = (address ?? '').trim().toLowerCase();
  // A bare word ("MAILER-DAEMON", "undisclosed-recipients") is not an address anyone can write to.
  if (!/^[^@\s]+@[^@\s]+$/.test(a)) return null;
  const n = (name ?? '').replace(/\s+/g, ' ').trim();
  return { address: a, name: n || null };
}

/**
 * The addresses of one header (all of its occurrences). `raw` is the header's raw value (latin1
 * string of its bytes); `fallbackCharset` decodes 8-bit bytes that are not UTF-8.
 */
export function mailAddresses(
  parsed: AddressObject | AddressObject[] | undefined,
  raw: string[],
  fallbackCharset: string | null,
): MailAddress[] {
  const entries = flatten([parsed ?? []].flat().flatMap((o) => o.value));
  let out = entries.map((e) => toMailAddress(e.address, e.name));
  if (entries.some((e) => e.name?.includes(REPLACEMENT)) && raw.length > 0) {
    out = raw
      .flatMap((value) => addressparser(value, { flatten: true }))
      .map((e) => toMailAddress(decodeHeaderText(e.address, 'utf-8'), decodeHeaderText(e.name, fallbackCharset)));
  }
  const seen = new Set<string>();
  return out.filter((a): a is MailAddress => a !== null && !seen.has(a.address) && Boolean(seen.add(a.address)));
}

/** The local part of an address, for sender hints such as MAILER-DAEMON. */
export const localPart = (address: string) => address.slice(0, address.lastIndexOf('@')).toLowerCase();
