// Cursor paging over one or more REST queries merged into one list (My queues asks once per queue).
// Each query is read page by page; an item is shown only once no query could still return
// something newer than it, so merged pages never skip a conversation.
import type { Conversation } from '../../../server/domain/types.js';

export interface ActivityKey {
  lastMessageAt: number;
  id: string;
}

export interface Source {
  params: string;
  /** The next page's cursor; null when this query is read to its end. */
  cursor: string | null;
  /** The oldest item read so far (where the next page starts). */
  tail: ActivityKey | null;
}

/** Positive when `a` is newer than `b` (in the list's order). */
export const compareKeys = (a: ActivityKey, b: ActivityKey): number =>
  a.lastMessageAt - b.lastMessageAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Where the shown part of the list ends: the newest tail among queries with more to read (null: all read). */
export function frontier(sources: readonly Source[]): ActivityKey | null {
  let edge: ActivityKey | null = null;
  for (const s of sources) {
    if (s.cursor === null || !s.tail) continue;
    if (!edge || compareKeys(s.tail, edge) > 0) edge = s.tail;
  }
  return edge;
}

/** Whether an item is safe to show: nothing unread is newer than it. */
export const isShown = (c: Conversation, edge: ActivityKey | null): boolean => edge === null || compareKeys(c, edge) >= 0;

export const hasMore = (sources: readonly Source[]): boolean => sources.some((s) => s.cursor !== null);

/** A source after reading one page of it. */
export function advance(source: Source, page: { conversations: Conversation[]; nextCursor: string | null }): Source {
  const last = page.conversations.at(-1);
  return { ...source, cursor: page.nextCursor, tail: last ? { lastMessageAt: last.lastMessageAt, id: last.id } : source.tail };
}
