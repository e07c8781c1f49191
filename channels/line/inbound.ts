// LINE's webhook events as Omnidesk reads them (pure: no I/O). The body is validated with zod after
// the signature was checked; each event becomes a customer message to ingest (text, sticker, location,
// postback, or content still at LINE, fetched after the answer), a consent change (follow / unfollow),
// or is dropped with a reason the caller logs.
import { z } from 'zod';
import type { LineContent, LineMeta } from '../../server/domain/line.js';
import type { InboundMessage, MessagePart } from '../../server/domain/types.js';

/** How long after its event a reply token is still taken (LINE: about a minute; a margin for the queue). */
export const REPLY_TOKEN_WINDOW_MS = 50_000;

const UserId = z.string().regex(/^U[0-9a-f]{32}$/, 'not a LINE user id');
const Id = z.string().regex(/^\d{1,30}$/, 'not a LINE message id');

const Base = z.object({
  webhookEventId: z.string().min(1).max(64),
  timestamp: z.number().int().nonnegative(),
  mode: z.enum(['active', 'standby']).default('active'),
  deliveryContext: z.object({ isRedelivery: z.boolean() }).default({ isRedelivery: false }),
  source: z.object({ type: z.string().max(20), userId: UserId.optional() }),
  replyToken: z.string().min(1).max(200).optional(),
});

const Message = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), id: Id, text: z.string().max(10_000) }),
  z.object({ type: z.literal('sticker'), id: Id, packageId: z.string().regex(/^\d{1,20}$/), stickerId: z.string().regex(/^\d{1,20}$/) }),
  z.object({
    type: z.enum(['image', 'video', 'audio']),
    id: Id,
    contentProvider: z.object({ type: z.enum(['line', 'external']) }).default({ type: 'line' }),
  }),
  z.object({ type: z.literal('file'), id: Id, fileName: z.string().max(500).default('file'), fileSize: z.number().optional() }),
  z.object({
    type: z.literal('location'),
    id: Id,
    title: z.string().max(500).nullish(),
    address: z.string().max(1000).nullish(),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
  }),
]);

const MessageEvent = Base.extend({ type: z.literal('message'), message: Message });
const PostbackEvent = Base.extend({ type: z.literal('postback'), postback: z.object({ data: z.string().max(300) }) });
const KnownEvent = z.discriminatedUnion('type', [
  MessageEvent,
  Base.extend({ type: z.literal('follow') }),
  Base.extend({ type: z.literal('unfollow') }),
  PostbackEvent,
]);
const KNOWN_TYPES = new Set(['message', 'follow', 'unfollow', 'postback']);

/** The envelope: who it is for and the events (checked one by one, so one odd event does not refuse the rest). */
export const LineWebhookBody = z.object({
  destination: z.string().max(64),
  events: z.array(z.record(z.string(), z.unknown())).max(100),
});

export type LineEvent =
  | { kind: 'message'; inbound: InboundMessage; userId: string; contentPending: boolean }
  | { kind: 'consent'; action: 'follow' | 'unfollow'; userId: string; webhookEventId: string; timestamp: number }
  | { kind: 'dropped'; type: string; reason: string; webhookEventId?: string };

const issuesOf = (err: z.ZodError) => err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

export const stickerUrl = (stickerId: string) =>
  `https://stickershop.line-scdn.net/stickershop/v1/sticker/${stickerId}/android/sticker.png`;

export const mapUrl = (lat: number, lng: number) => `https://www.google.com/maps?q=${lat},${lng}`;

/** The message parts and meta of a message event's content. */
function contentOf(message: z.output<typeof Message>): { parts: MessagePart[]; meta: LineMeta; pending: boolean } {
  switch (message.type) {
    case 'text':
      return { parts: [{ type: 'text', text: message.text }], meta: {}, pending: false };
    case 'sticker': {
      const url = stickerUrl(message.stickerId);
      return {
        parts: [{ type: 'text', text: `[LINE sticker ${message.packageId}/${message.stickerId}]` }],
        meta: { sticker: { packageId: message.packageId, stickerId: message.stickerId, url } },
        pending: false,
      };
    }
    case 'location': {
      const { title = null, address = null, latitude, longitude } = message;
      const lines = ['📍 ' + (title || 'Location'), ...(address ? [address] : []), mapUrl(latitude, longitude)];
      return {
        parts: [{ type: 'text', text: lines.join('\n') }],
        meta: { location: { title, address, latitude, longitude } },
        pending: false,
      };
    }
    case 'file':
      return {
        parts: [{ type: 'text', text: '' }],
        meta: { content: { type: 'file', fileName: message.fileName, state: 'pending' } },
        pending: true,
      };
    default: {
      // An image or video another service holds (contentProvider external) is not LINE's to serve.
      if (message.contentProvider.type === 'external') {
        const content: LineContent = { type: message.type, state: 'refused', reason: 'held by an external provider, not LINE' };
        return {
          parts: [{ type: 'text', text: `[LINE ${message.type} from an external provider: not downloaded]` }],
          meta: { content },
          pending: false,
        };
      }
      return { parts: [{ type: 'text', text: '' }], meta: { content: { type: message.type, state: 'pending' } }, pending: true };
    }
  }
}

/**
 * Reads one event of account `channelAccountId` (LINE channel `channelId`). A message's provider id is
 * LINE's message id; a postback's is `postback:<webhookEventId>`. Its reply token is kept (with its
 * expiry) unless the event is a redelivery, whose token LINE no longer takes.
 */
export function readLineEvent(channelAccountId: string, channelId: string, raw: Record<string, unknown>, now: number): LineEvent {
  const type = typeof raw.type === 'string' ? raw.type.slice(0, 40) : 'unknown';
  const webhookEventId = typeof raw.webhookEventId === 'string' ? raw.webhookEventId.slice(0, 64) : undefined;
  if (!KNOWN_TYPES.has(type)) return { kind: 'dropped', type, reason: 'an event type Omnidesk does not take', webhookEventId };
  const parsed = KnownEvent.safeParse(raw);
  if (!parsed.success) return { kind: 'dropped', type, reason: issuesOf(parsed.error), webhookEventId };
  const e = parsed.data;
  const userId = e.source.userId;
  if (e.source.type !== 'user' || !userId) {
    return { kind: 'dropped', type, reason: `from a ${e.source.type}, not a one-to-one chat`, webhookEventId: e.webhookEventId };
  }
  if (e.type === 'follow' || e.type === 'unfollow') {
    return { kind: 'consent', action: e.type, userId, webhookEventId: e.webhookEventId, timestamp: e.timestamp };
  }
  const token =
    e.replyToken && e.mode === 'active' && !e.deliveryContext.isRedelivery
      ? { replyToken: e.replyToken, replyTokenExpiresAt: Math.min(e.timestamp, now) + REPLY_TOKEN_WINDOW_MS }
      : {};
  const base: LineMeta = { userId, webhookEventId: e.webhookEventId, ...token };
  const sender = { identity: { kind: 'line' as const, scope: channelId, value: userId } };
  if (e.type === 'postback') {
    return {
      kind: 'message',
      userId,
      contentPending: false,
      inbound: {
        channelAccountId,
        channelKind: 'line',
        providerMessageId: `postback:${e.webhookEventId}`,
        sender,
        parts: [{ type: 'text', text: `[postback] ${e.postback.data}` }],
        sentAt: e.timestamp,
        meta: { line: { ...base, postback: { data: e.postback.data } } },
      },
    };
  }
  const { parts, meta, pending } = contentOf(e.message);
  return {
    kind: 'message',
    userId,
    contentPending: pending,
    inbound: {
      channelAccountId,
      channelKind: 'line',
      providerMessageId: e.message.id,
      sender,
      parts,
      sentAt: e.timestamp,
      meta: { line: { ...base, ...meta } },
    },
  };
}
