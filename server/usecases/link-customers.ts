// One person, one profile: agents add the phone numbers and email addresses a customer gives them,
// record consent per channel, and link a profile to the one that is really theirs (a merge). Each
// change is one transaction with an audit entry, and tells the consoles showing that customer.
import { CONSENT_STATUSES, consentsToMove, mergeProfiles, type Consent, type ConsentStatus } from '../domain/customer-merge.js';
import type { DomainEvent } from '../domain/events.js';
import { AppError, forbidden, invalidField, notFound } from '../domain/errors.js';
import { emailIdentity, phoneIdentity } from '../domain/identity.js';
import { hasRole, type Actor } from '../domain/policy.js';
import type { ChannelKind, Conversation, Customer, CustomerIdentity } from '../domain/types.js';
import type { Stores } from '../../db/store.js';
import type { Deps } from './deps.js';

export { CONSENT_STATUSES };

/** The identities an agent may type in; channel ids (LINE, chat...) only ever come from the channel. */
export type TypedIdentityKind = 'phone' | 'email';

async function liveCustomer(tx: Stores, id: string): Promise<Customer> {
  const customer = await tx.customers.findById(id);
  if (!customer) throw notFound('customer');
  if (customer.mergedInto)
    throw new AppError('CONFLICT', 'this customer was merged into another profile', { mergedInto: customer.mergedInto });
  return customer;
}

async function openConversationIds(tx: Stores, customerId: string): Promise<string[]> {
  return (await tx.conversations.allOf(customerId)).filter((c) => c.status !== 'resolved').map((c) => c.id);
}

export function makeLinkCustomers(deps: Deps) {
  const { store } = deps;

  async function updated(tx: Stores, customerId: string, mergedInto: string | null = null): Promise<DomainEvent> {
    return { type: 'customer.updated', customerId, mergedInto, conversationIds: await openConversationIds(tx, customerId) };
  }

  return {
    /**
     * Adds a phone (read in Thailand's numbering when it has no country code) or an email address. Adding
     * one the customer already has is a no-op; one that belongs to another customer is a conflict that
     * names them, so the agent can link the two profiles instead.
     */
    async addIdentity(actor: Actor, customerId: string, input: { kind: TypedIdentityKind; value: string }): Promise<CustomerIdentity> {
      const parsed = input.kind === 'phone' ? phoneIdentity(input.value) : emailIdentity(input.value);
      if (!parsed.ok) throw invalidField('value', parsed.reason);
      const { identity, event } = await store.transaction(async (tx) => {
        await liveCustomer(tx, customerId);
        const existing = await tx.customers.findIdentity(parsed.identity);
        if (existing && existing.customerId === customerId) return { identity: existing, event: undefined };
        if (existing) {
          const owner = await tx.customers.findById(existing.customerId);
          throw new AppError('CONFLICT', `${parsed.identity.value} belongs to another customer`, {
            customerId: existing.customerId,
            name: owner?.name ?? null,
          });
        }
        const now = deps.now();
        await tx.customers.linkIdentity(customerId, parsed.identity, now);
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'customer.identity_add',
            targetType: 'customer',
            targetId: customerId,
            data: { kind: parsed.identity.kind },
          },
          now,
        );
        return { identity: (await tx.customers.findIdentity(parsed.identity))!, event: await updated(tx, customerId) };
      });
      if (event) deps.events.publish(event);
      return identity;
    },

    /** Supervisors correct a wrong link; the next message from that identity starts a profile of its own. */
    async removeIdentity(actor: Actor, customerId: string, identityId: string): Promise<void> {
      if (!hasRole(actor, 'supervisor')) throw forbidden('only supervisors remove a customer’s identities');
      const event = await store.transaction(async (tx) => {
        await liveCustomer(tx, customerId);
        if (!(await tx.customers.removeIdentity(customerId, identityId))) throw notFound('identity');
        const now = deps.now();
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'customer.identity_remove',
            targetType: 'customer',
            targetId: customerId,
            data: { identityId },
          },
          now,
        );
        return updated(tx, customerId);
      });
      deps.events.publish(event);
    },

    /** Records that the customer opted in or out of contact on a channel, and how (the source). */
    async setConsent(
      actor: Actor,
      customerId: string,
      channel: ChannelKind,
      decision: { status: ConsentStatus; source: string },
    ): Promise<Consent> {
      const { consent, event } = await store.transaction(async (tx) => {
        await liveCustomer(tx, customerId);
        const now = deps.now();
        const consent = await tx.consents.set(customerId, channel, { ...decision, recordedBy: actor.id }, now);
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'customer.consent',
            targetType: 'customer',
            targetId: customerId,
            data: { channel, status: decision.status, source: decision.source },
          },
          now,
        );
        return { consent, event: await updated(tx, customerId) };
      });
      deps.events.publish(event);
      return consent;
    },

    /**
     * Links `sourceId` into `targetId`: the target keeps its profile and gains the source's identities,
     * conversations (with their messages), chat sessions and consents, and the source's details fill its
     * gaps (see mergeProfiles). The source stays as an empty profile marked merged, and the merge record
     * keeps what moved so it can be undone. Refused when both have an unresolved conversation on the same
     * channel account: one of them has to be resolved first.
     */
    async merge(actor: Actor, targetId: string, sourceId: string): Promise<Customer> {
      if (targetId === sourceId) throw invalidField('sourceCustomerId', 'a customer cannot be linked to itself');
      const { customer, events } = await store.transaction(async (tx) => {
        await tx.customers.lock([targetId, sourceId]);
        const target = await liveCustomer(tx, targetId);
        const source = await liveCustomer(tx, sourceId);
        const [targetConversations, sourceConversations] = await Promise.all([
          tx.conversations.allOf(targetId),
          tx.conversations.allOf(sourceId),
        ]);
        // One open conversation per customer and account (email threads excepted: several may be open).
        const single = (c: Conversation) => c.status !== 'resolved' && c.channelKind !== 'email';
        const openOnTarget = new Set(targetConversations.filter(single).map((c) => c.channelAccountId));
        const clash = sourceConversations.find((c) => single(c) && openOnTarget.has(c.channelAccountId));
        if (clash) {
          throw new AppError('CONFLICT', 'both customers have an open conversation on the same channel account: resolve one first', {
            conversationId: clash.id,
          });
        }
        const now = deps.now();
        const [targetConsents, sourceConsents] = await Promise.all([tx.consents.list(targetId), tx.consents.list(sourceId)]);
        const { move, supersededOnTarget } = consentsToMove(targetConsents, sourceConsents);
        const dropped = sourceConsents.filter((c) => !move.includes(c));
        await tx.consents.remove([...supersededOnTarget, ...dropped].map((c) => c.id));
        await tx.consents.reassign(
          move.map((c) => c.id),
          targetId,
        );
        const identityIds = await tx.customers.moveIdentities(sourceId, targetId);
        const conversationIds = sourceConversations.map((c) => c.id);
        await tx.conversations.reassignCustomer(conversationIds, targetId, now);
        const webChatSessionIds = await tx.webChatSessions.moveCustomer(sourceId, targetId);
        await tx.customers.update(targetId, mergeProfiles(target, source), now);
        await tx.customers.setMergedInto(sourceId, targetId, now);
        const merge = await tx.customerMerges.create(
          {
            targetCustomerId: targetId,
            sourceCustomerId: sourceId,
            mergedBy: actor.id,
            record: {
              source,
              target,
              identityIds,
              conversationIds,
              webChatSessionIds,
              movedConsents: move,
              supersededConsents: [...supersededOnTarget, ...dropped],
            },
          },
          now,
        );
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'customer.merge',
            targetType: 'customer',
            targetId,
            data: { sourceCustomerId: sourceId, mergeId: merge.id, conversations: conversationIds.length, identities: identityIds.length },
          },
          now,
        );
        const events: DomainEvent[] = [];
        for (const c of sourceConversations) {
          const moved = (await tx.conversations.findById(c.id))!;
          events.push({ type: 'conversation.updated', conversation: moved, previous: c });
        }
        events.push(await updated(tx, targetId));
        events.push({
          type: 'customer.updated',
          customerId: sourceId,
          mergedInto: targetId,
          conversationIds: sourceConversations.filter((c) => c.status !== 'resolved').map((c) => c.id),
        });
        return { customer: (await tx.customers.findById(targetId))!, events };
      });
      deps.events.publish(...events);
      return customer;
    },
  };
}

export type LinkCustomers = ReturnType<typeof makeLinkCustomers>;
