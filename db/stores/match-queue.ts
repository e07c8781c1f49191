import type { Knex } from 'knex';
import { newId } from '../ids.js';

/**
 * Queues customers for their match keys and duplicate suggestions to be recomputed (see
 * CustomerMatchingStore). Every store write that changes a name, attributes or identities calls it,
 * inside that write's transaction, so no change is missed.
 */
export async function queueMatchCheck(db: Knex, customerIds: string[]): Promise<void> {
  const ids = [...new Set(customerIds)];
  for (let i = 0; i < ids.length; i += 500) {
    await db('customer_match_queue')
      .insert(ids.slice(i, i + 500).map((customer_id) => ({ customer_id, token: newId() })))
      .onConflict('customer_id')
      .merge(['token']);
  }
}
