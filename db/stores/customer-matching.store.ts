import type { Knex } from 'knex';
import type { DuplicateReason, MatchKey, MatchKeyKind } from '../../server/domain/customer-matching.js';
import type { Customer } from '../../server/domain/types.js';
import { newId } from '../ids.js';
import { parseJson } from '../json.js';
import { toCustomer, type CustomerRow } from './customers.store.js';
import { queueMatchCheck } from './match-queue.js';

export type DuplicateStatus = 'open' | 'dismissed';

export interface DuplicatePair {
  id: string;
  customerA: string;
  customerB: string;
  reasons: DuplicateReason[];
  score: number;
  status: DuplicateStatus;
  decidedBy: string | null;
  decidedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

interface PairRow {
  id: string;
  customer_a: string;
  customer_b: string;
  reasons: string;
  score: number;
  status: DuplicateStatus;
  decided_by: string | null;
  decided_at: number | null;
  created_at: number;
  updated_at: number;
}

const toPair = (r: PairRow): DuplicatePair => ({
  id: r.id,
  customerA: r.customer_a,
  customerB: r.customer_b,
  reasons: parseJson<DuplicateReason[]>(r.reasons, []),
  score: Number(r.score),
  status: r.status,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at === null ? null : Number(r.decided_at),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const CHUNK = 500;
const chunks = <T>(xs: T[]): T[][] => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

export class CustomerMatchingStore {
  constructor(private readonly db: Knex) {}

  enqueue(customerIds: string[]): Promise<void> {
    return queueMatchCheck(this.db, customerIds);
  }

  async queued(limit: number): Promise<{ customerId: string; token: string }[]> {
    const rows = await this.db('customer_match_queue').orderBy('token').limit(limit).select('customer_id', 'token');
    return rows.map((r: { customer_id: string; token: string }) => ({ customerId: r.customer_id, token: r.token }));
  }

  /** Takes a customer off the queue unless it was queued again meanwhile. */
  async dequeue(customerId: string, token: string): Promise<void> {
    await this.db('customer_match_queue').where({ customer_id: customerId, token }).delete();
  }

  async pendingCount(): Promise<number> {
    const row = await this.db('customer_match_queue').count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async replaceKeys(customerId: string, keys: MatchKey[]): Promise<void> {
    await this.db('customer_match_keys').where({ customer_id: customerId }).delete();
    if (keys.length) await this.db('customer_match_keys').insert(keys.map((k) => ({ kind: k.kind, key: k.key, customer_id: customerId })));
  }

  /** Customers other than `exceptId` sharing a key, at most `limit`. */
  async block(kind: MatchKeyKind, key: string, exceptId: string, limit: number): Promise<string[]> {
    const rows = await this.db('customer_match_keys')
      .where({ kind, key })
      .whereNot({ customer_id: exceptId })
      .orderBy('customer_id')
      .limit(limit)
      .select('customer_id');
    return rows.map((r: { customer_id: string }) => r.customer_id);
  }

  /** The comparable keys (name, phone, email) of each customer. */
  async keysOf(customerIds: string[]): Promise<Map<string, MatchKey[]>> {
    const out = new Map<string, MatchKey[]>();
    for (const ids of chunks(customerIds)) {
      const rows = await this.db('customer_match_keys').whereIn('customer_id', ids).whereIn('kind', ['name', 'phone', 'email']);
      for (const r of rows as { customer_id: string; kind: MatchKeyKind; key: string }[]) {
        const list = out.get(r.customer_id) ?? [];
        list.push({ kind: r.kind, key: r.key });
        out.set(r.customer_id, list);
      }
    }
    return out;
  }

  async pairsOf(customerId: string): Promise<DuplicatePair[]> {
    const rows = await this.db<PairRow>('customer_duplicates').where({ customer_a: customerId }).orWhere({ customer_b: customerId });
    return rows.map(toPair);
  }

  async findPair(id: string): Promise<DuplicatePair | undefined> {
    const r = await this.db<PairRow>('customer_duplicates').where({ id }).first();
    return r && toPair(r);
  }

  async findPairOf(a: string, b: string): Promise<DuplicatePair | undefined> {
    const r = await this.db<PairRow>('customer_duplicates').where({ customer_a: a, customer_b: b }).first();
    return r && toPair(r);
  }

  async insertPair(a: string, b: string, found: { reasons: DuplicateReason[]; score: number }, now: number): Promise<void> {
    await this.db('customer_duplicates').insert({
      id: newId(),
      customer_a: a,
      customer_b: b,
      reasons: JSON.stringify(found.reasons),
      score: found.score,
      status: 'open',
      decided_by: null,
      decided_at: null,
      created_at: now,
      updated_at: now,
    });
  }

  async updatePair(id: string, found: { reasons: DuplicateReason[]; score: number }, now: number): Promise<void> {
    await this.db('customer_duplicates')
      .where({ id })
      .update({ reasons: JSON.stringify(found.reasons), score: found.score, updated_at: now });
  }

  async deletePairs(ids: string[]): Promise<void> {
    for (const part of chunks(ids)) await this.db('customer_duplicates').whereIn('id', part).delete();
  }

  /** Records "not the same person" for a pair, whether or not it was suggested. */
  async dismiss(a: string, b: string, by: string, now: number): Promise<void> {
    await this.db('customer_duplicates')
      .insert({
        id: newId(),
        customer_a: a,
        customer_b: b,
        reasons: '[]',
        score: 0,
        status: 'dismissed',
        decided_by: by,
        decided_at: now,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['customer_a', 'customer_b'])
      .merge({ status: 'dismissed', decided_by: by, decided_at: now, updated_at: now });
  }

  /** Open suggestions between two live customers, best first, after a (score, id) cursor. */
  async listOpen(limit: number, after?: { score: number; id: string }): Promise<{ pair: DuplicatePair; a: Customer; b: Customer }[]> {
    const q = this.db('customer_duplicates as d')
      .join('customers as ca', 'ca.id', 'd.customer_a')
      .join('customers as cb', 'cb.id', 'd.customer_b')
      .where('d.status', 'open')
      .whereNull('ca.merged_into')
      .whereNull('cb.merged_into')
      .orderBy([
        { column: 'd.score', order: 'desc' },
        { column: 'd.id', order: 'asc' },
      ])
      .limit(limit)
      .select('d.*');
    if (after)
      q.where((w) => w.where('d.score', '<', after.score).orWhere((x) => x.where('d.score', after.score).where('d.id', '>', after.id)));
    const pairs = ((await q) as PairRow[]).map(toPair);
    if (!pairs.length) return [];
    const ids = [...new Set(pairs.flatMap((p) => [p.customerA, p.customerB]))];
    const customers = new Map((await this.db<CustomerRow>('customers').whereIn('id', ids)).map((r) => [r.id, toCustomer(r)]));
    return pairs.map((pair) => ({ pair, a: customers.get(pair.customerA)!, b: customers.get(pair.customerB)! }));
  }
}
