// An agent's reply or private note. A reply is written with its outbox row in one transaction, so
// it is sent even if the process dies right after answering the request.
import { canViewConversation, type Actor } from '../domain/policy.js';
import { attachmentIdsOf, textOf } from '../domain/conversation-rules.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import { optOutRefusal } from '../domain/consent.js';
import { messengerWindowEndsAt, messengerWindowRefusal } from '../domain/messenger-window.js';
import type { Conversation, Message, MessagePart } from '../domain/types.js';
import type { Deps } from './deps.js';

export interface ReplyInput {
  conversationId: string;
  actor: Actor;
  parts: MessagePart[];
  /** A private note: visible to agents only, never sent to the customer. */
  private: boolean;
}

export function makeReplyToConversation(deps: Deps) {
  return async function replyToConversation(input: ReplyInput): Promise<{ message: Message; conversation: Conversation }> {
    const result = await deps.store.transaction(async (tx) => {
      const conversation = await tx.conversations.findById(input.conversationId);
      if (!conversation) throw notFound('conversation');
      if (!canViewConversation(input.actor, conversation)) throw forbidden('this conversation is assigned to another agent');
      if (!input.private) {
        // A customer who opted out of SMS (STOP) gets nothing more there, replies included.
        const consent = (await tx.consents.list(conversation.customerId)).find((c) => c.channel === conversation.channelKind);
        const refusal = optOutRefusal(conversation.channelKind, consent);
        if (refusal && consent) {
          throw new AppError('CONFLICT', refusal, {
            channel: conversation.channelKind,
            optedOutAt: consent.updatedAt,
            source: consent.source,
          });
        }
        // Meta takes a page's reply only within 24 hours of the customer's last message.
        const outside = conversation.channelKind === 'messenger' && messengerWindowRefusal(conversation.lastCustomerMessageAt, deps.now());
        if (outside) {
          throw new AppError('CONFLICT', outside, {
            channel: 'messenger',
            lastCustomerMessageAt: conversation.lastCustomerMessageAt,
            replyWindowEndsAt: messengerWindowEndsAt(conversation.lastCustomerMessageAt),
          });
        }
      }
      const attachmentIds = attachmentIdsOf(input.parts);
      const attachments = await tx.attachments.findManyByIds(attachmentIds);
      if (attachments.length !== attachmentIds.length || attachments.some((a) => a.messageId !== null)) {
        throw new AppError('VALIDATION', 'an attachment does not exist or is already used by another message');
      }
      const now = deps.now();
      const message = await tx.messages.insert(
        {
          conversationId: conversation.id,
          channelAccountId: conversation.channelAccountId,
          direction: 'outbound',
          senderType: 'agent',
          senderId: input.actor.id,
          parts: input.parts,
          text: textOf(input.parts),
          private: input.private,
          providerMessageId: null,
          status: input.private ? 'sent' : 'queued',
        },
        now,
      );
      await tx.attachments.linkToMessage(attachmentIds, message.id);
      if (!input.private) await tx.outbox.enqueue(message.id, conversation.channelAccountId, now);
      const updated = (await tx.conversations.update(
        conversation.id,
        {
          lastMessageAt: now,
          firstResponseAt: input.private ? undefined : (conversation.firstResponseAt ?? now),
        },
        now,
      ))!;
      return { message, conversation: updated };
    });
    deps.events.publish({ type: 'message.created', message: result.message, conversation: result.conversation });
    if (!input.private) deps.events.publish({ type: 'outbox.enqueued', messageId: result.message.id });
    return result;
  };
}
