// Pure helpers for message lists: merging without duplicates, ordering, and list previews.
import type { MessageStatusEvent } from '../../server/realtime/contract.js';
import type { Conversation, Message, MessageStatus } from '../../server/domain/types.js';
import type { Translate } from './i18n';

// How far a message has got. A copy from an HTTP response can be older than a status event that
// arrived first over the socket; the further status wins.
const progress: Record<MessageStatus, number> = { received: 0, queued: 1, sent: 2, failed: 2, delivered: 3, read: 4 };

const byTime = (a: Message, b: Message) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Two copies of one message (an HTTP answer, a socket event) in either order: the later copy's
 * content and channel details (a call's record), and the further delivery state of the two.
 */
function mergeCopies(known: Message, incoming: Message): Message {
  const latest = incoming.updatedAt >= known.updatedAt ? incoming : known;
  const [was, now] = [progress[known.status], progress[incoming.status]];
  // Sent and failed are as far as each other (a carrier can fail a sent SMS): then the later copy says.
  const further = was > now ? known : now > was ? incoming : latest;
  if (latest === further) return latest;
  const { status, providerMessageId, errorCode, errorMessage } = further;
  return { ...latest, status, providerMessageId: providerMessageId ?? latest.providerMessageId, errorCode, errorMessage };
}

/** Merges messages by id, keeping the further delivery status and the later details, in time order. */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) {
    const known = byId.get(m.id);
    byId.set(m.id, known ? mergeCopies(known, m) : m);
  }
  return [...byId.values()].sort(byTime);
}

/** A `message:status` event applied to the message it names (delivery state, provider error, channel details). */
export function applyStatus(messages: Message[], event: MessageStatusEvent): Message[] {
  return messages.map((m) => (m.id === event.id ? mergeCopies(m, { ...m, ...event }) : m));
}

/** One line for the conversation list. */
export function previewOf(m: Message, t: Translate): string {
  const text = m.text.trim() || (m.parts.some((p) => p.type === 'image') ? t('previewImage') : t('previewFile'));
  return m.private ? t('previewNote', { text }) : text;
}

/** The newer of two copies of one conversation (a list refetch and a live event can cross). */
export const newer = (a: Conversation, b: Conversation): Conversation => (b.updatedAt > a.updatedAt ? b : a);
