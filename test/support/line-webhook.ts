// LINE's webhooks as LINE sends them: events (follow, unfollow, message...) in an envelope, signed with
// the channel secret's HMAC-SHA256 over the exact bytes (base64, X-Line-Signature), the scheme
// @line/bot-sdk's validateSignature checks.
import { createHmac, randomBytes } from 'node:crypto';

/** A webhook event as LINE sends it (message events carry `message`). */
export type LineEventJson = { webhookEventId: string; message?: { id: string }; [key: string]: unknown };

let seq = 0;
/** A fresh LINE message id (digits, as LINE's). */
export const lineMessageId = () => String(500_000_000_000_000 + Date.now() * 10 + ++seq);
/** A fresh LINE user id. */
export const lineUserId = () => `U${randomBytes(16).toString('hex')}`;

export function lineEvent(userId: string, type: string, extra: Record<string, unknown> = {}, at = Date.now()): LineEventJson {
  return {
    type,
    mode: 'active',
    timestamp: at,
    source: { type: 'user', userId },
    webhookEventId: `01H${randomBytes(12).toString('hex').toUpperCase()}`,
    deliveryContext: { isRedelivery: false },
    ...extra,
  };
}

/** A text message event, with a reply token LINE would hand out (pass the fake's). */
export const lineTextEvent = (userId: string, text: string, replyToken?: string) =>
  lineEvent(userId, 'message', { message: { id: lineMessageId(), type: 'text', text }, ...(replyToken && { replyToken }) });

/** The body LINE posts: the events in an envelope. */
export const lineEnvelope = (...events: object[]) => JSON.stringify({ destination: `U${'0'.repeat(32)}`, events });

/** X-Line-Signature of a raw body under a channel secret. */
export const lineSignature = (raw: string, channelSecret: string) =>
  createHmac('sha256', channelSecret).update(Buffer.from(raw, 'utf8')).digest('base64');

/** The headers of a signed LINE webhook (null signature: none sent). */
export const lineHeaders = (
  raw: string,
  channelSecret: string,
  signature?: string | null,
  contentType = 'application/json; charset=utf-8',
) => ({
  'content-type': contentType,
  'x-line-signature': signature === undefined ? lineSignature(raw, channelSecret) : signature,
});
