// One customer across channels: consent per channel, and merges of two profiles into one, recorded
// with what moved so a merge can be undone.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('customer_consents', (t) => {
    t.string('id', 36).primary();
    t.string('customer_id', 36).notNullable().references('customers.id').onDelete('CASCADE');
    t.string('channel', 16).notNullable(); // a ChannelKind
    t.string('status', 16).notNullable(); // opted_in | opted_out
    t.string('source', 200).notNullable(); // how it was given or withdrawn: "agent: verbal on a call", "SMS STOP"…
    t.string('recorded_by', 36).references('users.id');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['customer_id', 'channel']);
  });
  await knex.schema.alterTable('customers', (t) => {
    // Set on a profile that was merged into another: it keeps its row (for unmerge and old links) but
    // owns nothing any more.
    t.string('merged_into', 36);
  });
  await knex.schema.createTable('customer_merges', (t) => {
    t.string('id', 36).primary();
    t.string('target_customer_id', 36).notNullable().references('customers.id');
    t.string('source_customer_id', 36).notNullable().references('customers.id');
    // JSON: the source's profile before the merge, the target's profile before it, and the ids of the
    // identities, conversations and consents that moved.
    t.text('record').notNullable();
    t.string('merged_by', 36).references('users.id');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('undone_at');
    t.index(['target_customer_id']);
    t.index(['source_customer_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('customer_merges');
  await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['customers', 'merged_into']);
  await knex.schema.dropTableIfExists('customer_consents');
}
