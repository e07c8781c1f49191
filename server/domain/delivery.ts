// A sent message's delivery state only moves forward, whatever order the provider's reports arrive in.
import type { MessageStatus } from './types.js';

const RANK: Record<MessageStatus, number> = { received: 0, queued: 1, sent: 2, failed: 3, delivered: 4, read: 5 };

/**
 * Whether a provider's report `incoming` should replace the stored status `current` of an outbound
 * message: reports only move it forward (a late "sent" never undoes "delivered"); a failure counts
 * unless the message was already delivered or read; a repeat changes nothing.
 */
export function advancesDelivery(current: MessageStatus, incoming: MessageStatus): boolean {
  if (current === incoming || incoming === 'received') return false;
  return RANK[incoming] > RANK[current];
}
