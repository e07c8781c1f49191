// Twilio signs every webhook it sends (X-Twilio-Signature: HMAC-SHA1 of the URL it called and the
// sorted form parameters, keyed by the account's auth token). The SDK's validateRequest computes it
// and compares in constant time (crypto.timingSafeEqual after a length check on the fixed-length
// signature); it also tries the URL with and without the default port, as Twilio signs either.
import twilio from 'twilio';

export type TwilioParams = Record<string, string | string[]>;

/**
 * True only when `signatureHeader` is Twilio's signature of `url` and `params` under `authToken`.
 * Fails closed: no header, no token (anyone can compute an HMAC with an empty key), or a URL the
 * SDK cannot parse are all false.
 */
export function verifyTwilioSignature(authToken: string, signatureHeader: string | undefined, url: string, params: TwilioParams): boolean {
  if (!authToken || !signatureHeader || !url) return false;
  try {
    return twilio.validateRequest(authToken, signatureHeader, url, params);
  } catch {
    return false;
  }
}
