// The agents half of the board: routing state from GET /agents (presence, load per channel class),
// names from GET /users, and the open and pending conversations each agent holds. Routing events
// over the socket refetch GET /agents (debounced: the server counts loads, the board does not);
// conversation events keep the conversation list current; a reconnect reads everything again.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AgentRouting, CapacityClass, Presence } from '../../../server/domain/routing/types.js';
import type { Conversation, ConversationSummary, User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import type { AgentSocket } from '../socket';

/** GET /agents also carries the reason of the presence (away: "lunch"; wrap-up: "until:<ms>"). */
export type AgentRoutingView = AgentRouting & { presenceReason?: string | null };

export interface BoardAgent {
  id: string;
  name: string;
  email: string;
  /** Null for an agent who never signed in: no routing state yet (offline, default capacity). */
  routing: AgentRoutingView | null;
  conversations: Conversation[];
}

export interface AgentBoardState {
  agents: BoardAgent[];
  /** Customer names by customer id (null: the customer gave none). */
  customerNames: ReadonlyMap<string, string | null>;
  loading: boolean;
  error: string | null;
  setPresence: (agentId: string, presence: Presence, reason?: string) => Promise<void>;
  transfer: (conversationId: string, to: { toAgentId: string } | { toQueueId: string }, note?: string) => Promise<void>;
}

const LISTED: ReadonlySet<Conversation['status']> = new Set(['open', 'pending']);
const PAGE = 100;
/** Enough for a floor of agents at full capacity; beyond it the lists would only be partial. */
const MAX_PAGES = 20;
const REFETCH_AFTER_MS = 250;

const summaryToConversation = ({ customer: _c, lastMessage: _m, ...c }: ConversationSummary): Conversation => c;

export function useAgentBoard(api: Api, socket: AgentSocket | null, enabled: boolean): AgentBoardState {
  const [routing, setRouting] = useState<AgentRoutingView[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [conversations, setConversations] = useState<ReadonlyMap<string, Conversation>>(new Map());
  const [customerNames, setCustomerNames] = useState<ReadonlyMap<string, string | null>>(new Map());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // Conversations changed live while the list was being read: applied on top of what it returns.
  const changedDuringFetch = useRef<Conversation[] | null>(null);
  const askedCustomers = useRef(new Set<string>());
  const current = useRef(conversations);
  useEffect(() => {
    current.current = conversations;
  }, [conversations]);

  const fail = useCallback((err: unknown) => setError(err instanceof Error ? err.message : String(err)), []);

  const agentsRead = useRef(0);
  const loadAgents = useCallback(() => {
    const read = ++agentsRead.current;
    return api.json<{ agents: AgentRoutingView[] }>('GET', '/agents').then(({ agents }) => {
      if (read !== agentsRead.current) return; // a later read is on its way
      setRouting(agents);
      setError(null);
    }, fail);
  }, [api, fail]);

  const loadUsers = useCallback(() => api.json<{ users: User[] }>('GET', '/users').then(({ users }) => setUsers(users), fail), [api, fail]);

  const loadConversations = useCallback(async () => {
    changedDuringFetch.current = [];
    try {
      const found: ConversationSummary[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = new URLSearchParams({ status: 'open,pending', limit: String(PAGE) });
        if (cursor) query.set('cursor', cursor);
        const res: { conversations: ConversationSummary[]; nextCursor: string | null } = await api.json('GET', `/conversations?${query}`);
        found.push(...res.conversations);
        cursor = res.nextCursor;
        if (!cursor) break;
      }
      const byId = new Map(found.map((c) => [c.id, summaryToConversation(c)]));
      for (const c of changedDuringFetch.current ?? []) {
        const fetched = byId.get(c.id);
        if (fetched && fetched.updatedAt > c.updatedAt) continue;
        if (LISTED.has(c.status)) byId.set(c.id, c);
        else byId.delete(c.id);
      }
      setConversations(byId);
      setCustomerNames((names) => new Map([...names, ...found.map((c) => [c.customerId, c.customer.name] as const)]));
    } catch (err) {
      fail(err);
    } finally {
      changedDuringFetch.current = null;
    }
  }, [api, fail]);

  const loadAll = useCallback(async () => {
    await Promise.all([loadAgents(), loadUsers(), loadConversations()]);
    setLoading(false);
  }, [loadAgents, loadUsers, loadConversations]);

  // At most one read per REFETCH_AFTER_MS however busy the floor: later events ride on the pending one.
  const refetchAgentsSoon = useCallback(() => {
    if (refetchTimer.current) return;
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = undefined;
      void loadAgents();
    }, REFETCH_AFTER_MS);
  }, [loadAgents]);

  useEffect(() => {
    if (enabled) void loadAll();
    return () => {
      clearTimeout(refetchTimer.current);
      refetchTimer.current = undefined;
    };
  }, [enabled, loadAll]);

  // Conversations that arrived live come without their customer's name: read it once.
  useEffect(() => {
    for (const c of conversations.values()) {
      if (!c.assigneeId || customerNames.has(c.customerId) || askedCustomers.current.has(c.customerId)) continue;
      askedCustomers.current.add(c.customerId);
      api.json<{ customer: { id: string; name: string | null } }>('GET', `/customers/${encodeURIComponent(c.customerId)}`).then(
        ({ customer }) => setCustomerNames((names) => new Map(names).set(customer.id, customer.name)),
        () => askedCustomers.current.delete(c.customerId), // tried again on the next change
      );
    }
  }, [api, conversations, customerNames]);

  useEffect(() => {
    if (!socket || !enabled) return;
    const upsert = (c: Conversation) => {
      changedDuringFetch.current?.push(c);
      // Loads move only when a conversation arrives, changes hands or closes; new messages do not.
      const known = current.current.get(c.id);
      if (!known || known.assigneeId !== c.assigneeId || known.status !== c.status) refetchAgentsSoon();
      setConversations((all) => {
        const known = all.get(c.id);
        if (known && known.updatedAt > c.updatedAt) return all; // a stale copy
        const next = new Map(all);
        if (LISTED.has(c.status)) next.set(c.id, c);
        else next.delete(c.id);
        return next;
      });
    };
    const onPresence = (e: { agentId: string; presence: Presence; reason: string | null; since: number }) => {
      setRouting((list) =>
        list.map((a) => (a.id === e.agentId ? { ...a, presence: e.presence, presenceReason: e.reason, presenceSince: e.since } : a)),
      );
      refetchAgentsSoon();
    };
    const onOffer = ({ conversation }: { conversation: Conversation }) => {
      upsert(conversation);
      refetchAgentsSoon(); // the offer holds a place in the agent's load
    };
    // Whatever happened while the socket was down is read again (the first connect, if the socket
    // was still connecting when the board opened, reads it a second time: harmless).
    const onConnect = () => void loadAll();
    socket.on('conversation:created', upsert);
    socket.on('conversation:updated', upsert);
    socket.on('offer:new', onOffer);
    socket.on('offer:ended', refetchAgentsSoon);
    socket.on('presence:changed', onPresence);
    socket.on('connect', onConnect);
    return () => {
      socket.off('conversation:created', upsert);
      socket.off('conversation:updated', upsert);
      socket.off('offer:new', onOffer);
      socket.off('offer:ended', refetchAgentsSoon);
      socket.off('presence:changed', onPresence);
      socket.off('connect', onConnect);
    };
  }, [socket, enabled, loadAll, refetchAgentsSoon]);

  // Someone new in routing (a user created after the board opened): read the names again.
  const userIds = useMemo(() => new Set(users.map((u) => u.id)), [users]);
  const missingName = routing.some((a) => !userIds.has(a.id));
  useEffect(() => {
    if (missingName && users.length > 0) void loadUsers();
  }, [missingName, users.length, loadUsers]);

  const agents = useMemo(() => {
    const byAgent = new Map<string, Conversation[]>();
    for (const c of conversations.values()) {
      if (c.assigneeId) (byAgent.get(c.assigneeId) ?? byAgent.set(c.assigneeId, []).get(c.assigneeId)!).push(c);
    }
    const routed = new Map(routing.map((a) => [a.id, a]));
    const rows: BoardAgent[] = users
      // Active agents, and anyone else who is in routing or holds conversations (supervisors who take chats).
      .filter((u) => u.active && (u.role === 'agent' || routed.has(u.id) || byAgent.has(u.id)))
      .map((u) => ({
        id: u.id,
        name: u.name,
        email: u.email,
        routing: routed.get(u.id) ?? null,
        conversations: (byAgent.get(u.id) ?? []).sort((a, b) => a.createdAt - b.createdAt),
      }));
    // By name, so rows stay put while states change.
    return rows.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }, [users, routing, conversations]);

  const setPresence = useCallback(
    async (agentId: string, presence: Presence, reason?: string) => {
      const { agent } = await api.json<{ agent: AgentRoutingView }>('POST', `/agents/${encodeURIComponent(agentId)}/presence`, {
        presence,
        ...(reason && { reason }),
      });
      setRouting((list) => (list.some((a) => a.id === agent.id) ? list.map((a) => (a.id === agent.id ? agent : a)) : [...list, agent]));
      refetchAgentsSoon();
    },
    [api, refetchAgentsSoon],
  );

  const transfer = useCallback(
    async (conversationId: string, to: { toAgentId: string } | { toQueueId: string }, note?: string) => {
      const { conversation } = await api.json<{ conversation: Conversation }>(
        'POST',
        `/conversations/${encodeURIComponent(conversationId)}/transfer`,
        { ...to, ...(note && { note }) },
      );
      setConversations((all) => {
        const known = all.get(conversation.id);
        if (known && known.updatedAt > conversation.updatedAt) return all;
        return new Map(all).set(conversation.id, conversation);
      });
      refetchAgentsSoon();
    },
    [api, refetchAgentsSoon],
  );

  return { agents, customerNames, loading, error, setPresence, transfer };
}

/** Capacity classes in the order the board shows them. */
export const CLASSES: readonly CapacityClass[] = ['voice', 'chat', 'messaging', 'email'];
