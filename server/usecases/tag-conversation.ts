// Agents label conversations ("refund", "ด่วน") to find and report on them. Setting the tags replaces
// the list; anyone who may see the conversation may tag it.
import { canViewConversation, type Actor } from '../domain/policy.js';
import { forbidden, notFound } from '../domain/errors.js';
import type { Conversation } from '../domain/types.js';
import type { Deps } from './deps.js';

export function makeTagConversation(deps: Deps) {
  return async function tagConversation(input: { conversationId: string; actor: Actor; tags: string[] }): Promise<Conversation> {
    // Case-folded and de-duplicated, in the order given.
    const tags = [...new Set(input.tags.map((t) => t.toLowerCase()))];
    const { conversation, previous } = await deps.store.transaction(async (tx) => {
      const previous = await tx.conversations.findById(input.conversationId);
      if (!previous) throw notFound('conversation');
      if (!canViewConversation(input.actor, previous)) throw forbidden('this conversation is assigned to another agent');
      const now = deps.now();
      const conversation = (await tx.conversations.update(previous.id, { tags }, now))!;
      await tx.audit.record(
        {
          actorType: 'user',
          actorId: input.actor.id,
          action: 'conversation.tags',
          targetType: 'conversation',
          targetId: previous.id,
          data: { from: previous.tags, to: tags },
        },
        now,
      );
      return { conversation, previous };
    });
    deps.events.publish({ type: 'conversation.updated', conversation, previous });
    return conversation;
  };
}
