// Segments: named rule sets over customers, counted live (never stored as member lists), and paged
// through by customer id. Counting and paging run through SegmentReads (off the event loop on SQLite).
import type { SegmentReads } from '../../../db/crm/segment-reads.js';
import { AppError, notFound } from '../../domain/errors.js';
import type { Segment } from '../../domain/crm/segments.js';
import type { SegmentRules } from '../../domain/crm/segment-rules.js';
import type { Actor } from '../../domain/policy.js';
import type { Customer } from '../../domain/types.js';
import type { Deps } from '../deps.js';
import { attributeKeysOf, parseSegmentRules } from './segment-schema.js';

export interface SegmentInput {
  name: string;
  description?: string | null;
  rules: unknown;
}

export function makeManageSegments(deps: Deps, reads: SegmentReads) {
  const { store } = deps;

  const rulesOf = async (input: unknown): Promise<SegmentRules> =>
    parseSegmentRules(input, await store.attributeDefinitions.findMany(attributeKeysOf(input)));

  const find = async (id: string): Promise<Segment> => {
    const s = await store.segments.findById(id);
    if (!s) throw notFound('segment');
    return s;
  };

  const audit = (actor: Actor, action: string, id: string, now: number) =>
    store.audit.record({ actorType: 'user', actorId: actor.id, action, targetType: 'segment', targetId: id }, now);

  return {
    list: () => store.segments.list(),
    get: find,

    async create(actor: Actor, input: SegmentInput): Promise<Segment> {
      const rules = await rulesOf(input.rules);
      const now = deps.now();
      const segment = await store.segments.create(
        { name: input.name, description: input.description ?? null, rules, createdBy: actor.id },
        now,
      );
      await audit(actor, 'segment.create', segment.id, now);
      return segment;
    },

    async update(actor: Actor, id: string, patch: Partial<SegmentInput>): Promise<Segment> {
      await find(id);
      const rules = patch.rules === undefined ? undefined : await rulesOf(patch.rules);
      const now = deps.now();
      await store.segments.update(id, { name: patch.name, description: patch.description, rules }, now);
      await audit(actor, 'segment.update', id, now);
      return find(id);
    },

    async remove(actor: Actor, id: string): Promise<void> {
      if (!(await store.segments.remove(id))) throw notFound('segment');
      await audit(actor, 'segment.delete', id, deps.now());
    },

    /** How many live customers match now. */
    async count(id: string): Promise<{ count: number; countedAt: number }> {
      const segment = await find(id);
      const now = deps.now();
      return { count: await reads.count(segment.rules, now), countedAt: now };
    },

    /** The count of rules not saved yet (the rule builder's live count). */
    async preview(rules: unknown): Promise<{ count: number; countedAt: number }> {
      const parsed = await rulesOf(rules);
      const now = deps.now();
      return { count: await reads.count(parsed, now), countedAt: now };
    },

    /** Members in customer-id order, `limit` at a time after `afterId` (keyset paging). */
    async members(id: string, page: { afterId?: string; limit: number }): Promise<{ customers: Customer[]; nextCursor: string | null }> {
      const segment = await find(id);
      if (page.limit < 1 || page.limit > 500) throw new AppError('VALIDATION', 'limit: 1 to 500');
      const ids = await reads.members(segment.rules, deps.now(), { afterId: page.afterId, limit: page.limit + 1 });
      const pageIds = ids.slice(0, page.limit);
      const byId = new Map((await store.customers.findManyByIds(pageIds)).map((c) => [c.id, c]));
      const customers = pageIds.map((i) => byId.get(i)).filter((c): c is Customer => c !== undefined);
      return { customers, nextCursor: ids.length > page.limit ? pageIds.at(-1)! : null };
    },
  };
}

export type ManageSegments = ReturnType<typeof makeManageSegments>;
