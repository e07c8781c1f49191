// Orders: a customer's purchase history, posted one at a time, in bulk or from a CSV file. A batch is
// all or nothing: every item is checked (customer, amount, currency, date, the same order posted before
// with other details) and one bad item writes none, with each problem named by its item. An order's
// key is (source, external id): posting it again returns the stored order, so a retry never counts a
// purchase twice. The customers' value (RFM, tier, VIP) is rescored in the same transaction.
import type { Stores } from '../../../db/store.js';
import { orderKey } from '../../../db/stores/orders.store.js';
import { AppError, notFound } from '../../domain/errors.js';
import { parseAmount, type Order } from '../../domain/crm/orders.js';
import type { Actor } from '../../domain/policy.js';
import type { Customer } from '../../domain/types.js';
import type { Deps } from '../deps.js';
import { makeScorer, type Rescored } from './customer-value.js';

export interface OrderInput {
  customerId: string;
  externalId: string;
  /** Default "api". */
  source?: string;
  /** A decimal string ("1500.50") or a number with at most two decimals. */
  amount: string | number;
  /** ISO 4217; default: the desk's currency (any other is refused). */
  currency?: string;
  /** ISO 8601 date-time, or epoch ms. */
  orderedAt: string | number;
}

/** One problem of one item: `index` into the batch (or a CSV row number, given by the caller's `where`). */
export interface ItemError {
  index: number;
  path: string;
  message: string;
}

export interface Recorded {
  order: Order;
  /** False when the same order was already stored (an idempotent repeat). */
  created: boolean;
}

/** Orders may be dated up to a day ahead (time zones, clocks); later than that is a mistake. */
const FUTURE_SLACK_MS = 86_400_000;

function toTime(value: string | number): number | null {
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(t) && t > 0 ? t : null;
}

/** Batches touching more customers than this are rescored by a full refresh after commit. */
export const INLINE_RESCORE_MAX = 1_000;

/** `refreshLater`: starts a full RFM refresh in the background (after a large import). */
export function makeRecordOrders(deps: Deps, refreshLater: () => void) {
  const { store } = deps;

  async function inTransaction(tx: Stores, actor: Actor, items: OrderInput[], now: number) {
    const settings = await tx.crmSettings.settings();
    const errors: ItemError[] = [];
    const ids = [...new Set(items.map((i) => i.customerId))];
    const customers = new Map<string, Customer>();
    for (let i = 0; i < ids.length; i += 500)
      for (const c of await tx.customers.findManyByIds(ids.slice(i, i + 500))) customers.set(c.id, c);
    const drafts = items.map((item, index) => {
      const fail = (path: string, message: string) => errors.push({ index, path, message });
      const customer = customers.get(item.customerId);
      if (!customer) fail('customerId', `customer ${item.customerId} not found`);
      else if (customer.mergedInto)
        fail('customerId', `customer ${item.customerId} was merged into ${customer.mergedInto}: post to that profile`);
      const amount = parseAmount(item.amount);
      if (amount === null) fail('amount', 'a non-negative amount with at most two decimals, e.g. "1500.50"');
      const currency = (item.currency ?? settings.currency).toUpperCase();
      if (currency !== settings.currency)
        fail('currency', `${currency} is not the desk's currency ${settings.currency} (CRM settings): convert the amount first`);
      const orderedAt = toTime(item.orderedAt);
      if (orderedAt === null) fail('orderedAt', 'an ISO 8601 date-time such as 2025-03-01T10:00:00+07:00, or epoch milliseconds');
      else if (orderedAt > now + FUTURE_SLACK_MS) fail('orderedAt', 'is in the future');
      return {
        customerId: item.customerId,
        source: item.source ?? 'api',
        externalId: item.externalId,
        amountHundredths: amount ?? 0,
        currency,
        orderedAt: orderedAt ?? 0,
      };
    });

    // The same key twice: the same order again (fine, stored once) or two different orders (refused).
    const existing = await tx.orders.findByKeys(drafts);
    const seen = new Map<string, number>();
    const fresh: typeof drafts = [];
    const results: { index: number; key: string; existing?: Order }[] = [];
    drafts.forEach((d, index) => {
      const key = orderKey(d.source, d.externalId);
      const before = existing.get(key);
      const earlier = seen.get(key);
      const other = before ?? (earlier !== undefined ? drafts[earlier] : undefined);
      if (other) {
        const differs =
          other.customerId !== d.customerId ||
          other.amountHundredths !== d.amountHundredths ||
          other.currency !== d.currency ||
          other.orderedAt !== d.orderedAt;
        if (differs)
          errors.push({
            index,
            path: 'externalId',
            message: `order ${d.externalId} from ${d.source} is already recorded${before ? '' : ` (item ${earlier})`} with other details`,
          });
        results.push({ index, key, existing: before });
        return;
      }
      seen.set(key, index);
      fresh.push(d);
      results.push({ index, key });
    });
    if (errors.length) {
      const sorted = errors.sort((a, b) => a.index - b.index);
      const conflict = sorted.every((e) => e.path === 'externalId');
      throw new AppError(
        conflict && items.length === 1 ? 'CONFLICT' : 'VALIDATION',
        sorted
          .slice(0, 20)
          .map((e) => `[${e.index}].${e.path}: ${e.message}`)
          .join('; '),
        sorted,
      );
    }

    const inserted = new Map((await tx.orders.insertMany(fresh, now)).map((o) => [orderKey(o.source, o.externalId), o]));
    const touched = [...new Set(fresh.map((d) => d.customerId))];
    // A large import is rescored by a full refresh after commit (off the request, chunked) rather than
    // customer by customer inside this transaction.
    const inline = touched.length <= INLINE_RESCORE_MAX;
    const rescored: Rescored[] = [];
    if (inline) {
      const score = await makeScorer(tx, now);
      for (const customerId of touched) {
        const r = await score(customerId);
        if (r) rescored.push(r);
      }
    }
    const changed: { customerId: string; conversationIds: string[] }[] = [];
    for (const r of rescored.filter((x) => x.tierChanged)) {
      changed.push({ customerId: r.customerId, conversationIds: await tx.customerValue.openConversationIds(r.customerId) });
    }
    if (fresh.length) {
      await tx.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'orders.record',
          targetType: 'customer',
          targetId: fresh.length === 1 ? fresh[0]!.customerId : null,
          data: { orders: fresh.length, customers: touched.length },
        },
        now,
      );
    }
    const recorded: Recorded[] = results.map((r) => {
      const order = r.existing ?? inserted.get(r.key)!;
      return { order, created: !r.existing && inserted.has(r.key) && seen.get(r.key) === r.index };
    });
    return { recorded, changed, refresh: !inline };
  }

  async function record(actor: Actor, items: OrderInput[]): Promise<Recorded[]> {
    const now = deps.now();
    const { recorded, changed, refresh } = await store.transaction((tx) => inTransaction(tx, actor, items, now));
    if (refresh) refreshLater();
    for (const c of changed)
      deps.events.publish({ type: 'customer.updated', customerId: c.customerId, mergedInto: null, conversationIds: c.conversationIds });
    return recorded;
  }

  return {
    record,
    /** Rescores one customer now (after a merge brought another profile's orders). */
    async rescore(customerId: string): Promise<void> {
      const now = deps.now();
      const changed = await store.transaction(async (tx) => {
        const r = await (await makeScorer(tx, now))(customerId);
        return r?.tierChanged ? tx.customerValue.openConversationIds(customerId) : undefined;
      });
      if (changed) deps.events.publish({ type: 'customer.updated', customerId, mergedInto: null, conversationIds: changed });
    },
    async recordOne(actor: Actor, customerId: string, item: Omit<OrderInput, 'customerId'>): Promise<Recorded> {
      if (!(await store.customers.findById(customerId))) throw notFound('customer');
      const [one] = await record(actor, [{ ...item, customerId }]);
      return one!;
    },
    async list(customerId: string, page: { limit: number; cursor?: string }): Promise<{ orders: Order[]; nextCursor: string | null }> {
      if (!(await store.customers.findById(customerId))) throw notFound('customer');
      const before = page.cursor ? await store.orders.findById(page.cursor) : undefined;
      if (page.cursor && (!before || before.customerId !== customerId))
        throw new AppError('VALIDATION', 'cursor: not a cursor this API returned');
      const rows = await store.orders.listOf(customerId, { limit: page.limit + 1, before });
      const orders = rows.slice(0, page.limit);
      return { orders, nextCursor: rows.length > page.limit ? orders.at(-1)!.id : null };
    },
  };
}

export type RecordOrders = ReturnType<typeof makeRecordOrders>;
