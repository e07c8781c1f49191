// Messages by account and time: the sweep for files a stopped process left pending reads an account's
// last week of messages (usecases/resume-pending-media.ts) without scanning every message.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.index(['channel_account_id', 'created_at'], 'messages_account_created_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropIndex(['channel_account_id', 'created_at'], 'messages_account_created_idx');
  });
}
