// The conversation on screen: its record, customer and messages, joined to its socket room, kept
// live, and caught up after a reconnect with the messages after the last one shown.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MessageStatusEvent, TypingEvent } from '../../../server/realtime/contract.js';
import type { Conversation, Message } from '../../../server/domain/types.js';
import type { Api, CustomerWithIdentities } from '../api';
import { joinRoom, type AgentSocket } from '../socket';
import { applyStatus, mergeMessages, newer } from '../messages';

export interface OpenConversation {
  conversation: Conversation | null;
  customer: CustomerWithIdentities | null;
  messages: Message[];
  loading: boolean;
  error: string | null;
  customerTyping: boolean;
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
    api.messagesAfter(id, lastId.current).then(
      (page) => {
        if (!cancelled) setMessages((current) => mergeMessages(current, page.messages));
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
    const onMessage = (m: Message) => {
      if (m.conversationId !== id) return;
      setMessages((current) => mergeMessages(current, [m]));
      if (m.direction === 'inbound') setCustomerTyping(false);
    };
    const onStatus = (event: MessageStatusEvent) => {
      if (event.conversationId === id) setMessages((current) => applyStatus(current, event));
    };
    const onUpdated = (c: Conversation) => {
      if (c.id === id) setConversationState((current) => (current ? newer(current, c) : c));
    };
    const onTyping = (event: TypingEvent) => {
      if (event.conversationId !== id || event.from !== 'customer') return;
      clearTimeout(typingTimer);
      setCustomerTyping(event.typing);
      if (event.typing) typingTimer = setTimeout(() => setCustomerTyping(false), TYPING_TIMEOUT_MS);
    };
    socket.on('message:created', onMessage);
    socket.on('message:status', onStatus);
    socket.on('conversation:updated', onUpdated);
    socket.on('typing', onTyping);
    return () => {
      clearTimeout(typingTimer);
      socket.off('message:created', onMessage);
      socket.off('message:status', onStatus);
      socket.off('conversation:updated', onUpdated);
      socket.off('typing', onTyping);
    };
  }, [socket, id]);

  const addMessages = useCallback((added: Message[]) => setMessages((current) => mergeMessages(current, added)), []);
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
    addMessages,
    setConversation,
  };
}
