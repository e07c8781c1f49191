import type { Knex } from 'knex';
import type { Order } from '../../server/domain/crm/orders.js';
import type { OrderSummary } from '../../server/domain/crm/rfm.js';
import { newId } from '../ids.js';

interface Row {
  id: string;
  customer_id: string;
  source: string;
  external_id: string;
  amount: number | string;
  currency: string;
  ordered_at: number;
  created_at: number;
}

const toOrder = (r: Row): Order => ({
  id: r.id,
  customerId: r.customer_id,
  source: r.source,
  externalId: r.external_id,
  amountHundredths: Number(r.amount),
  currency: r.currency,
  orderedAt: Number(r.ordered_at),
  createdAt: Number(r.created_at),
});

export type NewOrder = Omit<Order, 'id' | 'createdAt'>;

export class OrdersStore {
  constructor(private readonly db: Knex) {}

  /** Orders already stored under these (source, external id) keys. */
  async findByKeys(keys: { source: string; externalId: string }[]): Promise<Map<string, Order>> {
    const found = new Map<string, Order>();
    for (let i = 0; i < keys.length; i += 200) {
      const slice = keys.slice(i, i + 200);
      const rows = await this.db<Row>('orders').where((w) => {
        for (const k of slice) w.orWhere({ source: k.source, external_id: k.externalId });
      });
      for (const r of rows) found.set(orderKey(r.source, r.external_id), toOrder(r));
    }
    return found;
  }

  async insertMany(orders: NewOrder[], now: number): Promise<Order[]> {
    const rows: Row[] = orders.map((o) => ({
      id: newId(),
      customer_id: o.customerId,
      source: o.source,
      external_id: o.externalId,
      amount: o.amountHundredths,
      currency: o.currency,
      ordered_at: o.orderedAt,
      created_at: now,
    }));
    for (let i = 0; i < rows.length; i += 500) await this.db('orders').insert(rows.slice(i, i + 500));
    return rows.map(toOrder);
  }

  /** Newest first; `before` is an order id from the previous page. */
  async listOf(customerId: string, opts: { limit: number; before?: { orderedAt: number; id: string } }): Promise<Order[]> {
    const q = this.db<Row>('orders')
      .where({ customer_id: customerId })
      .orderBy([
        { column: 'ordered_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    if (opts.before) {
      const b = opts.before;
      q.where((w) =>
        w.where('ordered_at', '<', b.orderedAt).orWhere((x) => x.where('ordered_at', '=', b.orderedAt).where('id', '<', b.id)),
      );
    }
    return (await q.limit(opts.limit)).map(toOrder);
  }

  async any(): Promise<boolean> {
    return (await this.db('orders').first('id')) !== undefined;
  }

  async findById(id: string): Promise<Order | undefined> {
    const r = await this.db<Row>('orders').where({ id }).first();
    return r && toOrder(r);
  }

  /** One customer's history summarized for scoring (the window starts at `since`), with the orders of profiles merged into it. */
  async summaryOf(customerId: string, since: number): Promise<OrderSummary & { totalSpent: number }> {
    const owners = [customerId, ...(await mergedSourcesOf(this.db, [customerId])).get(customerId)!];
    const r = await this.db('orders')
      .whereIn('customer_id', owners)
      .first(
        this.db.raw('count(*) as n'),
        this.db.raw('coalesce(sum(amount), 0) as total'),
        this.db.raw('max(ordered_at) as last_at'),
        this.db.raw('coalesce(sum(case when ordered_at >= ? then 1 else 0 end), 0) as window_n', [since]),
        this.db.raw('coalesce(sum(case when ordered_at >= ? then amount else 0 end), 0) as window_total', [since]),
      );
    return {
      orderCount: Number(r?.n ?? 0),
      totalSpent: Number(r?.total ?? 0),
      lastOrderAt: r?.last_at === null || r?.last_at === undefined ? null : Number(r.last_at),
      windowOrders: Number(r?.window_n ?? 0),
      windowSpent: Number(r?.window_total ?? 0),
    };
  }
}

export const orderKey = (source: string, externalId: string): string => `${source}\u0000${externalId}`;

/**
 * The profiles merged (and not unmerged) into each of `targets`, through chains of merges, from the
 * merge records (indexed by target): a merged profile's orders count for the customer it joined.
 */
export async function mergedSourcesOf(db: Knex, targets: string[]): Promise<Map<string, string[]>> {
  const result = new Map(targets.map((t) => [t, [] as string[]]));
  let frontier = new Map(targets.map((t) => [t, t])); // profile -> the target it counts for
  for (let depth = 0; depth < 10 && frontier.size > 0; depth++) {
    const rows: { target_customer_id: string; source_customer_id: string }[] = await db('customer_merges')
      .whereIn('target_customer_id', [...frontier.keys()])
      .whereNull('undone_at')
      .select('target_customer_id', 'source_customer_id');
    const next = new Map<string, string>();
    for (const r of rows) {
      const root = frontier.get(r.target_customer_id)!;
      const list = result.get(root)!;
      if (list.includes(r.source_customer_id) || r.source_customer_id === root) continue;
      list.push(r.source_customer_id);
      next.set(r.source_customer_id, root);
    }
    frontier = next;
  }
  return result;
}
