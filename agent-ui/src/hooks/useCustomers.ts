// Customers for conversations that arrived live (the list API already names the others): each is
// read once and kept for the session. The open conversation's customer and the customer panel's
// (after an edit) replace what was read, so a new name shows everywhere.
import { useEffect, useState } from 'react';
import type { Conversation } from '../../../server/domain/types.js';
import type { Api, CustomerWithIdentities } from '../api';

export type CustomerDirectory = ReadonlyMap<string, CustomerWithIdentities>;

export function useCustomers(
  api: Api,
  conversations: Conversation[],
  open: CustomerWithIdentities | null,
  panel: CustomerWithIdentities | null = null,
): CustomerDirectory {
  const [known, setKnown] = useState<CustomerDirectory>(new Map());
  const [requested] = useState(() => new Set<string>());

  useEffect(() => {
    if (open) setKnown((all) => new Map(all).set(open.id, fresher(all.get(open.id), open)));
  }, [open]);

  useEffect(() => {
    if (panel) setKnown((all) => new Map(all).set(panel.id, fresher(all.get(panel.id), panel)));
  }, [panel]);

  useEffect(() => {
    for (const { customerId } of conversations) {
      if (requested.has(customerId)) continue;
      requested.add(customerId);
      api.customer(customerId).then(
        ({ customer }) => setKnown((all) => new Map(all).set(customer.id, customer)),
        () => requested.delete(customerId), // tried again on the next list change
      );
    }
  }, [api, conversations, requested]);

  return known;
}

/** The name to show: the customer's own, else "Visitor" and a short stable tag. */
export function displayName(customer: { name: string | null } | null | undefined, customerId: string, visitor: string): string {
  return customer?.name || `${visitor} #${customerId.slice(-4).toUpperCase()}`;
}

const fresher = (known: CustomerWithIdentities | undefined, next: CustomerWithIdentities) =>
  known && known.updatedAt > next.updatedAt ? known : next;
