// Twilio's messaging webhooks as Omnidesk reads them: an incoming SMS/MMS becomes an InboundMessage
// (pure: no I/O; the MMS media are listed as pending and fetched after Twilio has its answer), and a
// status callback becomes a delivery state. Both take the parameters after the signature was checked.
import { z } from 'zod';
import { phoneIdentity } from '../../server/domain/identity.js';
import type { SmsMedia, SmsMeta } from '../../server/domain/sms.js';
import type { InboundMessage, MessageStatus } from '../../server/domain/types.js';
import { smsKeyword } from './keywords.js';

export type Params = Record<string, string>;
type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Twilio's ids: two letters and 32 hex digits (SM…/MM… for messages). */
const Sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `not a Twilio ${prefix}… id`);
/** Twilio allows 10 media per MMS. */
export const MAX_MEDIA = 10;

const IncomingSms = z.object({
  MessageSid: Sid('(SM|MM)'),
  AccountSid: Sid('AC'),
  From: z.string().min(1).max(64),
  To: z.string().min(1).max(64),
  Body: z.string().max(10_000).default(''),
  NumMedia: z.coerce.number().int().min(0).max(MAX_MEDIA).default(0),
});

export interface IncomingSms {
  messageSid: string;
  /** The sender, E.164. */
  from: string;
  to: string;
  body: string;
  media: { url: string; declaredType: string }[];
  keyword: ReturnType<typeof smsKeyword>;
}

const issuesOf = (err: z.ZodError) => err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/** Reads an incoming-message webhook of the account `accountSid`. */
export function parseIncomingSms(params: Params, accountSid: string): Parsed<IncomingSms> {
  const parsed = IncomingSms.safeParse(params);
  if (!parsed.success) return { ok: false, reason: issuesOf(parsed.error) };
  const p = parsed.data;
  if (p.AccountSid !== accountSid) return { ok: false, reason: 'AccountSid: not the Twilio account of this channel account' };
  // Twilio sends E.164 already; normalizing keeps one key per person across channels (a phone typed by an agent).
  const from = phoneIdentity(p.From);
  if (!from.ok) return { ok: false, reason: `From: ${from.reason}` };
  const media: IncomingSms['media'] = [];
  for (let i = 0; i < p.NumMedia; i++) {
    const url = params[`MediaUrl${i}`];
    if (!url) return { ok: false, reason: `MediaUrl${i}: missing (NumMedia is ${p.NumMedia})` };
    media.push({ url: url.slice(0, 2000), declaredType: (params[`MediaContentType${i}`] ?? 'application/octet-stream').slice(0, 100) });
  }
  return {
    ok: true,
    value: { messageSid: p.MessageSid, from: from.identity.value, to: p.To, body: p.Body, media, keyword: smsKeyword(p.Body) },
  };
}

/** The message as the ingest pipeline takes it: the text now, the media pending (see SmsMeta.media). */
export function toInboundMessage(channelAccountId: string, sms: IncomingSms, now: number): InboundMessage {
  const media: SmsMedia[] = sms.media.map((m) => ({ url: m.url, declaredType: m.declaredType, state: 'pending' }));
  const meta: SmsMeta = { from: sms.from, to: sms.to, ...(media.length > 0 && { media }), ...(sms.keyword && { keyword: sms.keyword }) };
  return {
    channelAccountId,
    channelKind: 'sms',
    providerMessageId: sms.messageSid,
    sender: { identity: { kind: 'phone', scope: '', value: sms.from } },
    parts: [{ type: 'text', text: sms.body }],
    sentAt: now,
    meta: { sms: meta },
  };
}

/** Twilio's message states that say something new about a message we sent (queued, sending… say nothing new). */
const STATUS: Record<string, MessageStatus> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/** Twilio's delivery error codes agents meet most, in words (https://www.twilio.com/docs/api/errors). */
const DELIVERY_ERRORS: Record<string, string> = {
  '30001': 'queue overflow',
  '30002': 'account suspended',
  '30003': 'unreachable destination handset (off, or out of coverage)',
  '30004': 'message blocked by the recipient or their carrier',
  '30005': 'unknown destination handset',
  '30006': 'landline or unreachable carrier',
  '30007': 'filtered by the carrier as spam',
  '30008': 'unknown error',
};

export interface SmsStatusReport {
  messageSid: string;
  /** null: a state that changes nothing here (queued, sending, accepted…). */
  status: MessageStatus | null;
  errorCode: string | null;
  errorMessage: string | null;
}

const StatusCallback = z.object({
  MessageSid: Sid('(SM|MM)'),
  MessageStatus: z
    .string()
    .max(40)
    .regex(/^[a-z_]+$/),
  ErrorCode: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional(),
  ErrorMessage: z.string().max(500).optional(),
});

/** Reads a status callback: a message's new state, with Twilio's error code when it failed. */
export function parseSmsStatus(params: Params): Parsed<SmsStatusReport> {
  const parsed = StatusCallback.safeParse(params);
  if (!parsed.success) return { ok: false, reason: issuesOf(parsed.error) };
  const p = parsed.data;
  const status = STATUS[p.MessageStatus] ?? null;
  if (status !== 'failed') return { ok: true, value: { messageSid: p.MessageSid, status, errorCode: null, errorMessage: null } };
  const code = p.ErrorCode && p.ErrorCode !== '0' ? p.ErrorCode : null;
  const words = p.ErrorMessage ?? (code ? DELIVERY_ERRORS[code] : undefined) ?? `the message was ${p.MessageStatus}`;
  return {
    ok: true,
    value: {
      messageSid: p.MessageSid,
      status,
      errorCode: p.MessageStatus.toUpperCase(),
      errorMessage: code ? `Twilio ${code}: ${words}` : `Twilio: ${words}`,
    },
  };
}
