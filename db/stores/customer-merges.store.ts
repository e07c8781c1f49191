import type { Knex } from 'knex';
import type { Consent } from '../../server/domain/customer-merge.js';
import type { Customer } from '../../server/domain/types.js';
import { newId } from '../ids.js';
import { parseJson } from '../json.js';

/** What a merge changed, kept so it can be undone. */
export interface MergeRecord {
  source: Customer;
  target: Customer;
  identityIds: string[];
  conversationIds: string[];
  webChatSessionIds: string[];
  movedConsents: Consent[];
  supersededConsents: Consent[];
}

export interface CustomerMerge {
  id: string;
  targetCustomerId: string;
  sourceCustomerId: string;
  record: MergeRecord;
  mergedBy: string | null;
  createdAt: number;
  undoneAt: number | null;
  undoneBy?: string | null;
}

interface MergeRow {
  id: string;
  target_customer_id: string;
  source_customer_id: string;
  record: string;
  merged_by: string | null;
  created_at: number;
  undone_at: number | null;
  undone_by?: string | null;
}

const toMerge = (r: MergeRow): CustomerMerge => ({
  id: r.id,
  targetCustomerId: r.target_customer_id,
  sourceCustomerId: r.source_customer_id,
  record: parseJson<MergeRecord>(r.record, {} as MergeRecord),
  mergedBy: r.merged_by,
  createdAt: Number(r.created_at),
  undoneAt: r.undone_at === null ? null : Number(r.undone_at),
  undoneBy: r.undone_by ?? null,
});

export class CustomerMergesStore {
  constructor(private readonly db: Knex) {}

  async create(input: { targetCustomerId: string; sourceCustomerId: string; record: MergeRecord; mergedBy: string | null }, now: number) {
    const row: MergeRow = {
      id: newId(),
      target_customer_id: input.targetCustomerId,
      source_customer_id: input.sourceCustomerId,
      record: JSON.stringify(input.record),
      merged_by: input.mergedBy,
      created_at: now,
      undone_at: null,
    };
    await this.db('customer_merges').insert(row);
    return toMerge(row);
  }

  /** Merges into this customer that are still in effect, newest first. */
  async activeInto(targetCustomerId: string): Promise<CustomerMerge[]> {
    const rows = await this.db<MergeRow>('customer_merges')
      .where({ target_customer_id: targetCustomerId })
      .whereNull('undone_at')
      .orderBy('created_at', 'desc');
    return rows.map(toMerge);
  }

  async findById(id: string): Promise<CustomerMerge | undefined> {
    const r = await this.db<MergeRow>('customer_merges').where({ id }).first();
    return r && toMerge(r);
  }

  /** Merges into or out of this customer, undone ones too, newest first. */
  async listFor(customerId: string, limit: number): Promise<CustomerMerge[]> {
    const rows = await this.db<MergeRow>('customer_merges')
      .where({ target_customer_id: customerId })
      .orWhere({ source_customer_id: customerId })
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toMerge);
  }

  /** Every merge, newest first (ids are time-ordered), before a cursor id. */
  async listRecent(limit: number, before?: string): Promise<CustomerMerge[]> {
    const q = this.db<MergeRow>('customer_merges').orderBy('id', 'desc').limit(limit);
    if (before) q.where('id', '<', before);
    return (await q).map(toMerge);
  }

  /** Marks a merge undone, once: false when it already was. */
  async markUndone(id: string, by: string, now: number): Promise<boolean> {
    return (await this.db('customer_merges').where({ id }).whereNull('undone_at').update({ undone_at: now, undone_by: by })) > 0;
  }
}
