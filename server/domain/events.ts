// Domain events: what happened, emitted after the transaction that made it true has committed.
import type { Conversation, Message } from './types.js';

export type DomainEvent =
  | { type: 'conversation.created'; conversation: Conversation }
  | { type: 'conversation.updated'; conversation: Conversation; previous: Conversation }
  | { type: 'message.created'; message: Message; conversation: Conversation }
  | { type: 'message.status'; message: Message; conversation: Conversation }
  | { type: 'outbox.enqueued'; messageId: string };

export type DomainEventType = DomainEvent['type'];
