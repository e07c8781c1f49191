// One customer view: the keys that find likely duplicates without comparing every pair of customers,
// the queue of customers whose keys need recomputing, and the suggested pairs with their review state.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Blocking keys per live customer: `name` (the normalized full name), `namep` (a 4-letter prefix of each
  // name word), `phone` (E.164) and `email` (the canonical mailbox). Only customers sharing a key are compared.
  await knex.schema.createTable('customer_match_keys', (t) => {
    t.string('kind', 8).notNullable();
    t.string('key', 320).notNullable();
    t.string('customer_id', 36).notNullable().references('customers.id').onDelete('CASCADE');
    t.primary(['kind', 'key', 'customer_id']);
    t.index(['customer_id']);
  });
  // Written in the same transaction as any change to a customer's name, attributes or identities; a worker
  // recomputes the keys and the suggestions of each queued customer. `token` changes on every enqueue, so a
  // change made while a customer is being processed queues it again.
  await knex.schema.createTable('customer_match_queue', (t) => {
    t.string('customer_id', 36).primary().references('customers.id').onDelete('CASCADE');
    t.string('token', 36).notNullable();
  });
  // A suggested pair (customer_a < customer_b), its reasons and score (0-100). `dismissed` pairs ("not the
  // same person") stay, so the suggestion never comes back; open pairs are recomputed as profiles change.
  await knex.schema.createTable('customer_duplicates', (t) => {
    t.string('id', 36).primary();
    t.string('customer_a', 36).notNullable().references('customers.id').onDelete('CASCADE');
    t.string('customer_b', 36).notNullable().references('customers.id').onDelete('CASCADE');
    t.text('reasons').notNullable(); // JSON DuplicateReason[]
    t.integer('score').notNullable();
    t.string('status', 16).notNullable(); // open | dismissed
    t.string('decided_by', 36).references('users.id');
    t.bigInteger('decided_at');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['customer_a', 'customer_b']);
    t.index(['status', 'score', 'id']);
    t.index(['customer_b']);
  });
  // Who undid a merge (customer_merges.undone_at says when).
  await knex.schema.alterTable('customer_merges', (t) => {
    t.string('undone_by', 36); // a user id (no foreign key, so the column can be dropped on SQLite)
  });
  // Every existing customer gets its keys computed once by the worker.
  const ids = await knex('customers').whereNull('merged_into').select('id');
  for (let i = 0; i < ids.length; i += 500) {
    await knex('customer_match_queue').insert(ids.slice(i, i + 500).map((r: { id: string }) => ({ customer_id: r.id, token: r.id })));
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['customer_merges', 'undone_by']);
  await knex.schema.dropTableIfExists('customer_duplicates');
  await knex.schema.dropTableIfExists('customer_match_queue');
  await knex.schema.dropTableIfExists('customer_match_keys');
}
