import { canViewConversation, type Actor } from '../domain/policy.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import type { Conversation, ConversationStatus } from '../domain/types.js';
import type { Deps } from './deps.js';

export function makeChangeConversationStatus(deps: Deps) {
  return async function changeConversationStatus(input: {
    conversationId: string;
    actor: Actor;
    status: ConversationStatus;
  }): Promise<Conversation> {
    const { conversation, previous } = await deps.store.transaction(async (tx) => {
      const previous = await tx.conversations.findById(input.conversationId);
      if (!previous) throw notFound('conversation');
      if (!canViewConversation(input.actor, previous)) throw forbidden('this conversation is assigned to another agent');
      if (previous.status === 'resolved' && input.status !== 'resolved') {
        const other = await tx.conversations.findUnresolved(previous.customerId, previous.channelAccountId);
        if (other) throw new AppError('CONFLICT', `the customer already has an open conversation on this channel (${other.id})`);
      }
      const now = deps.now();
      const conversation = (await tx.conversations.update(
        previous.id,
        { status: input.status, resolvedAt: input.status === 'resolved' ? now : null },
        now,
      ))!;
      await tx.audit.record(
        {
          actorType: 'user',
          actorId: input.actor.id,
          action: 'conversation.status',
          targetType: 'conversation',
          targetId: previous.id,
          data: { from: previous.status, to: input.status },
        },
        now,
      );
      return { conversation, previous };
    });
    deps.events.publish({ type: 'conversation.updated', conversation, previous });
    return conversation;
  };
}
