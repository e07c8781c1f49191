// Resolved conversations by account and time: the CSAT catch-up at start looks for conversations of
// surveying accounts resolved lately without a survey (a crash between the resolve and the survey).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => {
    t.index(['channel_account_id', 'resolved_at'], 'conversations_account_resolved_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => {
    t.dropIndex(['channel_account_id', 'resolved_at'], 'conversations_account_resolved_idx');
  });
}
