// The one typed event contract for socket.io, shared by the server, the agent console and tests.
// Types only: the browser bundles import this file without pulling server code.
import type { SlaStatus } from '../domain/routing/sla.js';
import type { SlaClockName } from '../domain/routing/sla-watch.js';
import type { Offer, Presence } from '../domain/routing/types.js';
import type { QueueStatsMessage } from '../domain/routing/stats-delta.js';
import type { Conversation, Message, MessageStatus } from '../domain/types.js';
import type { MessageMeta } from '../domain/email.js';
import type { VisitorMessage } from '../../channels/web-chat/visitor-message.js';

export type { VisitorMessage };

export type AckError = { ok: false; error: { code: string; message: string } };
export type Ack<T extends object = object> = ({ ok: true } & T) | AckError;
export type AckFn<T extends object = object> = (response: Ack<T>) => void;

/**
 * A stored message changed after it was created: its delivery state (sent, delivered, read, failed
 * with the provider's coded error) or its channel details (a call's record while the call goes on).
 * Carries the delivery fields and `meta`, never the content (parts, text).
 */
export interface MessageStatusEvent {
  id: string;
  conversationId: string;
  status: MessageStatus;
  providerMessageId: string | null;
  /**
   * Set when `status` is `failed`: the outbox's TEMPORARY or RATE_LIMITED (retries ran out), AUTH,
   * INVALID_PAYLOAD, PERMANENT; BOUNCED (email); or a provider's later report (UNDELIVERED…). Set on a
   * `queued` message while the outbox tries again after a TEMPORARY or RATE_LIMITED answer (its last one).
   */
  errorCode: string | null;
  /** The provider's words, with its own code: "Twilio 21211: Invalid 'To' Phone Number". */
  errorMessage: string | null;
  /** The message's channel details as they are now (`message.meta`). */
  meta: MessageMeta | null;
  /** When the message last changed: a copy read earlier does not undo this. */
  updatedAt: number;
}

export interface SlaChangedEvent {
  conversation: Conversation;
  status: SlaStatus;
  which: SlaClockName;
}

/** A customer's profile changed (or was merged into `mergedInto`): whoever shows it should load it again. */
export interface CustomerUpdatedEvent {
  customerId: string;
  mergedInto: string | null;
}

export interface TypingEvent {
  conversationId: string;
  from: 'customer' | 'agent';
  userId: string | null;
  name: string | null;
  typing: boolean;
}

/** Rooms: `agent:<userId>`, `conversation:<id>`, `queue:<id>`, `supervisors`. Visitors have their own. */
export type RoomName = `agent:${string}` | `conversation:${string}` | `queue:${string}` | 'supervisors';

export interface ServerToClientEvents {
  // Agent and supervisor sockets
  'conversation:created': (conversation: Conversation) => void;
  'conversation:updated': (conversation: Conversation) => void;
  'message:created': (message: Message) => void;
  'message:status': (status: MessageStatusEvent) => void;
  typing: (event: TypingEvent) => void;
  /** Who has the conversation open now (agents and supervisors in its room, on any node), after each join or leave. */
  'conversation:viewers': (event: { conversationId: string; viewers: { id: string; name: string }[] }) => void;
  'session:expired': (info: { reason: 'expired' | 'revoked' }) => void;
  /** A conversation is offered to this agent: accept or decline before `offer.expiresAt`. */
  'offer:new': (event: { offer: Offer; conversation: Conversation }) => void;
  'offer:ended': (event: { offer: Offer; reason: 'accepted' | 'declined' | 'timed_out' | 'withdrawn' }) => void;
  'presence:changed': (event: { agentId: string; presence: Presence; reason: string | null; since: number }) => void;
  /** Supervisors: live queue statistics, the full report on joining, then deltas (fold each with applyQueueStatsMessage). */
  'queue:stats': (stats: QueueStatsMessage) => void;
  /** An SLA clock warned or breached (or, after a warning, stopped: met or missed); `conversation.slaStatus` is the overall state. */
  'sla:changed': (event: SlaChangedEvent) => void;
  /** Sent to the rooms of the customer's unresolved conversations and to supervisors. */
  'customer:updated': (event: CustomerUpdatedEvent) => void;
  // Web chat visitor sockets
  'visitor:message': (message: VisitorMessage, ack: (received: boolean) => void) => void;
  'visitor:typing': (event: { typing: boolean; name: string | null }) => void;
}

export interface ClientToServerEvents {
  // Agent and supervisor sockets
  'room:join': (request: { room: string }, ack: AckFn) => void;
  'room:leave': (request: { room: string }, ack: AckFn) => void;
  'agent:typing': (event: { conversationId: string; typing: boolean }) => void;
  'presence:set': (request: { presence: Presence; reason?: string }, ack: AckFn) => void;
  'offer:accept': (request: { conversationId: string }, ack: AckFn<{ conversation: Conversation }>) => void;
  'offer:decline': (request: { conversationId: string }, ack: AckFn) => void;
  // Web chat visitor sockets
  'visitor:send': (
    message: { clientMessageId: string; text?: string; attachmentIds?: string[] },
    ack: AckFn<{ message: VisitorMessage; duplicate: boolean }>,
  ) => void;
  'visitor:typing': (event: { typing: boolean }) => void;
  'visitor:history': (request: { after?: string }, ack: AckFn<{ messages: VisitorMessage[] }>) => void;
  /** A score (1-5) pressed under a satisfaction survey message (`VisitorMessage.csat`). */
  'visitor:csat': (answer: { messageId: string; score: number }, ack: AckFn<{ score: number }>) => void;
}

export const DEFAULT_QUEUE_ROOM = 'queue:default';
