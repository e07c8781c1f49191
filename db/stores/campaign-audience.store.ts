// Who a campaign reaches: its segment's customers (db/crm/segment-query.ts; no segment = every live
// customer), paged by id for a one-off campaign, and the customers a trigger fires for, each with the
// occasion that fired it (an order, a silence, a period) and not yet taken by the campaign.
import type { Knex } from 'knex';
import type { SegmentRules } from '../../server/domain/crm/segment-rules.js';
import { segmentCustomerQuery } from '../crm/segment-query.js';
import { parseJson } from '../json.js';
import type { NewSend } from './campaigns.store.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The segment is gone (deleted after the campaign was made). */
export class SegmentMissing extends Error {
  constructor(readonly segmentId: string) {
    super(`segment ${segmentId} no longer exists`);
    this.name = 'SegmentMissing';
  }
}

export class CampaignAudienceStore {
  constructor(private readonly db: Knex) {}

  async segmentExists(segmentId: string): Promise<boolean> {
    return (await this.db('segments').where({ id: segmentId }).first('id')) !== undefined;
  }

  /**
   * `SELECT customers.id` of the audience. (Wrapped: a query builder is a thenable, and an async
   * function returning one would run it.)
   */
  private async audience(segmentId: string | null, now: number): Promise<{ query: Knex.QueryBuilder }> {
    if (segmentId === null) return { query: this.db('customers').select('customers.id').whereNull('customers.merged_into') };
    const row = (await this.db('segments').where({ id: segmentId }).first('rules')) as { rules: string } | undefined;
    if (!row) throw new SegmentMissing(segmentId);
    return { query: segmentCustomerQuery(this.db, parseJson<SegmentRules>(row.rules, { all: [] }), now) };
  }

  /** The next `limit` customer ids of the audience after `afterId`, in id order. */
  async page(segmentId: string | null, afterId: string | null, limit: number, now: number): Promise<string[]> {
    const q = (await this.audience(segmentId, now)).query.orderBy('customers.id').limit(limit);
    if (afterId) q.where('customers.id', '>', afterId);
    return ((await q) as { id: string }[]).map((r) => r.id);
  }

  async count(segmentId: string | null, now: number): Promise<number> {
    const row = (await (await this.audience(segmentId, now)).query.clearSelect().count({ n: '*' }).first()) as
      { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** Occasions the campaign has not taken yet (`occasionSql`: the occasion key as an SQL expression). */
  private notTaken(q: Knex.QueryBuilder, campaignId: string, customerColumn: string, occasionSql: string, bindings: string[] = []): void {
    q.whereNotExists((s) =>
      s
        .select(this.db.raw('1'))
        .from('campaign_sends as cs')
        .where('cs.campaign_id', campaignId)
        .whereRaw(`cs.customer_id = ${customerColumn}`)
        .whereRaw(`cs.occasion = ${occasionSql}`, bindings),
    );
  }

  /**
   * A service reminder `delayHours` after each order: orders whose reminder falls due between the
   * campaign's start and now (older ones are history, not a reminder to send today), due at that time.
   */
  async afterPurchase(
    campaignId: string,
    segmentId: string | null,
    delayHours: number,
    startedAt: number,
    now: number,
    limit: number,
  ): Promise<NewSend[]> {
    const delay = delayHours * HOUR;
    const q = this.db('orders as o')
      .whereIn('o.customer_id', (await this.audience(segmentId, now)).query)
      .where('o.ordered_at', '>=', startedAt - delay)
      .where('o.ordered_at', '<=', now - delay)
      .orderBy('o.ordered_at')
      .limit(limit)
      .select('o.id', 'o.customer_id', 'o.ordered_at');
    this.notTaken(q, campaignId, 'o.customer_id', "('order:' || o.id)");
    const rows = (await q) as { id: string; customer_id: string; ordered_at: number | string }[];
    return rows.map((r) => ({ customerId: r.customer_id, occasion: `order:${r.id}`, dueAt: Number(r.ordered_at) + delay }));
  }

  /** A win-back when a customer has been silent `days` days: once per silence (keyed by their last contact). */
  async silentFor(campaignId: string, segmentId: string | null, days: number, now: number, limit: number): Promise<NewSend[]> {
    const q = (await this.audience(segmentId, now)).query
      .clearSelect()
      .select('customers.id', 'customers.last_contact_at')
      .whereNotNull('customers.last_contact_at')
      .where('customers.last_contact_at', '<=', now - days * DAY)
      .orderBy('customers.id')
      .limit(limit);
    this.notTaken(q, campaignId, 'customers.id', "('silent:' || CAST(customers.last_contact_at AS TEXT))");
    const rows = (await q) as { id: string; last_contact_at: number | string }[];
    return rows.map((r) => ({ customerId: r.id, occasion: `silent:${Number(r.last_contact_at)}`, dueAt: now }));
  }

  /**
   * A win-back when a customer's orders in the last `windowDays` fell by `dropPercent` or more against
   * the window before (who had at least one order then): at most once per `windowDays` for a customer
   * (the occasion names the period, so two scans of one period agree on the key).
   */
  async activityDropped(
    campaignId: string,
    segmentId: string | null,
    windowDays: number,
    dropPercent: number,
    now: number,
    limit: number,
  ): Promise<NewSend[]> {
    const window = windowDays * DAY;
    const recentStart = now - window;
    const occasion = `dropped:${Math.floor(now / window)}`;
    const q = this.db('orders as o')
      .whereIn('o.customer_id', (await this.audience(segmentId, now)).query)
      .where('o.ordered_at', '>=', now - 2 * window)
      .where('o.ordered_at', '<', now)
      .groupBy('o.customer_id')
      .havingRaw('sum(case when o.ordered_at < ? then 1 else 0 end) >= 1', [recentStart])
      .havingRaw('sum(case when o.ordered_at >= ? then 1 else 0 end) * 100 <= sum(case when o.ordered_at < ? then 1 else 0 end) * ?', [
        recentStart,
        recentStart,
        100 - dropPercent,
      ])
      .orderBy('o.customer_id')
      .limit(limit)
      .select('o.customer_id');
    q.whereNotExists((s) =>
      s
        .select(this.db.raw('1'))
        .from('campaign_sends as cs')
        .where('cs.campaign_id', campaignId)
        .whereRaw('cs.customer_id = o.customer_id')
        .where((w) => w.where('cs.occasion', occasion).orWhere('cs.created_at', '>', now - window)),
    );
    const rows = (await q) as { customer_id: string }[];
    return rows.map((r) => ({ customerId: r.customer_id, occasion, dueAt: now }));
  }
}
