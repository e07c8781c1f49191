// One customer's profile and whole history for the panel: read when the customer changes, after a
// reconnect and whenever the server says the customer changed (another agent's edit, a new identity,
// consent, a merge), the history kept live from conversation events, and saved edits applied at once.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Conversation } from '../../../server/domain/types.js';
import type { Api } from '../api';
import type { AgentSocket } from '../socket';
import { customerApi, type CustomerPatch, type CustomerProfile } from './customer-api';

export interface ProfileState {
  customer: CustomerProfile | null;
  conversations: Conversation[];
  loading: boolean;
  error: string | null;
  /** Saves a patch; rejects with the API's error (the form shows it). */
  save: (patch: CustomerPatch) => Promise<CustomerProfile>;
  /** Reads the profile again (after an identity, consent or link change made here). */
  reload: () => void;
}

const newestFirst = (a: Conversation, b: Conversation) => b.lastMessageAt - a.lastMessageAt || (a.id < b.id ? 1 : -1);

export function useCustomerProfile(
  api: Api,
  socket: AgentSocket | null,
  customerId: string | null,
  reconnects: number,
  /** The shown customer was merged into another profile: show that one. */
  onMerged?: (targetId: string) => void,
): ProfileState {
  const customers = useMemo(() => customerApi(api), [api]);
  const [loaded, setLoaded] = useState<{ customer: CustomerProfile; conversations: Conversation[] } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [changes, setChanges] = useState(0);
  const loadedRef = useRef(loaded);
  loadedRef.current = loaded;
  const merged = useRef(onMerged);
  merged.current = onMerged;
  const reload = useCallback(() => setChanges((n) => n + 1), []);

  useEffect(() => {
    setError(null);
    if (!customerId) {
      setLoaded(null);
      return;
    }
    let cancelled = false;
    setLoading(true);
    customers.profile(customerId).then(
      (profile) => {
        if (cancelled) return;
        setLoaded(profile);
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
  }, [customers, customerId, reconnects, changes]);

  useEffect(() => {
    if (!socket || !customerId) return;
    const onCustomer = (e: { customerId: string; mergedInto: string | null }) => {
      if (e.customerId !== customerId) return;
      if (e.mergedInto) merged.current?.(e.mergedInto);
      else reload();
    };
    socket.on('customer:updated', onCustomer);
    return () => {
      socket.off('customer:updated', onCustomer);
    };
  }, [socket, customerId, reload]);

  // A new or changed conversation of this customer shows in the history at once.
  useEffect(() => {
    if (!socket || !customerId) return;
    const onConversation = (c: Conversation) => {
      if (c.customerId !== customerId) return;
      setLoaded((current) => {
        if (!current || current.customer.id !== customerId) return current;
        const known = current.conversations.find((x) => x.id === c.id);
        if (known && known.updatedAt > c.updatedAt) return current;
        return { ...current, conversations: [...current.conversations.filter((x) => x.id !== c.id), c].sort(newestFirst) };
      });
    };
    socket.on('conversation:created', onConversation);
    socket.on('conversation:updated', onConversation);
    return () => {
      socket.off('conversation:created', onConversation);
      socket.off('conversation:updated', onConversation);
    };
  }, [socket, customerId]);

  const save = useCallback(
    async (patch: CustomerPatch) => {
      if (!customerId) throw new Error('no customer');
      const { customer } = await customers.update(customerId, patch);
      const before = loadedRef.current?.customer.id === customer.id ? loadedRef.current.customer : null;
      const saved: CustomerProfile = { ...customer, identities: before?.identities ?? [], consents: before?.consents ?? [] };
      setLoaded((current) =>
        current && current.customer.id === customer.id
          ? { ...current, customer: { ...customer, identities: current.customer.identities, consents: current.customer.consents } }
          : current,
      );
      return saved;
    },
    [customers, customerId],
  );

  // What belongs to the previous customer is not shown for one frame under the next one.
  const current = loaded && loaded.customer.id === customerId ? loaded : null;
  return {
    customer: current?.customer ?? null,
    conversations: current?.conversations ?? [],
    loading,
    error,
    save,
    reload,
  };
}
