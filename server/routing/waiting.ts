// Small shared steps between the routing service and manual control.
import type { WaitingConversation } from '../domain/routing/types.js';
import type { Conversation } from '../domain/types.js';

export const once = <T>(d: T | undefined): T[] => (d ? [d] : []);

/** A queued conversation as the board holds it (sticky routing is decided at arrival, so none here). */
export function toWaiting(c: Conversation): WaitingConversation {
  return {
    id: c.id,
    queueId: c.queueId!,
    channelKind: c.channelKind,
    priority: c.priority,
    enqueuedAt: c.enqueuedAt ?? c.createdAt,
    requiredSkills: c.requiredSkills ?? [],
    sticky: null,
    refusedBy: c.refusedBy,
  };
}
