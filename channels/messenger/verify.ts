// Meta signs every webhook: X-Hub-Signature-256 is "sha256=" and the hex HMAC-SHA256 of the raw body,
// keyed by the app secret. Subscribing, Meta sends back the verify token the admin typed. Both are
// compared in constant time; anything missing fails closed.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings (their lengths may differ). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // Comparing against itself keeps the time independent of where a shorter guess stops.
  return x.length === y.length ? timingSafeEqual(x, y) : (timingSafeEqual(y, y), false);
}

/** The header Meta would send for `rawBody` under `appSecret`. */
export const messengerSignature = (appSecret: string, rawBody: Buffer): string =>
  `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;

/** True only when `header` is the app's signature of exactly these bytes. No secret, no header, no body: false. */
export function verifyMessengerSignature(appSecret: string, header: string | undefined, rawBody: Buffer | undefined): boolean {
  if (!appSecret || !header || !rawBody) return false;
  return sameText(header.trim().toLowerCase(), messengerSignature(appSecret, rawBody));
}

/** True only when the verify token Meta sent is the account's. */
export function verifyMessengerToken(expected: string, given: unknown): boolean {
  if (!expected || typeof given !== 'string' || given.length === 0) return false;
  return sameText(given, expected);
}
