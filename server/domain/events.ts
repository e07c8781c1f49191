// Domain events: what happened, emitted after the transaction that made it true has committed.
import type { SlaStatus } from './routing/sla.js';
import type { SlaClockName } from './routing/sla-watch.js';
import type { Offer, Presence } from './routing/types.js';
import type { Conversation, Message } from './types.js';

export type DomainEvent =
  | { type: 'conversation.created'; conversation: Conversation }
  | { type: 'conversation.updated'; conversation: Conversation; previous: Conversation }
  | { type: 'message.created'; message: Message; conversation: Conversation }
  | { type: 'message.status'; message: Message; conversation: Conversation }
  | { type: 'outbox.enqueued'; messageId: string }
  | { type: 'offer.created'; offer: Offer; conversation: Conversation }
  | { type: 'offer.ended'; offer: Offer; reason: 'accepted' | 'declined' | 'timed_out' | 'withdrawn' }
  | { type: 'routing.config_changed' }
  | { type: 'presence.changed'; agentId: string; presence: Presence; reason: string | null; since: number }
  /** An SLA clock turned to warning or breached, or one that had stopped (met or missed) after a warning. */
  | { type: 'sla.changed'; conversation: Conversation; status: SlaStatus; which: SlaClockName }
  /**
   * A customer's profile, identities or consent changed, or the profile was merged into another
   * (`mergedInto`). `conversationIds`: their unresolved conversations, whose viewers should refresh.
   */
  | { type: 'customer.updated'; customerId: string; mergedInto: string | null; conversationIds: string[] }
  /** An admin added, changed or removed a channel account (mail readers restart with the new settings). */
  | { type: 'channel_accounts.changed'; accountId: string }
  /** Sign-in tokens were revoked (logout, password change, deactivation): their live sockets close on every node. */
  | { type: 'sessions.revoked'; match: SessionMatch };

/** Which live sessions a revocation ends: one token, or all of a user's (optionally but one). */
export interface SessionMatch {
  tokenHash?: string;
  userId?: string;
  exceptTokenHash?: string;
}

export type DomainEventType = DomainEvent['type'];
