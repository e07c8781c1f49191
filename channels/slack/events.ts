// What Slack's Events API sends to the request URL, validated and reduced to what the desk acts on:
// the URL check (a challenge to echo) and an agent's message in a conversation's thread. Everything
// else (bot posts including our own, edits, deletions, joins, top-level channel chatter) is ignored.
import { z } from 'zod';

const UrlVerification = z.object({ type: z.literal('url_verification'), challenge: z.string().min(1).max(200) });

const MessageEvent = z.object({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: z.string().min(1).max(32),
  user: z.string().max(32).optional(),
  bot_id: z.string().optional(),
  text: z.string().max(40_000).default(''),
  ts: z.string().regex(/^\d{1,12}\.\d{1,8}$/),
  thread_ts: z
    .string()
    .regex(/^\d{1,12}\.\d{1,8}$/)
    .optional(),
  files: z.array(z.unknown()).optional(),
});

const EventCallback = z.object({
  type: z.literal('event_callback'),
  team_id: z.string().max(32).optional(),
  event_id: z.string().min(1).max(64),
  event_time: z.number().optional(),
  event: z.object({ type: z.string() }).passthrough(),
});

export interface SlackThreadReply {
  kind: 'thread_reply';
  eventId: string;
  channel: string;
  threadTs: string;
  ts: string;
  user: string;
  text: string;
  /** The agent attached files, which the desk does not pass on from Slack. */
  hasFiles: boolean;
}

export type SlackInbound = { kind: 'challenge'; challenge: string } | SlackThreadReply | { kind: 'ignored'; reason: string };

/** Message subtypes that are an agent writing (a plain message, one with files, one also sent to the channel). */
const AGENT_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

/** Reads one Events API body; throws a ZodError when it is not one Slack sends. */
export function parseSlackEvent(body: unknown): SlackInbound {
  const type = (body as { type?: unknown } | null)?.type;
  if (type === 'url_verification') return { kind: 'challenge', challenge: UrlVerification.parse(body).challenge };
  if (type !== 'event_callback') {
    z.object({ type: z.string() }).parse(body);
    return { kind: 'ignored', reason: `envelope ${String(type)}` };
  }
  const envelope = EventCallback.parse(body);
  if (envelope.event.type !== 'message') return { kind: 'ignored', reason: `event ${envelope.event.type}` };
  const event = MessageEvent.parse(envelope.event);
  if (event.bot_id || event.subtype === 'bot_message') return { kind: 'ignored', reason: 'a bot wrote it' };
  if (!AGENT_SUBTYPES.has(event.subtype)) return { kind: 'ignored', reason: `message ${event.subtype}` };
  if (!event.user) return { kind: 'ignored', reason: 'no user' };
  if (!event.thread_ts || event.thread_ts === event.ts) return { kind: 'ignored', reason: 'not in a thread' };
  return {
    kind: 'thread_reply',
    eventId: envelope.event_id,
    channel: event.channel,
    threadTs: event.thread_ts,
    ts: event.ts,
    user: event.user,
    text: event.text,
    hasFiles: (event.files?.length ?? 0) > 0,
  };
}
