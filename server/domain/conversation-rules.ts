// Pure decisions about conversations, given state and a clock.
import { htmlToText } from './html-text.js';
import type { Conversation, MessagePart } from './types.js';

export type ConversationChoice =
  { action: 'append'; conversation: Conversation } | { action: 'reopen'; conversation: Conversation } | { action: 'create' };

/**
 * Where an inbound message goes: the customer's unresolved conversation on that channel account,
 * else the last resolved one if it was resolved within the reopen window, else a new conversation.
 */
export function chooseConversation(
  unresolved: Conversation | undefined,
  lastResolved: Conversation | undefined,
  now: number,
  reopenWindowMs: number,
): ConversationChoice {
  if (unresolved) return { action: 'append', conversation: unresolved };
  if (lastResolved?.resolvedAt != null && now - lastResolved.resolvedAt <= reopenWindowMs) {
    return { action: 'reopen', conversation: lastResolved };
  }
  return { action: 'create' };
}

/**
 * Plain text of a message's parts, for search and previews. An email's HTML body stands in for its
 * text only when the message has no text part (a mail's text/plain alternative says the same).
 */
export function textOf(parts: MessagePart[]): string {
  const hasText = parts.some((p) => p.type === 'text');
  return parts
    .flatMap((p) => {
      switch (p.type) {
        case 'text':
          return [p.text];
        case 'html':
          return hasText ? [] : [htmlToText(p.html)];
        case 'image':
        case 'file':
          return [`[${p.type}: ${p.filename}]`];
      }
    })
    .join('\n')
    .slice(0, 20_000);
}

/** The attachments a message's parts refer to. */
export function attachmentIdsOf(parts: MessagePart[]): string[] {
  return parts.flatMap((p) => (p.type === 'image' || p.type === 'file' ? [p.attachmentId] : []));
}
