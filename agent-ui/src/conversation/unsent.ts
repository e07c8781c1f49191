// Replies and notes on their way to the server. A send that gets no answer (the connection dropped)
// is never dropped silently: it stays on screen as "not sent" with Retry, kept in session.ts across
// reloads. Since the request may have arrived before the connection broke, a retry first reads the
// messages stored since and sends only if no copy is there, so a message is stored exactly once.
import { useMemo, useSyncExternalStore } from 'react';
import type { Message } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { loadUnsent, saveUnsent, type ComposeMode, type DraftAttachment, type UnsentMessage } from '../session';
import { compose, isNetworkError, messagesAfter } from './conversation-api';

let unsent: UnsentMessage[] = loadUnsent();
const listeners = new Set<() => void>();

function commit(next: UnsentMessage[]): void {
  unsent = next;
  saveUnsent(next);
  for (const listener of listeners) listener();
}
const patch = (clientId: string, change: Partial<UnsentMessage>) =>
  commit(unsent.map((m) => (m.clientId === clientId ? { ...m, ...change } : m)));
const remove = (clientId: string) => commit(unsent.filter((m) => m.clientId !== clientId));

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** This agent's unsent messages in this conversation, oldest first. */
export function useUnsent(conversationId: string, userId: string): UnsentMessage[] {
  const all = useSyncExternalStore(subscribe, () => unsent);
  return useMemo(() => all.filter((m) => m.conversationId === conversationId && m.userId === userId), [all, conversationId, userId]);
}

/** Whether a stored message is the one this unsent message became. */
export function isCopyOf(stored: Message, m: UnsentMessage, meId: string): boolean {
  if (stored.conversationId !== m.conversationId || stored.senderId !== meId || stored.private !== (m.mode === 'note')) return false;
  if (stored.createdAt < m.firstTriedAt - 60_000) return false; // clocks differ a little, not by minutes
  const text = stored.parts.flatMap((p) => (p.type === 'text' ? [p.text] : []));
  const files = stored.parts.flatMap((p) => (p.type === 'image' || p.type === 'file' ? [p.attachmentId] : []));
  return (
    text.join('\n') === (m.text.trim() ? m.text : '') &&
    files.length === m.attachments.length &&
    m.attachments.every((a, i) => a.id === files[i])
  );
}

interface SendContext {
  api: Api;
  meId: string;
  /** Receives what the server stored (the console also hears it over the socket; merging is idempotent). */
  onStored: (messages: Message[]) => void;
  /** Words for a refusal the server explained. */
  describe: (err: unknown) => string;
}

async function deliver(ctx: SendContext, m: UnsentMessage): Promise<void> {
  // Any earlier attempt may have been stored even if its answer never came (or came as an error).
  const retrying = m.state === 'failed';
  patch(m.clientId, { state: 'sending', error: null });
  try {
    if (retrying) {
      const since = await messagesAfter(ctx.api, m.conversationId, m.after);
      const copy = since.find((s) => isCopyOf(s, m, ctx.meId));
      if (copy) {
        ctx.onStored(since);
        remove(m.clientId);
        return;
      }
    }
    const { message } = await compose(
      ctx.api,
      m.conversationId,
      m.mode,
      m.text,
      m.attachments.map((a) => a.id),
    );
    ctx.onStored([message]);
    remove(m.clientId);
  } catch (err) {
    patch(m.clientId, { state: 'failed', error: isNetworkError(err) ? null : ctx.describe(err) });
  }
}

let counter = 0;

/** Sends a reply or note; it shows as unsent until the server has stored it. */
export function send(
  ctx: SendContext,
  draft: { conversationId: string; mode: ComposeMode; text: string; attachments: DraftAttachment[]; after: string | undefined },
): Promise<void> {
  const m: UnsentMessage = {
    ...draft,
    userId: ctx.meId,
    clientId: `${Date.now().toString(36)}-${(counter++).toString(36)}`,
    firstTriedAt: Date.now(),
    state: 'sending',
    error: null,
  };
  commit([...unsent, m]);
  return deliver(ctx, m);
}

/** Tries a failed message again (once at a time: a second click while sending does nothing). */
export function retry(ctx: SendContext, clientId: string): Promise<void> {
  const m = unsent.find((u) => u.clientId === clientId);
  if (!m || m.state === 'sending') return Promise.resolve();
  return deliver(ctx, m);
}

/** Drops an unsent message (the agent chose to edit or discard it). */
export const discard = (clientId: string): void => remove(clientId);
