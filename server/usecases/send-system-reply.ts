// A message the desk itself sends the customer (an after-hours reply): written with its outbox row
// in one transaction, like an agent's reply, so it is sent even if the process dies right after.
// It is not an agent's response: the first-response clock keeps running.
import type { Stores } from '../../db/store.js';
import { notFound } from '../domain/errors.js';
import type { Conversation, Message } from '../domain/types.js';
import type { MessageMeta } from '../domain/email.js';
import type { DomainEvent } from '../domain/events.js';
import type { Deps } from './deps.js';

export interface SystemReplyInput {
  conversationId: string;
  text: string;
  /**
   * Runs first inside the transaction: false sends nothing (e.g. already sent for this occasion).
   * Whatever it writes commits with the message, or not at all.
   */
  guard?: (tx: Stores, conversation: Conversation, now: number) => Promise<boolean>;
  /** Channel details kept on the message (e.g. an SMS keyword's answer, which may reach a customer who just opted out). */
  meta?: MessageMeta;
}

/**
 * Writes a message from the desk into a conversation, queued in the outbox, and moves the conversation's
 * last message time; inside the caller's transaction. The caller publishes `events` after commit.
 */
export async function queueSystemMessage(
  tx: Stores,
  conversation: Pick<Conversation, 'id' | 'channelAccountId'>,
  text: string,
  meta: MessageMeta | null,
  now: number,
): Promise<{ message: Message; conversation: Conversation; events: DomainEvent[] }> {
  const message = await tx.messages.insert(
    {
      conversationId: conversation.id,
      channelAccountId: conversation.channelAccountId,
      direction: 'outbound',
      senderType: 'system',
      senderId: null,
      parts: [{ type: 'text', text }],
      text,
      private: false,
      providerMessageId: null,
      status: 'queued',
      meta,
    },
    now,
  );
  await tx.outbox.enqueue(message.id, conversation.channelAccountId, now);
  const updated = (await tx.conversations.update(conversation.id, { lastMessageAt: now }, now))!;
  const events: DomainEvent[] = [
    { type: 'message.created', message, conversation: updated },
    { type: 'outbox.enqueued', messageId: message.id },
  ];
  return { message, conversation: updated, events };
}

export function makeSendSystemReply(deps: Deps) {
  return async function sendSystemReply(input: SystemReplyInput): Promise<{ message: Message; conversation: Conversation } | undefined> {
    const result = await deps.store.transaction(async (tx) => {
      const conversation = await tx.conversations.findById(input.conversationId);
      if (!conversation) throw notFound('conversation');
      const now = deps.now();
      if (conversation.status === 'resolved') return undefined;
      if (input.guard && !(await input.guard(tx, conversation, now))) return undefined;
      return queueSystemMessage(tx, conversation, input.text, input.meta ?? null, now);
    });
    if (!result) return undefined;
    deps.events.publish(...result.events);
    return { message: result.message, conversation: result.conversation };
  };
}
