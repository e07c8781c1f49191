// Meta's Messenger webhook as Omnidesk reads it (pure: no I/O). One POST carries entries, one per
// page, each with messaging events: a customer's message (text, attachments, a quick reply), a
// postback (a button pressed), our own messages echoed back, and delivery and read receipts. The
// attachments are listed as pending and fetched after Meta has its 200.
import { z } from 'zod';
import type { MessengerMedia, MessengerMeta } from '../../server/domain/messenger.js';
import type { InboundMessage, MessagePart } from '../../server/domain/types.js';

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** At most this many attachments per message are kept (Meta sends a handful). */
export const MAX_MEDIA = 10;

const Id = z.string().regex(/^\d{1,30}$/, 'not a Facebook id');
const Mid = z.string().min(1).max(500);
const Attachment = z.object({
  type: z.string().max(40),
  payload: z
    .object({ url: z.string().max(4000).optional(), title: z.string().max(1000).optional(), sticker_id: z.number().optional() })
    .nullish(),
  title: z.string().max(1000).optional(),
});
const Messaging = z.object({
  sender: z.object({ id: Id }),
  recipient: z.object({ id: Id }),
  timestamp: z.number().int().nonnegative().optional(),
  message: z
    .object({
      mid: Mid,
      text: z.string().max(20_000).optional(),
      is_echo: z.boolean().optional(),
      quick_reply: z.object({ payload: z.string().max(1000) }).optional(),
      attachments: z.array(Attachment).max(50).optional(),
    })
    .optional(),
  postback: z
    .object({ mid: Mid.optional(), title: z.string().max(1000).default(''), payload: z.string().max(1000).default('') })
    .optional(),
  delivery: z.object({ mids: z.array(Mid).max(1000).default([]), watermark: z.number().int().nonnegative() }).optional(),
  read: z.object({ watermark: z.number().int().nonnegative() }).optional(),
});
export const MessengerWebhook = z.object({
  object: z.string().max(40),
  entry: z.array(z.object({ id: Id, time: z.number().optional(), messaging: z.array(Messaging).max(1000).optional() })).max(1000),
});

export interface IncomingMessenger {
  mid: string;
  psid: string;
  pageId: string;
  sentAt: number;
  text: string;
  media: { type: MessengerMedia['type']; url: string }[];
  /** Attachments of kinds not stored (a location, a template, a link preview), said in words. */
  notes: string[];
  quickReply?: string;
  postback?: { title: string; payload: string };
}

export interface MessengerEvents {
  messages: IncomingMessenger[];
  /** Our messages Meta delivered (by mid). */
  deliveries: { psid: string; mids: string[] }[];
  /** The customer read everything we sent before `watermark` (epoch ms). */
  reads: { psid: string; watermark: number }[];
  /** Events not acted on, and why (logged). */
  ignored: string[];
}

const issuesOf = (err: z.ZodError) => err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'file']);

/** Reads a webhook body for the page `pageId`; events of another page are ignored (and named). */
export function parseMessengerWebhook(body: unknown, pageId: string, now: number): Parsed<MessengerEvents> {
  const parsed = MessengerWebhook.safeParse(body);
  if (!parsed.success) return { ok: false, reason: issuesOf(parsed.error) };
  if (parsed.data.object !== 'page') return { ok: false, reason: `object: "${parsed.data.object}" is not a page subscription` };
  const events: MessengerEvents = { messages: [], deliveries: [], reads: [], ignored: [] };
  for (const entry of parsed.data.entry) {
    if (entry.id !== pageId) {
      events.ignored.push(`an entry for page ${entry.id}, not this account's page`);
      continue;
    }
    for (const m of entry.messaging ?? []) {
      const psid = m.sender.id;
      const sentAt = m.timestamp ?? now;
      if (m.message) {
        // Our own sends (from Omnidesk or the page inbox) come back as echoes: never a customer message.
        if (m.message.is_echo) {
          events.ignored.push(`echo of ${m.message.mid}`);
          continue;
        }
        const media: IncomingMessenger['media'] = [];
        const notes: string[] = [];
        for (const a of m.message.attachments ?? []) {
          const url = a.payload?.url;
          if (MEDIA_TYPES.has(a.type) && url && media.length < MAX_MEDIA) media.push({ type: a.type as MessengerMedia['type'], url });
          else
            notes.push(
              `[${a.type}${a.title || a.payload?.title ? `: ${a.title ?? a.payload?.title}` : ''}${url && !MEDIA_TYPES.has(a.type) ? ` ${url}` : ''}]`,
            );
        }
        events.messages.push({
          mid: m.message.mid,
          psid,
          pageId,
          sentAt,
          text: m.message.text ?? '',
          media,
          notes,
          ...(m.message.quick_reply && { quickReply: m.message.quick_reply.payload }),
        });
      } else if (m.postback) {
        const { title, payload } = m.postback;
        events.messages.push({
          // Older postbacks carry no mid: the sender and time name them, as Meta sends them again with both.
          mid: m.postback.mid ?? `postback:${psid}:${sentAt}`,
          psid,
          pageId,
          sentAt,
          text: title || payload,
          media: [],
          notes: [],
          postback: { title, payload },
        });
      } else if (m.delivery) {
        if (m.delivery.mids.length > 0) events.deliveries.push({ psid, mids: m.delivery.mids });
      } else if (m.read) {
        events.reads.push({ psid, watermark: m.read.watermark });
      } else {
        events.ignored.push(
          `an event of a kind not handled (${Object.keys(m)
            .filter((k) => !['sender', 'recipient', 'timestamp'].includes(k))
            .join(', ')})`,
        );
      }
    }
  }
  return { ok: true, value: events };
}

/** The message as the ingest pipeline takes it: the text now, the attachments pending (see MessengerMeta.media). */
export function toInboundMessage(channelAccountId: string, m: IncomingMessenger): InboundMessage {
  const media: MessengerMedia[] = m.media.map((x) => ({ type: x.type, url: x.url, state: 'pending' }));
  const text = [m.text, ...m.notes].filter((t) => t !== '').join('\n');
  const parts: MessagePart[] = [{ type: 'text', text }];
  const meta: MessengerMeta = {
    psid: m.psid,
    pageId: m.pageId,
    ...(media.length > 0 && { media }),
    ...(m.quickReply !== undefined && { quickReply: { payload: m.quickReply } }),
    ...(m.postback && { postback: m.postback }),
  };
  return {
    channelAccountId,
    channelKind: 'messenger',
    providerMessageId: m.mid,
    sender: { identity: { kind: 'messenger', scope: m.pageId, value: m.psid } },
    parts,
    sentAt: m.sentAt,
    meta: { messenger: meta },
  };
}
