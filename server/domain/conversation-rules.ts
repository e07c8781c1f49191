// Pure decisions about conversations, given state and a clock.
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

/** Plain text of a message's parts, for search and previews. */
export function textOf(parts: MessagePart[]): string {
  return parts
    .map((p) => (p.type === 'text' ? p.text : `[${p.type}: ${p.filename}]`))
    .join('\n')
    .slice(0, 20_000);
}
