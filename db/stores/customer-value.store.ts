// What the CRM derives on the customer row: order metrics, RFM scores, the effective tier and VIP flag
// (with a supervisor's overrides next to them), and the tier's share of a waiting conversation's priority.
import type { Knex } from 'knex';
import type { CustomerValue, OrderSummary } from '../../server/domain/crm/rfm.js';
import type { ValueTier } from '../../server/domain/types.js';
import { bool } from '../json.js';

export interface StoredValue extends OrderSummary {
  totalSpent: number;
  recency: number | null;
  frequency: number | null;
  monetary: number | null;
  valueTier: ValueTier | null;
  vip: boolean;
  tierOverride: ValueTier | null;
  vipOverride: boolean | null;
  scoredAt: number | null;
  mergedInto: string | null;
}

const COLUMNS = [
  'order_count',
  'total_spent',
  'last_order_at',
  'window_orders',
  'window_spent',
  'rfm_recency',
  'rfm_frequency',
  'rfm_monetary',
  'value_tier',
  'vip',
  'tier_override',
  'vip_override',
  'scored_at',
  'merged_into',
];

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class CustomerValueStore {
  constructor(private readonly db: Knex) {}

  async find(customerId: string): Promise<StoredValue | undefined> {
    const r = await this.db('customers').where({ id: customerId }).first(COLUMNS);
    if (!r) return undefined;
    return {
      orderCount: Number(r.order_count),
      totalSpent: Number(r.total_spent),
      lastOrderAt: num(r.last_order_at),
      windowOrders: Number(r.window_orders),
      windowSpent: Number(r.window_spent),
      recency: num(r.rfm_recency),
      frequency: num(r.rfm_frequency),
      monetary: num(r.rfm_monetary),
      valueTier: r.value_tier,
      vip: bool(r.vip),
      tierOverride: r.tier_override,
      vipOverride: r.vip_override === null || r.vip_override === undefined ? null : bool(r.vip_override),
      scoredAt: num(r.scored_at),
      mergedInto: r.merged_into ?? null,
    };
  }

  async write(customerId: string, summary: OrderSummary & { totalSpent: number }, value: CustomerValue, now: number): Promise<void> {
    await this.db('customers').where({ id: customerId }).update({
      order_count: summary.orderCount,
      total_spent: summary.totalSpent,
      last_order_at: summary.lastOrderAt,
      window_orders: summary.windowOrders,
      window_spent: summary.windowSpent,
      rfm_recency: value.recency,
      rfm_frequency: value.frequency,
      rfm_monetary: value.monetary,
      value_tier: value.valueTier,
      vip: value.vip,
      scored_at: now,
      updated_at: now,
    });
  }

  /** undefined leaves an override as it is; null clears it (back to computed). */
  async setOverrides(customerId: string, o: { tier?: ValueTier | null; vip?: boolean | null }, now: number): Promise<void> {
    const row: Record<string, unknown> = { updated_at: now };
    if (o.tier !== undefined) row.tier_override = o.tier;
    if (o.vip !== undefined) row.vip_override = o.vip;
    await this.db('customers').where({ id: customerId }).update(row);
  }

  /** The order metrics of live customers with orders (quintile cuts before the first full refresh). */
  async population(): Promise<{ lastOrderAt: number; windowOrders: number; windowSpent: number }[]> {
    const rows = await this.db('customers')
      .whereNull('merged_into')
      .where('order_count', '>', 0)
      .select('last_order_at', 'window_orders', 'window_spent');
    return rows.map((r: Record<string, unknown>) => ({
      lastOrderAt: Number(r.last_order_at),
      windowOrders: Number(r.window_orders),
      windowSpent: Number(r.window_spent),
    }));
  }

  /** The unresolved conversations of a customer. */
  async openConversationIds(customerId: string): Promise<string[]> {
    const rows = await this.db('conversations').where({ customer_id: customerId }).whereNot({ status: 'resolved' }).select('id');
    return rows.map((r: { id: string }) => r.id);
  }

  /** How much of each conversation's priority its customer's tier contributed. */
  async tierPriorities(conversationIds: string[]): Promise<Map<string, number>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.db('conversations').whereIn('id', conversationIds).select('id', 'tier_priority');
    return new Map(rows.map((r: { id: string; tier_priority: number }) => [r.id, Number(r.tier_priority)]));
  }

  async setTierPriority(conversationId: string, tierPriority: number): Promise<void> {
    await this.db('conversations').where({ id: conversationId }).update({ tier_priority: tierPriority });
  }

  /** How much of a conversation's priority its customer's tier and its IVR queue node contributed. */
  async priorityShares(conversationId: string): Promise<{ tier: number; queue: number }> {
    const r = await this.db('conversations').where({ id: conversationId }).first('tier_priority', 'queue_priority');
    return { tier: Number(r?.tier_priority ?? 0), queue: Number(r?.queue_priority ?? 0) };
  }

  /** Counts `priority` as added by an IVR queue node (leaving the queue takes it off again). */
  async addQueuePriority(conversationId: string, priority: number): Promise<void> {
    await this.db('conversations').where({ id: conversationId }).increment('queue_priority', priority);
  }

  async clearPriorityShares(conversationId: string): Promise<void> {
    await this.db('conversations').where({ id: conversationId }).update({ tier_priority: 0, queue_priority: 0 });
  }
}
