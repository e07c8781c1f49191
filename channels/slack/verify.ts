// Slack signs every request: X-Slack-Signature is `v0=` and the hex HMAC-SHA256, under the app's
// signing secret, of `v0:<X-Slack-Request-Timestamp>:<raw body>`. Bolt's isValidSlackRequest computes
// it, compares in constant time (tsscmp) and refuses a timestamp more than five minutes old (a replay);
// this wrapper fails closed on a missing secret or header, a body that is not bytes or not UTF-8 (the
// signature covers the bytes; Bolt hashes a string), and a timestamp from the future.
import { isValidSlackRequest } from '@slack/bolt';

const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;
/** Slack's own limit, both ways: a request stamped further off than this is refused. */
const MAX_SKEW_SECONDS = 5 * 60;

export function verifySlackSignature(
  signingSecret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  rawBody: unknown,
  nowMs: number,
): boolean {
  const { signature, timestamp } = headers;
  if (!signingSecret || !signature || !SIGNATURE.test(signature) || !timestamp || !TIMESTAMP.test(timestamp)) return false;
  if (!Buffer.isBuffer(rawBody)) return false;
  const seconds = Number(timestamp);
  if (seconds - nowMs / 1000 > MAX_SKEW_SECONDS) return false;
  let body: string;
  try {
    body = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(rawBody);
  } catch {
    return false;
  }
  return isValidSlackRequest({
    signingSecret,
    body,
    headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': seconds },
    nowMilliseconds: nowMs,
  });
}
