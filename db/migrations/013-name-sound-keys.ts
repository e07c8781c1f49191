// Thai and Latin spellings of one name now share a blocking key (the name's sound, see
// server/domain/customer-matching.ts): every live customer is queued once, so the duplicate worker
// adds the new keys and suggestions in the background.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  const ids = await knex('customers').whereNull('merged_into').select('id');
  for (let i = 0; i < ids.length; i += 500) {
    await knex('customer_match_queue')
      .insert(ids.slice(i, i + 500).map((r: { id: string }) => ({ customer_id: r.id, token: r.id })))
      .onConflict('customer_id')
      .ignore();
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex('customer_match_keys').whereIn('kind', ['sound', 'soundw']).delete();
}
