// The console's own data: canned responses (handlebars templates admins write for agents), and tags on
// conversations and customers (JSON arrays of short labels).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('canned_responses', (t) => {
    t.string('id', 36).primary();
    t.string('title', 120).notNullable();
    // What an agent types after `/` to find it; unique so one shortcut means one response.
    t.string('shortcut', 40).notNullable().unique();
    t.text('body').notNullable();
    t.string('locale', 8); // null: any language
    t.string('created_by', 36).references('users.id');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.alterTable('conversations', (t) => {
    t.text('tags').notNullable().defaultTo('[]');
  });
  await knex.schema.alterTable('customers', (t) => {
    t.text('tags').notNullable().defaultTo('[]');
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN on both engines: knex would rebuild SQLite tables, which foreign keys forbid.
  for (const table of ['customers', 'conversations']) await knex.raw('ALTER TABLE ?? DROP COLUMN ??', [table, 'tags']);
  await knex.schema.dropTableIfExists('canned_responses');
}
