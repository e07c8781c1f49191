// The left column's data: open and pending conversations for one tab, newest activity first, kept
// live from socket events and refetched after a reconnect.
import { useEffect, useRef, useState } from 'react';
import type { Conversation, Message, User } from '../../../server/domain/types.js';
import type { Api, AssigneeFilter } from '../api';
import type { AgentSocket } from '../socket';

export interface ConversationListState {
  conversations: Conversation[];
  /** The latest message per conversation: from the list API, then kept live. */
  lastMessages: Record<string, Message>;
  /** Customer names the list API sent, by customer id. */
  names: Record<string, string | null>;
  unread: ReadonlySet<string>;
  loading: boolean;
  error: string | null;
}

const LISTED_STATUSES: ReadonlySet<Conversation['status']> = new Set(['open', 'pending']);

type Me = Pick<User, 'id' | 'role'>;

function belongs(c: Conversation, filter: AssigneeFilter, me: Me): boolean {
  if (!LISTED_STATUSES.has(c.status)) return false;
  if (filter === 'me') return c.assigneeId === me.id;
  if (filter === 'none') return c.assigneeId === null;
  return me.role !== 'agent' || c.assigneeId === null || c.assigneeId === me.id;
}

const sorted = (list: Conversation[]) => [...list].sort((a, b) => b.lastMessageAt - a.lastMessageAt || (a.id < b.id ? 1 : -1));

export function useConversationList(
  api: Api,
  socket: AgentSocket | null,
  me: Me,
  filter: AssigneeFilter,
  selectedId: string | null,
  reconnects: number,
): ConversationListState {
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [lastMessages, setLastMessages] = useState<Record<string, Message>>({});
  const [names, setNames] = useState<Record<string, string | null>>({});
  const [unread, setUnread] = useState<ReadonlySet<string>>(new Set());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const selected = useRef(selectedId);
  const known = useRef(new Set<string>());
  // Conversations that changed live while a fetch was in flight: applied on top of its snapshot.
  const changedDuringFetch = useRef<Conversation[] | null>(null);

  useEffect(() => {
    selected.current = selectedId;
    if (selectedId) setUnread((u) => (u.has(selectedId) ? without(u, selectedId) : u));
  }, [selectedId]);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    changedDuringFetch.current = [];
    api.listConversations(filter).then(
      (page) => {
        if (cancelled) return;
        setNames((all) => ({ ...all, ...Object.fromEntries(page.conversations.map((c) => [c.customerId, c.customer.name])) }));
        setLastMessages((all) => {
          const merged = { ...all };
          for (const c of page.conversations) {
            const live = merged[c.id];
            if (c.lastMessage && (!live || live.id < c.lastMessage.id)) merged[c.id] = c.lastMessage;
          }
          return merged;
        });
        const byId = new Map<string, Conversation>(page.conversations.map(({ customer: _c, lastMessage: _m, ...c }) => [c.id, c]));
        for (const c of changedDuringFetch.current ?? []) {
          const fetched = byId.get(c.id);
          if (fetched && fetched.updatedAt > c.updatedAt) continue;
          if (belongs(c, filter, me)) byId.set(c.id, c);
          else byId.delete(c.id);
        }
        changedDuringFetch.current = null;
        known.current = new Set(byId.keys());
        setConversations(sorted([...byId.values()]));
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (cancelled) return;
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, filter, me, reconnects]);

  useEffect(() => {
    if (!socket) return;
    const upsert = (c: Conversation) => {
      changedDuringFetch.current?.push(c);
      const listed = belongs(c, filter, me);
      if (listed) known.current.add(c.id);
      else known.current.delete(c.id);
      setConversations((list) => {
        const current = list.find((x) => x.id === c.id);
        if (current && current.updatedAt > c.updatedAt) return list; // a stale copy
        const rest = list.filter((x) => x.id !== c.id);
        return listed ? sorted([...rest, c]) : rest;
      });
    };
    const onCreated = (c: Conversation) => {
      upsert(c);
      if (c.id !== selected.current && belongs(c, filter, me)) setUnread((u) => new Set(u).add(c.id));
    };
    const onMessage = (m: Message) => {
      setLastMessages((all) => ({ ...all, [m.conversationId]: m }));
      // Conversations outside this tab stay out; a reopened one arrives as conversation:updated.
      if (!known.current.has(m.conversationId)) return;
      setConversations((list) =>
        sorted(list.map((c) => (c.id === m.conversationId ? { ...c, lastMessageAt: Math.max(c.lastMessageAt, m.createdAt) } : c))),
      );
      if (m.direction === 'inbound' && m.conversationId !== selected.current) setUnread((u) => new Set(u).add(m.conversationId));
    };
    socket.on('conversation:created', onCreated);
    socket.on('conversation:updated', upsert);
    socket.on('message:created', onMessage);
    return () => {
      socket.off('conversation:created', onCreated);
      socket.off('conversation:updated', upsert);
      socket.off('message:created', onMessage);
    };
  }, [socket, filter, me]);

  return { conversations, lastMessages, names, unread, loading, error };
}

function without<T>(set: ReadonlySet<T>, item: T): ReadonlySet<T> {
  const copy = new Set(set);
  copy.delete(item);
  return copy;
}
