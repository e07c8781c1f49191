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
}

interface MergeRow {
  id: string;
  target_customer_id: string;
  source_customer_id: string;
  record: string;
  merged_by: string | null;
  created_at: number;
  undone_at: number | null;
}

const toMerge = (r: MergeRow): CustomerMerge => ({
  id: r.id,
  targetCustomerId: r.target_customer_id,
  sourceCustomerId: r.source_customer_id,
  record: parseJson<MergeRecord>(r.record, {} as MergeRecord),
  mergedBy: r.merged_by,
  createdAt: r.created_at,
  undoneAt: r.undone_at,
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
}
