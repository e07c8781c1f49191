// The conversation on screen: its record, customer and every message (read page by page: a long
// conversation has thousands), joined to its socket room, kept live (messages; delivery states and
// provider errors, and a call's record as the call goes on, all from `message:status`; who else is
// viewing or typing), and caught up after a reconnect with the messages after the last one shown.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MessageStatusEvent, TypingEvent } from '../../../server/realtime/contract.js';
import type { Conversation, Message } from '../../../server/domain/types.js';
import type { Api, CustomerWithIdentities } from '../api';
import { joinRoom, type AgentSocket } from '../socket';
import { applyStatus, mergeMessages, newer } from '../messages';
import { MESSAGE_PAGE, messagesAfter } from '../conversation/conversation-api';

export interface Person {
  id: string;
  name: string;
}

export interface OpenConversation {
  conversation: Conversation | null;
  customer: CustomerWithIdentities | null;
  messages: Message[];
  loading: boolean;
  error: string | null;
  customerTyping: boolean;
  /** Others in the conversation's room, this user included (filter by id to show the others). */
  viewers: Person[];
  /** Agents typing in this conversation now (never this socket itself). */
  agentsTyping: Person[];
  /** True while the messages after the first page are still being read. */
  loadingMore: boolean;
  /** Adds messages this console created itself (the HTTP answer may beat or trail the socket event). */
  addMessages: (messages: Message[]) => void;
  setConversation: (conversation: Conversation) => void;
}

// A customer who stops typing without saying so (closed tab) stops showing as typing after this.
const TYPING_TIMEOUT_MS = 8_000;

export function useOpenConversation(api: Api, socket: AgentSocket | null, id: string | null, reconnects: number): OpenConversation {
  const [conversation, setConversationState] = useState<Conversation | null>(null);
  const [customer, setCustomer] = useState<CustomerWithIdentities | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [customerTyping, setCustomerTyping] = useState(false);
  const [viewers, setViewers] = useState<Person[]>([]);
  const [agentsTyping, setAgentsTyping] = useState<Person[]>([]);
  const [loadingMore, setLoadingMore] = useState(false);
  const lastId = useRef<string | undefined>(undefined);

  useEffect(() => {
    lastId.current = messages.at(-1)?.id;
  }, [messages]);

  // Load on select.
  useEffect(() => {
    setConversationState(null);
    setCustomer(null);
    setMessages([]);
    setCustomerTyping(false);
    setViewers([]);
    setAgentsTyping([]);
    setLoadingMore(false);
    setError(null);
    if (!id) return;
    let cancelled = false;
    setLoading(true);
    api.conversation(id).then(
      (detail) => {
        if (cancelled) return;
        setConversationState(detail.conversation);
        setCustomer(detail.customer);
        setMessages((live) => mergeMessages(detail.messages, live));
        setLoading(false);
        // The detail holds the first page (oldest first); a long conversation goes on after it.
        const last = detail.messages.at(-1);
        if (detail.messages.length < MESSAGE_PAGE || !last) return;
        setLoadingMore(true);
        messagesAfter(api, id, last.id).then(
          (rest) => {
            if (cancelled) return;
            setMessages((current) => mergeMessages(current, rest));
            setLoadingMore(false);
          },
          () => !cancelled && setLoadingMore(false), // a reconnect catches up from the last message shown
        );
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
  }, [api, id]);

  // Join the conversation's room on select and after every reconnect (a new socket has no rooms).
  useEffect(() => {
    if (!socket || !id) return;
    const room = `conversation:${id}`;
    const join = () => void joinRoom(socket, room);
    if (socket.connected) join();
    socket.on('connect', join);
    return () => {
      socket.off('connect', join);
      if (socket.connected) socket.emit('room:leave', { room }, () => undefined);
    };
  }, [socket, id]);

  // Catch up after a reconnect (only then: not when another conversation is selected).
  const handledReconnects = useRef(reconnects);
  useEffect(() => {
    if (reconnects === handledReconnects.current) return;
    handledReconnects.current = reconnects;
    if (!id) return;
    let cancelled = false;
    messagesAfter(api, id, lastId.current).then(
      (missed) => {
        if (!cancelled) setMessages((current) => mergeMessages(current, missed));
      },
      () => undefined, // the next reconnect tries again; a 401 already ended the session
    );
    return () => {
      cancelled = true;
    };
  }, [api, id, reconnects]);

  // Live events for this conversation.
  useEffect(() => {
    if (!socket || !id) return;
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    const agentTimers = new Map<string, ReturnType<typeof setTimeout>>();
    const agentStopped = (userId: string) => {
      clearTimeout(agentTimers.get(userId));
      agentTimers.delete(userId);
      setAgentsTyping((current) => (current.some((a) => a.id === userId) ? current.filter((a) => a.id !== userId) : current));
    };
    const onMessage = (m: Message) => {
      if (m.conversationId !== id) return;
      setMessages((current) => mergeMessages(current, [m]));
      if (m.direction === 'inbound') setCustomerTyping(false);
      else if (m.senderId) agentStopped(m.senderId);
    };
    // Carries what changes after a message is created: its delivery state, and its channel details.
    const onStatus = (event: MessageStatusEvent) => {
      if (event.conversationId === id) setMessages((current) => applyStatus(current, event));
    };
    const onUpdated = (c: Conversation) => {
      if (c.id === id) setConversationState((current) => (current ? newer(current, c) : c));
    };
    const onTyping = (event: TypingEvent) => {
      if (event.conversationId !== id) return;
      if (event.from === 'agent') {
        const userId = event.userId;
        if (!userId) return;
        agentStopped(userId);
        if (!event.typing) return;
        setAgentsTyping((current) => [...current, { id: userId, name: event.name ?? '' }]);
        agentTimers.set(
          userId,
          setTimeout(() => agentStopped(userId), TYPING_TIMEOUT_MS),
        );
        return;
      }
      clearTimeout(typingTimer);
      setCustomerTyping(event.typing);
      if (event.typing) typingTimer = setTimeout(() => setCustomerTyping(false), TYPING_TIMEOUT_MS);
    };
    const onViewers = (event: { conversationId: string; viewers: Person[] }) => {
      if (event.conversationId === id) setViewers(event.viewers);
    };
    socket.on('message:created', onMessage);
    socket.on('message:status', onStatus);
    socket.on('conversation:updated', onUpdated);
    socket.on('typing', onTyping);
    socket.on('conversation:viewers', onViewers);
    return () => {
      clearTimeout(typingTimer);
      for (const timer of agentTimers.values()) clearTimeout(timer);
      socket.off('conversation:viewers', onViewers);
      socket.off('message:created', onMessage);
      socket.off('message:status', onStatus);
      socket.off('conversation:updated', onUpdated);
      socket.off('typing', onTyping);
    };
  }, [socket, id]);

  // Only this conversation's: a send finishing after the agent moved on must not land in another list.
  const openId = useRef(id);
  openId.current = id;
  const addMessages = useCallback(
    (added: Message[]) =>
      setMessages((current) =>
        mergeMessages(
          current,
          added.filter((m) => m.conversationId === openId.current),
        ),
      ),
    [],
  );
  const setConversation = useCallback(
    (c: Conversation) => setConversationState((current) => (current && current.id === c.id ? newer(current, c) : current)),
    [],
  );

  // State still belonging to the previous selection is not shown for one frame under the new one.
  const current = conversation?.id === id;
  const shown = useMemo(() => messages.filter((m) => m.conversationId === id), [messages, id]);
  return {
    conversation: current ? conversation : null,
    customer: current ? customer : null,
    messages: shown,
    loading,
    error,
    customerTyping,
    viewers: current ? viewers : [],
    agentsTyping: current ? agentsTyping : [],
    loadingMore,
    addMessages,
    setConversation,
  };
}
