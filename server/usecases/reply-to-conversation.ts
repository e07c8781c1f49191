// An agent's reply or private note. A reply is written with its outbox row in one transaction, so
// it is sent even if the process dies right after answering the request.
import { canViewConversation, type Actor } from '../domain/policy.js';
import { attachmentIdsOf, textOf } from '../domain/conversation-rules.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import { optOutRefusal } from '../domain/consent.js';
import { messengerWindowEndsAt, messengerWindowRefusal } from '../domain/messenger-window.js';
import type { Conversation, Message, MessagePart } from '../domain/types.js';
import type { MessageMeta } from '../domain/email.js';
import type { Deps } from './deps.js';

export interface ReplyInput {
  conversationId: string;
  actor: Actor;
  parts: MessagePart[];
  /** A private note: visible to agents only, never sent to the customer. */
  private: boolean;
  /** Where the reply came from, when not the console (a Slack thread). */
  meta?: MessageMeta;
  /**
   * The provider event this reply answers (a Slack event id): recorded in the reply's transaction, so
   * a redelivered event writes nothing and fails with DUPLICATE_EVENT.
   */
  once?: { source: string; key: string };
}

/** The `details.reason` of the CONFLICT a redelivered event (`ReplyInput.once`) gets. */
export const DUPLICATE_EVENT = 'duplicate_event';

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
      if (input.once && !(await tx.processedEvents.claim(input.once.source, input.once.key, deps.now()))) {
        throw new AppError('CONFLICT', 'this event was already handled', { reason: DUPLICATE_EVENT });
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
          meta: input.meta ?? null,
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
