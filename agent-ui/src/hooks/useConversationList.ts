// The left column's data: the conversations of one inbox list (tab, filters, searches; see
// inbox/list-query.ts), newest activity first, read page by page, kept live from socket events
// (what stops matching leaves) and refetched after a reconnect. Unread conversations are tracked
// across lists, so each tab can show its own count.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Conversation, ConversationSummary, Message } from '../../../server/domain/types.js';
import type { Api } from '../api';
import type { AgentSocket } from '../socket';
import { inboxApi } from '../inbox/inbox-api';
import {
  belongsToTab,
  byActivity,
  isUnreadCounted,
  matches,
  queryKey,
  requestsFor,
  tabsFor,
  type InboxQuery,
  type InboxTab,
  type Viewer,
} from '../inbox/list-query';
import { advance, frontier, hasMore, isShown, type Source } from '../inbox/paging';

export interface ConversationListState {
  /** What the list shows now. */
  conversations: Conversation[];
  /** The latest message per conversation: from the list API, then kept live. */
  lastMessages: Record<string, Message>;
  /** Customer names the list API sent, by customer id. */
  names: Record<string, string | null>;
  unread: ReadonlySet<string>;
  /** Unread conversations per tab (waiting work only: open and pending). */
  unreadByTab: Partial<Record<InboxTab, number>>;
  /** Unread conversations still waiting for work (the page title's count). */
  unreadCount: number;
  /** The first page of this list is on its way (what is shown may be the previous list's). */
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

const plain = ({ customer: _c, lastMessage: _m, ...c }: ConversationSummary): Conversation => c;

/** Keeps the fresher of two copies of a conversation. */
const fresher = (known: Conversation | undefined, c: Conversation) => (known && known.updatedAt > c.updatedAt ? known : c);

export function useConversationList(
  api: Api,
  socket: AgentSocket | null,
  viewer: Viewer,
  query: InboxQuery,
  selectedId: string | null,
  reconnects: number,
): ConversationListState {
  const inbox = useMemo(() => inboxApi(api), [api]);
  const [pool, setPool] = useState<Conversation[]>([]);
  const [sources, setSources] = useState<Source[]>([]);
  const [seen, setSeen] = useState<Record<string, Conversation>>({});
  const [lastMessages, setLastMessages] = useState<Record<string, Message>>({});
  const [names, setNames] = useState<Record<string, string | null>>({});
  const [unread, setUnread] = useState<ReadonlySet<string>>(new Set());
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const selected = useRef(selectedId);
  // Each fetch of a list gets a number; answers for an older one are dropped.
  const generation = useRef(0);
  // Conversations that changed live while a first page was in flight: applied on top of it.
  const changedDuringFetch = useRef<Conversation[] | null>(null);
  const seenRef = useRef(seen);
  seenRef.current = seen;
  const poolRef = useRef(pool);
  poolRef.current = pool;
  const key = queryKey(query, viewer);

  useEffect(() => {
    selected.current = selectedId;
    if (selectedId) setUnread((u) => (u.has(selectedId) ? without(u, selectedId) : u));
  }, [selectedId]);

  /** Names, previews and the directory of every conversation a page brought. */
  const absorb = useCallback((summaries: ConversationSummary[]) => {
    setNames((all) => ({ ...all, ...Object.fromEntries(summaries.map((c) => [c.customerId, c.customer.name])) }));
    setLastMessages((all) => {
      const merged = { ...all };
      for (const c of summaries) {
        const live = merged[c.id];
        if (c.lastMessage && (!live || live.id < c.lastMessage.id)) merged[c.id] = c.lastMessage;
      }
      return merged;
    });
    setSeen((all) => {
      const next = { ...all };
      for (const s of summaries) next[s.id] = fresher(next[s.id], plain(s));
      return next;
    });
  }, []);

  useEffect(() => {
    const mine = ++generation.current;
    setLoadingMore(false);
    // "My queues" waits for the queues I work.
    if (query.tab === 'queues' && viewer.queueIds === null) {
      setLoading(true);
      return;
    }
    const requests = requestsFor(query, viewer).map(String);
    setLoading(true);
    changedDuringFetch.current = [];
    Promise.all(requests.map((params) => inbox.page(params, null))).then(
      (pages) => {
        if (mine !== generation.current) return;
        const summaries = pages.flatMap((p) => p.conversations);
        absorb(summaries);
        const byId = new Map<string, Conversation>(summaries.map((s) => [s.id, plain(s)]));
        for (const c of changedDuringFetch.current ?? []) {
          const fetched = byId.get(c.id);
          if (fetched && fetched.updatedAt > c.updatedAt) continue;
          if (!fetched && query.text.trim()) continue; // a text search only keeps what the server found
          if (matches(c, query, viewer)) byId.set(c.id, c);
          else byId.delete(c.id);
        }
        changedDuringFetch.current = null;
        setPool([...byId.values()].sort(byActivity));
        setSources(requests.map((params, i) => advance({ params, cursor: null, tail: null }, pages[i]!)));
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        changedDuringFetch.current = null;
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
    // `key` stands for query and viewer.
  }, [inbox, key, reconnects, absorb]);

  const loadMore = useCallback(() => {
    const pending = sources.filter((s) => s.cursor !== null);
    if (loading || loadingMore || pending.length === 0) return;
    const mine = generation.current;
    setLoadingMore(true);
    Promise.all(pending.map((s) => inbox.page(s.params, s.cursor))).then(
      (pages) => {
        if (mine !== generation.current) return;
        const summaries = pages.flatMap((p) => p.conversations);
        absorb(summaries);
        setPool((list) => {
          const byId = new Map(list.map((c) => [c.id, c]));
          for (const s of summaries) byId.set(s.id, fresher(byId.get(s.id), plain(s)));
          return [...byId.values()].sort(byActivity);
        });
        setSources((all) =>
          all.map((s) => {
            const i = pending.findIndex((p) => p.params === s.params);
            return i < 0 ? s : advance(s, pages[i]!);
          }),
        );
        setLoadingMore(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err instanceof Error ? err.message : String(err));
        setLoadingMore(false);
      },
    );
  }, [inbox, sources, loading, loadingMore, absorb]);

  useEffect(() => {
    if (!socket) return;
    const searching = query.text.trim().toLowerCase();
    const upsert = (c: Conversation) => {
      changedDuringFetch.current?.push(c);
      setSeen((all) => ({ ...all, [c.id]: fresher(all[c.id], c) }));
      setPool((list) => {
        const current = list.find((x) => x.id === c.id);
        if (current && current.updatedAt > c.updatedAt) return list; // a stale copy
        const rest = current ? list.filter((x) => x.id !== c.id) : list;
        const keep = matches(c, query, viewer) && (!searching || current !== undefined);
        return keep ? [...rest, c].sort(byActivity) : current ? rest : list;
      });
    };
    const onCreated = (c: Conversation) => {
      upsert(c);
      if (c.id !== selected.current) setUnread((u) => new Set(u).add(c.id));
    };
    const requested = new Set<string>();
    const onMessage = (m: Message) => {
      setLastMessages((all) => ({ ...all, [m.conversationId]: m }));
      if (m.direction === 'inbound' && m.conversationId !== selected.current) setUnread((u) => new Set(u).add(m.conversationId));
      const known = seenRef.current[m.conversationId];
      if (!known) {
        // A conversation this console has not seen yet (older than the pages read): read it once.
        if (requested.has(m.conversationId)) return;
        requested.add(m.conversationId);
        inbox.conversation(m.conversationId).then(upsert, () => undefined); // not visible to me: nothing to list
        return;
      }
      const bumped = { ...known, lastMessageAt: Math.max(known.lastMessageAt, m.createdAt) };
      setSeen((all) => ({ ...all, [bumped.id]: fresher(all[bumped.id], bumped) }));
      setPool((list) => {
        if (list.some((c) => c.id === bumped.id)) {
          return list
            .map((c) => (c.id === bumped.id ? { ...c, lastMessageAt: Math.max(c.lastMessageAt, m.createdAt) } : c))
            .sort(byActivity);
        }
        // Not listed yet: it joins if it matches (a text search also needs this message to match).
        if (!matches(bumped, query, viewer) || (searching && !m.text.toLowerCase().includes(searching))) return list;
        return [...list, bumped].sort(byActivity);
      });
    };
    // Routing announces a conversation's queue with conversation:updated as it queues it.
    const onUpdated = (c: Conversation) => upsert(c);
    socket.on('conversation:created', onCreated);
    socket.on('conversation:updated', onUpdated);
    socket.on('message:created', onMessage);
    return () => {
      socket.off('conversation:created', onCreated);
      socket.off('conversation:updated', onUpdated);
      socket.off('message:created', onMessage);
    };
  }, [socket, inbox, key]);

  const edge = frontier(sources);
  const conversations = useMemo(() => pool.filter((c) => isShown(c, edge)), [pool, edge]);

  const unreadCount = useMemo(() => [...unread].filter((id) => !seen[id] || isUnreadCounted(seen[id])).length, [unread, seen]);
  const unreadByTab = useMemo(() => {
    const counts: Partial<Record<InboxTab, number>> = {};
    for (const tab of tabsFor(viewer.role)) {
      let n = 0;
      for (const id of unread) {
        const c = seen[id];
        if (c && isUnreadCounted(c) && belongsToTab(c, tab, viewer)) n++;
      }
      counts[tab] = n;
    }
    return counts;
  }, [unread, seen, viewer]);

  return {
    conversations,
    lastMessages,
    names,
    unread,
    unreadByTab,
    unreadCount,
    loading,
    error,
    hasMore: hasMore(sources),
    loadingMore,
    loadMore,
  };
}

function without<T>(set: ReadonlySet<T>, item: T): ReadonlySet<T> {
  const copy = new Set(set);
  copy.delete(item);
  return copy;
}
