// Undoing a merge: the profile that was linked in becomes a customer of its own again with what it
// brought (identities, conversations, chat sessions, consents, profile), from the merge record. What
// happened since is respected: a field edited on the kept profile after the merge keeps its new value, an
// identity a supervisor removed stays removed, a consent decision recorded after the merge stays where it
// was recorded. One transaction, audited; the two are never suggested as duplicates again.
import { isDeepStrictEqual } from 'node:util';
import { mergeProfiles, type Consent, type MergedProfile, type MergeSummary } from '../domain/customer-merge.js';
import { orderedPair } from '../domain/customer-matching.js';
import type { DomainEvent } from '../domain/events.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import { hasRole, type Actor } from '../domain/policy.js';
import type { Customer, IdentityKind } from '../domain/types.js';
import { newId } from '../../db/ids.js';
import type { Stores } from '../../db/store.js';
import type { CustomerMerge } from '../../db/stores/customer-merges.store.js';
import type { Deps } from './deps.js';

export interface UnmergeResult {
  target: Customer;
  source: Customer;
  restored: { identities: number; conversations: number; webChatSessions: number; consents: number };
  /** Identities that moved in the merge but were removed from the kept profile since (they stay removed). */
  identitiesGone: string[];
}

// Channel ids are scoped to their account: a conversation begun after the merge on an account where only the
// returning profile is known belongs to it.
const CHANNEL_SCOPED: IdentityKind[] = ['web_chat', 'line', 'messenger', 'slack'];

const PROFILE_FIELDS = [
  'name',
  'locale',
  'tags',
  'attributes',
  'valueTier',
  'vip',
  'lastContactAt',
] as const satisfies readonly (keyof MergedProfile)[];

/** The kept profile as it was before the merge, except fields changed since the merge (those keep their new value). */
function restoredTarget(current: Customer, before: Customer, source: Customer): MergedProfile {
  const merged = mergeProfiles(before, source);
  const out = {} as Record<keyof MergedProfile, unknown>;
  for (const f of PROFILE_FIELDS) out[f] = isDeepStrictEqual(current[f], merged[f]) ? before[f] : current[f];
  return out as unknown as MergedProfile;
}

export function makeUnmergeCustomers(deps: Deps) {
  const { store } = deps;

  async function summarize(tx: Stores, merges: CustomerMerge[]): Promise<MergeSummary[]> {
    const customers = new Map(
      (await tx.customers.findManyByIds(merges.flatMap((m) => [m.targetCustomerId, m.sourceCustomerId]))).map((c) => [c.id, c]),
    );
    const userIds = [...new Set(merges.flatMap((m) => [m.mergedBy, m.undoneBy ?? null]).filter((id): id is string => !!id))];
    const users = new Map<string, { id: string; name: string }>();
    for (const id of userIds) {
      const u = await tx.users.findById(id);
      if (u) users.set(id, { id: u.id, name: u.name });
    }
    return merges.map((m) => ({
      id: m.id,
      target: { id: m.targetCustomerId, name: customers.get(m.targetCustomerId)?.name ?? null },
      source: { id: m.sourceCustomerId, name: customers.get(m.sourceCustomerId)?.name ?? m.record.source?.name ?? null },
      mergedBy: (m.mergedBy && users.get(m.mergedBy)) || null,
      createdAt: m.createdAt,
      undoneAt: m.undoneAt,
      undoneBy: (m.undoneBy && users.get(m.undoneBy)) || null,
      moved: {
        identities: m.record.identityIds?.length ?? 0,
        conversations: m.record.conversationIds?.length ?? 0,
        consents: m.record.movedConsents?.length ?? 0,
      },
    }));
  }

  return {
    /** Merges into or out of one customer, newest first. */
    async historyOf(customerId: string): Promise<MergeSummary[]> {
      if (!(await store.customers.findById(customerId))) throw notFound('customer');
      return summarize(store, await store.customerMerges.listFor(customerId, 100));
    },

    /** Every merge, newest first, paged by the last id. */
    async recent(limit: number, before?: string): Promise<{ merges: MergeSummary[]; nextCursor: string | null }> {
      const rows = await store.customerMerges.listRecent(limit + 1, before);
      const page = rows.slice(0, limit);
      return { merges: await summarize(store, page), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
    },

    async unmerge(actor: Actor, mergeId: string): Promise<UnmergeResult> {
      if (!hasRole(actor, 'supervisor')) throw forbidden('only supervisors undo a merge');
      const { result, events } = await store.transaction(async (tx) => {
        const merge = await tx.customerMerges.findById(mergeId);
        if (!merge) throw notFound('merge');
        const { targetCustomerId: targetId, sourceCustomerId: sourceId, record } = merge;
        await tx.customers.lock([targetId, sourceId]);
        if (merge.undoneAt) throw new AppError('CONFLICT', 'this merge was already undone', { undoneAt: merge.undoneAt });
        const target = (await tx.customers.findById(targetId))!;
        const source = (await tx.customers.findById(sourceId))!;
        if (target.mergedInto) {
          const later = (await tx.customerMerges.listFor(targetId, 100)).find((m) => m.sourceCustomerId === targetId && !m.undoneAt);
          throw new AppError(
            'CONFLICT',
            'the kept profile was itself merged into another customer after this merge: undo that merge first',
            { mergedInto: target.mergedInto, mergeId: later?.id ?? null },
          );
        }
        if (source.mergedInto !== targetId) {
          throw new AppError('CONFLICT', 'the linked profile is no longer merged into the kept one', { mergedInto: source.mergedInto });
        }
        const now = deps.now();

        // Identities: the ones that moved and are still on the kept profile.
        const onTarget = await tx.customers.identities(targetId);
        const movedIds = new Set(record.identityIds);
        const back = onTarget.filter((i) => movedIds.has(i.id));
        const identitiesGone = record.identityIds.filter((id) => !onTarget.some((i) => i.id === id));
        await tx.customers.reassignIdentities(
          back.map((i) => i.id),
          sourceId,
        );

        // Conversations: the ones that moved, and those begun since on an account only the returning profile is known on.
        const scoped = (list: typeof onTarget) => new Set(list.filter((i) => CHANNEL_SCOPED.includes(i.kind)).map((i) => i.scope));
        const returningAccounts = scoped(back);
        const stayingAccounts = scoped(onTarget.filter((i) => !movedIds.has(i.id)));
        const movedConversations = new Set(record.conversationIds);
        const conversations = (await tx.conversations.allOf(targetId)).filter(
          (c) =>
            movedConversations.has(c.id) ||
            (c.createdAt >= merge.createdAt && returningAccounts.has(c.channelAccountId) && !stayingAccounts.has(c.channelAccountId)),
        );
        await tx.conversations.reassignCustomer(
          conversations.map((c) => c.id),
          sourceId,
          now,
        );
        const sessions = await tx.webChatSessions.reassign(record.webChatSessionIds, targetId, sourceId);

        // Consents: a moved decision unchanged since goes back; one changed on the kept profile since stays there,
        // and the returning profile gets its own decision back. Superseded ones return where their channel is free.
        const targetConsents = await tx.consents.list(targetId);
        const unchanged = (m: Consent) => targetConsents.some((c) => c.id === m.id && c.updatedAt === m.updatedAt);
        const movedBack = record.movedConsents.filter(unchanged);
        await tx.consents.reassign(
          movedBack.map((c) => c.id),
          sourceId,
        );
        const copies = record.movedConsents.filter((m) => !unchanged(m)).map((m) => ({ ...m, id: newId(), customerId: sourceId }));
        const channelsOn = new Map([
          [targetId, new Set(targetConsents.filter((c) => !movedBack.some((m) => m.id === c.id)).map((c) => c.channel))],
          [sourceId, new Set([...record.movedConsents].map((c) => c.channel))],
        ]);
        const superseded = record.supersededConsents.filter((c) => {
          const taken = channelsOn.get(c.customerId);
          return taken !== undefined && !taken.has(c.channel);
        });
        await tx.consents.restore([...copies, ...superseded]);

        // Profiles: the returning one exactly as it was (it could not change while merged), its last contact
        // including what its conversations heard meanwhile; the kept one as before, but for fields edited since.
        const lastHeard = Math.max(record.source.lastContactAt ?? 0, ...conversations.map((c) => c.lastCustomerMessageAt ?? 0));
        const { name, locale, tags, attributes, valueTier, vip } = record.source;
        await tx.customers.update(sourceId, { name, locale, tags, attributes, valueTier, vip, lastContactAt: lastHeard || null }, now);
        await tx.customers.update(targetId, restoredTarget(target, record.target, record.source), now);
        await tx.customers.setMergedInto(sourceId, null, now);
        await tx.customerMerges.markUndone(mergeId, actor.id, now);
        const [a, b] = orderedPair(targetId, sourceId);
        await tx.customerMatching.dismiss(a, b, actor.id, now);
        const restored = {
          identities: back.length,
          conversations: conversations.length,
          webChatSessions: sessions.length,
          consents: movedBack.length + copies.length + superseded.length,
        };
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'customer.unmerge',
            targetType: 'customer',
            targetId,
            data: { sourceCustomerId: sourceId, mergeId, ...restored, identitiesGone },
          },
          now,
        );

        const events: DomainEvent[] = [];
        for (const c of conversations) {
          events.push({ type: 'conversation.updated', conversation: (await tx.conversations.findById(c.id))!, previous: c });
        }
        const open = async (id: string) => (await tx.conversations.allOf(id)).filter((c) => c.status !== 'resolved').map((c) => c.id);
        events.push(
          { type: 'customer.updated', customerId: targetId, mergedInto: null, conversationIds: await open(targetId) },
          { type: 'customer.updated', customerId: sourceId, mergedInto: null, conversationIds: await open(sourceId) },
        );
        const result: UnmergeResult = {
          target: (await tx.customers.findById(targetId))!,
          source: (await tx.customers.findById(sourceId))!,
          restored,
          identitiesGone,
        };
        return { result, events };
      });
      deps.events.publish(...events);
      return result;
    },
  };
}

export type UnmergeCustomers = ReturnType<typeof makeUnmergeCustomers>;
