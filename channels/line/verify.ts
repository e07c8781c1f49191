// LINE signs every webhook: X-Line-Signature is the base64 HMAC-SHA256 of the raw body bytes under
// the channel secret. The SDK's validateSignature compares digests with crypto.timingSafeEqual (after
// a length check on the 32-byte digest, which reveals nothing), so it is used as is; this wrapper
// fails closed on a missing secret, a missing header or a body that is not bytes.
import { validateSignature } from '@line/bot-sdk';

/** A base64 HMAC-SHA256 digest: 32 bytes, 44 characters with padding. */
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

export function verifyLineSignature(channelSecret: string, signature: string | undefined, rawBody: unknown): boolean {
  if (!channelSecret || !signature || !SIGNATURE.test(signature) || !Buffer.isBuffer(rawBody)) return false;
  return validateSignature(rawBody, channelSecret, signature);
}
