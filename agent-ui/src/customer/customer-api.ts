// The customer profile's calls, typed, on top of Api.json: a profile with its whole history, the
// profile patch, identities, consent, linking two profiles, the customer search and a past
// conversation's messages.
import type { Consent, ConsentStatus } from '../../../server/domain/customer-merge.js';
import type { ChannelKind, Conversation, Customer, CustomerIdentity, Message, ValueTier } from '../../../server/domain/types.js';
import { ApiError, type Api } from '../api';

export interface CustomerProfile extends Customer {
  identities: CustomerIdentity[];
  consents: Consent[];
}

export type TypedIdentityKind = 'phone' | 'email';

/** The customer who already has an identity (a 409 from addIdentity): the agent may link the two. */
export function identityOwner(err: unknown): { customerId: string; name: string | null } | null {
  if (!(err instanceof ApiError) || err.code !== 'CONFLICT') return null;
  const d = err.details as { customerId?: unknown; name?: unknown } | undefined;
  return typeof d?.customerId === 'string' ? { customerId: d.customerId, name: typeof d.name === 'string' ? d.name : null } : null;
}

export interface ProfileWithHistory {
  customer: CustomerProfile;
  /** Every conversation on every channel, newest first (agents: their own and unassigned ones). */
  conversations: Conversation[];
}

export type AttributeValue = string | number | boolean | null;

/** `PATCH /customers/:id`: attributes merge (null removes a key); value tier and VIP are for supervisors. */
export interface CustomerPatch {
  name?: string | null;
  locale?: string | null;
  tags?: string[];
  attributes?: Record<string, AttributeValue>;
  valueTier?: ValueTier | null;
  /** null hands the VIP flag back to the computed value (as valueTier: null does the tier). */
  vip?: boolean | null;
}

const at = (id: string) => encodeURIComponent(id);

// One request per customer at a time: the offer pop-up and the customer panel ask for the same
// profile at the same moment when a conversation is offered.
const inFlight = new WeakMap<Api, Map<string, Promise<ProfileWithHistory>>>();

export const customerApi = (api: Api) => ({
  profile(id: string): Promise<ProfileWithHistory> {
    let mine = inFlight.get(api);
    if (!mine) inFlight.set(api, (mine = new Map()));
    const running = mine.get(id);
    if (running) return running;
    const request = api.json<ProfileWithHistory>('GET', `/customers/${at(id)}`).finally(() => mine.delete(id));
    mine.set(id, request);
    return request;
  },
  update: (id: string, patch: CustomerPatch) => api.json<{ customer: Customer }>('PATCH', `/customers/${at(id)}`, patch),
  addIdentity: (id: string, kind: TypedIdentityKind, value: string) =>
    api.json<{ identity: CustomerIdentity }>('POST', `/customers/${at(id)}/identities`, { kind, value }),
  removeIdentity: (id: string, identityId: string) => api.json<void>('DELETE', `/customers/${at(id)}/identities/${at(identityId)}`),
  setConsent: (id: string, channel: ChannelKind, status: ConsentStatus, source: string) =>
    api.json<{ consent: Consent }>('PUT', `/customers/${at(id)}/consents/${at(channel)}`, { status, source }),
  /** Links `sourceId` into `targetId` (the profile kept). */
  merge: (targetId: string, sourceId: string) =>
    api.json<{ customer: Customer }>('POST', `/customers/${at(targetId)}/merge`, { sourceCustomerId: sourceId }),
  search: (q: string, limit = 6) =>
    api.json<{ customers: Customer[]; nextCursor: string | null }>('GET', `/customers?${new URLSearchParams({ q, limit: String(limit) })}`),
  messages: (conversationId: string) => api.json<{ messages: Message[] }>('GET', `/conversations/${at(conversationId)}/messages?limit=200`),
});

export type CustomerApi = ReturnType<typeof customerApi>;
