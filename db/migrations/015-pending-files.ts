// Customers' messages whose files are still pending (a process stopped before it fetched them), by
// account and time: the sweep (usecases/resume-pending-media.ts) finds them without reading any other
// message. A partial index, so it holds only those few rows; the sweep's query repeats its predicate
// word for word (db/stores/messages.store.ts), which is how SQLite and PostgreSQL know they may use it.
import type { Knex } from 'knex';

export const PENDING_FILES_PREDICATE = `meta LIKE '%"state":"pending"%'`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX messages_pending_files_idx ON messages (channel_account_id, created_at) WHERE ${PENDING_FILES_PREDICATE}`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX messages_pending_files_idx');
}
