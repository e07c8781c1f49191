// The email channel: a ledger of every mail fetched from IMAP (so nothing is imported twice or lost,
// and mail that could not be parsed waits for an admin), the sync position per mailbox, the addresses
// Cc'd on a conversation, and the reference Omnidesk puts in its subjects. Email conversations are
// threads: a customer may have several open at once, so the one-open-conversation rule skips them.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('email_imports', (t) => {
    t.string('id', 36).primary();
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('mailbox', 200).notNullable();
    t.bigInteger('uid_validity').notNullable();
    t.bigInteger('uid').notNullable();
    t.string('message_id', 998); // the mail's Message-ID header, without angle brackets
    t.bigInteger('size').notNullable();
    t.string('raw_key', 200); // the raw mail in file storage (null when too large to keep)
    // imported | duplicate | unprocessable | too_large | own | failed_delivery
    t.string('status', 24).notNullable();
    t.string('error', 1000);
    t.string('message_ref', 36); // messages.id it became
    t.string('conversation_id', 36);
    t.string('subject', 500);
    t.string('from_address', 320);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    // The same mail seen again at the same place is the same import, whatever races.
    t.unique(['channel_account_id', 'mailbox', 'uid_validity', 'uid']);
    t.index(['channel_account_id', 'status']);
  });
  await knex.schema.createTable('email_sync_state', (t) => {
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('mailbox', 200).notNullable();
    t.bigInteger('uid_validity').notNullable();
    t.bigInteger('last_uid').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['channel_account_id', 'mailbox']);
  });
  await knex.schema.createTable('conversation_participants', (t) => {
    t.string('conversation_id', 36).notNullable().references('conversations.id');
    t.string('address', 320).notNullable();
    t.string('name', 200);
    t.bigInteger('created_at').notNullable();
    t.primary(['conversation_id', 'address']);
  });
  await knex.schema.alterTable('conversations', (t) => {
    t.string('email_ref', 32).unique(); // the verifiable ticket reference in outgoing subjects
  });
  await knex.schema.alterTable('messages', (t) => {
    t.text('meta'); // JSON MessageMeta: an email's headers, auto-reply and bounce marks
  });
  await knex.schema.alterTable('customer_identities', (t) => {
    t.bigInteger('failing_since'); // mail to this address bounced
    t.string('failing_reason', 500);
  });
  await knex.raw('DROP INDEX conversations_one_open');
  await knex.raw(
    `CREATE UNIQUE INDEX conversations_one_open ON conversations (customer_id, channel_account_id) WHERE status <> 'resolved' AND channel_kind <> 'email'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX conversations_one_open');
  await knex.raw(
    `CREATE UNIQUE INDEX conversations_one_open ON conversations (customer_id, channel_account_id) WHERE status <> 'resolved'`,
  );
  await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['messages', 'meta']);
  for (const column of ['failing_reason', 'failing_since'])
    await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['customer_identities', column]);
  // A unique column carries an index that SQLite will not drop with the column.
  await knex.schema.alterTable('conversations', (t) => t.dropUnique(['email_ref']));
  await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['conversations', 'email_ref']);
  await knex.schema.dropTableIfExists('conversation_participants');
  await knex.schema.dropTableIfExists('email_sync_state');
  await knex.schema.dropTableIfExists('email_imports');
}
