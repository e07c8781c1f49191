// One place that maps each domain event to the socket rooms that should hear of it (Chatwoot's
// listener idea). Pure: easy to table-test, and the gateway stays a thin relay.
import type { DomainEvent } from '../domain/events.js';
import type { Offer, Presence } from '../domain/routing/types.js';
import type { Conversation, Message } from '../domain/types.js';
import { DEFAULT_QUEUE_ROOM, type CustomerUpdatedEvent, type MessageStatusEvent, type SlaChangedEvent } from './contract.js';

export type Broadcast =
  | { event: 'offer:new'; payload: { offer: Offer; conversation: Conversation }; rooms: string[] }
  | { event: 'offer:ended'; payload: { offer: Offer; reason: 'accepted' | 'declined' | 'timed_out' | 'withdrawn' }; rooms: string[] }
  | { event: 'presence:changed'; payload: { agentId: string; presence: Presence; reason: string | null; since: number }; rooms: string[] }
  | { event: 'conversation:created' | 'conversation:updated'; payload: Conversation; rooms: string[] }
  | { event: 'message:created'; payload: Message; rooms: string[] }
  | { event: 'message:status'; payload: MessageStatusEvent; rooms: string[] }
  | { event: 'sla:changed'; payload: SlaChangedEvent; rooms: string[] }
  | { event: 'customer:updated'; payload: CustomerUpdatedEvent; rooms: string[] };

/** Where a conversation is listed: its assignee's room, else the room of the queue it waits in. */
const homeRoom = (c: Conversation): string =>
  c.assigneeId ? `agent:${c.assigneeId}` : c.queueId ? `queue:${c.queueId}` : DEFAULT_QUEUE_ROOM;

/** Rooms that follow a conversation: its own room, supervisors, and its assignee or its queue. */
export function roomsOf(c: Conversation, previous?: Conversation): string[] {
  const rooms = new Set([`conversation:${c.id}`, 'supervisors', homeRoom(c)]);
  // Where it was listed before must hear that it left: the agent who lost it, or the queue it waited in.
  if (previous) rooms.add(homeRoom(previous));
  return [...rooms];
}

export function roomsForEvent(event: DomainEvent): Broadcast | undefined {
  switch (event.type) {
    case 'conversation.created':
      return { event: 'conversation:created', payload: event.conversation, rooms: roomsOf(event.conversation) };
    case 'conversation.updated':
      return { event: 'conversation:updated', payload: event.conversation, rooms: roomsOf(event.conversation, event.previous) };
    case 'message.created':
      return { event: 'message:created', payload: event.message, rooms: roomsOf(event.conversation) };
    case 'message.status': {
      const m = event.message;
      return {
        event: 'message:status',
        payload: {
          id: m.id,
          conversationId: m.conversationId,
          status: m.status,
          providerMessageId: m.providerMessageId,
          errorCode: m.errorCode,
          errorMessage: m.errorMessage,
          meta: m.meta ?? null,
          updatedAt: m.updatedAt,
        },
        rooms: roomsOf(event.conversation),
      };
    }
    case 'offer.created':
      return {
        event: 'offer:new',
        payload: { offer: event.offer, conversation: event.conversation },
        rooms: [`agent:${event.offer.agentId}`, 'supervisors'],
      };
    case 'offer.ended':
      return {
        event: 'offer:ended',
        payload: { offer: event.offer, reason: event.reason },
        rooms: [`agent:${event.offer.agentId}`, 'supervisors'],
      };
    case 'presence.changed': {
      const { type: _t, ...payload } = event;
      return { event: 'presence:changed', payload, rooms: [`agent:${event.agentId}`, 'supervisors'] };
    }
    case 'sla.changed':
      return {
        event: 'sla:changed',
        payload: { conversation: event.conversation, status: event.status, which: event.which },
        rooms: roomsOf(event.conversation),
      };
    case 'customer.updated':
      return {
        event: 'customer:updated',
        payload: { customerId: event.customerId, mergedInto: event.mergedInto },
        rooms: ['supervisors', ...event.conversationIds.map((id) => `conversation:${id}`)],
      };
    case 'channel_accounts.changed':
    case 'outbox.enqueued':
    case 'routing.config_changed':
    case 'sessions.revoked':
      return undefined;
  }
}
