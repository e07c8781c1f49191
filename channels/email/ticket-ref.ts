// The ticket reference Omnidesk puts in the subject of its mail, e.g. "Re: Parcel late [OD-K7Q2M9XA4T]".
// It is an HMAC of the conversation id under a key only this install has: a customer whose mail
// client drops In-Reply-To still lands in the right conversation, and nobody can make up a reference
// to someone else's conversation (a lookup finds only references this install issued, and the HMAC
// is checked again against the conversation it names).
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I/L: references are read aloud on calls
const LENGTH = 10; // ≈ 49 bits

export function ticketRef(key: Buffer, conversationId: string): string {
  const mac = createHmac('sha256', key).update(conversationId).digest();
  let ref = '';
  for (let i = 0; i < LENGTH; i++) ref += ALPHABET[mac[i]! % ALPHABET.length];
  return `OD-${ref}`;
}

/** True when `ref` is the reference this install issues for `conversationId`. */
export function verifyTicketRef(key: Buffer, conversationId: string, ref: string): boolean {
  const expected = Buffer.from(ticketRef(key, conversationId));
  const given = Buffer.from(ref.toUpperCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const IN_SUBJECT = new RegExp(`\\[(OD-[${ALPHABET}]{${LENGTH}})\\]`, 'gi');

/** The references in a subject, in order (a forwarded thread may carry several). */
export function refsInSubject(subject: string): string[] {
  return [...subject.matchAll(IN_SUBJECT)].map((m) => m[1]!.toUpperCase());
}

/**
 * The subject of our mail in a conversation, with the reference once: a reply (the customer wrote
 * first) starts with "Re: " once; the first mail of a conversation we start (a campaign's) does not.
 */
export function threadSubject(subject: string | null, ref: string, opts: { reply: boolean }): string {
  const base = (subject ?? '').replace(IN_SUBJECT, '').replace(/\s+/g, ' ').trim() || '(no subject)';
  const line = !opts.reply || /^(re|aw|sv|ตอบกลับ)\s*:/i.test(base) ? base : `Re: ${base}`;
  return `${line} [${ref}]`;
}
