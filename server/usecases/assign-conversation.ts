import { canAssign, type Actor } from '../domain/policy.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import type { Conversation } from '../domain/types.js';
import type { Deps } from './deps.js';

export function makeAssignConversation(deps: Deps) {
  return async function assignConversation(input: {
    conversationId: string;
    actor: Actor;
    assigneeId: string | null;
  }): Promise<Conversation> {
    const { conversation, previous } = await deps.store.transaction(async (tx) => {
      const previous = await tx.conversations.findById(input.conversationId);
      if (!previous) throw notFound('conversation');
      if (!canAssign(input.actor, previous, input.assigneeId)) {
        throw forbidden('agents may only take unassigned conversations or release their own');
      }
      if (input.assigneeId) {
        const assignee = await tx.users.findById(input.assigneeId);
        if (!assignee || !assignee.active) throw new AppError('VALIDATION', 'assignee is not an active user');
      }
      const now = deps.now();
      const conversation = (await tx.conversations.update(previous.id, { assigneeId: input.assigneeId }, now))!;
      await tx.audit.record(
        {
          actorType: 'user',
          actorId: input.actor.id,
          action: 'conversation.assign',
          targetType: 'conversation',
          targetId: previous.id,
          data: { from: previous.assigneeId, to: input.assigneeId },
        },
        now,
      );
      return { conversation, previous };
    });
    deps.events.publish({ type: 'conversation.updated', conversation, previous });
    return conversation;
  };
}
