// Thai and Latin spellings of one name now share a blocking key (the name's sound, see
// server/domain/customer-matching.ts): every live customer is queued once, so the duplicate worker
// adds the new keys and suggestions in the background (in slices, as after the first install).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One statement in the database, whatever the number of customers (no ids through the process).
  await knex.raw(
    'INSERT INTO customer_match_queue (customer_id, token) SELECT id, id FROM customers WHERE merged_into IS NULL ON CONFLICT (customer_id) DO NOTHING',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex('customer_match_keys').whereIn('kind', ['sound', 'soundw']).delete();
}
