// The conversation pipeline's tables. Timestamps are epoch milliseconds (bigint) on both engines.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.string('id', 36).primary();
    t.string('email', 320).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('role', 16).notNullable(); // admin | supervisor | agent
    t.string('password_hash', 200).notNullable();
    t.string('locale', 8).notNullable().defaultTo('en');
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('password_changed_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('auth_tokens', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique(); // sha256 hex of the bearer token
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('revoked_at');
    t.index(['user_id']);
  });

  await knex.schema.createTable('customers', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200);
    t.string('locale', 8);
    t.text('attributes').notNullable().defaultTo('{}'); // JSON object
    t.bigInteger('last_contact_at');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('channel_accounts', (t) => {
    t.string('id', 36).primary();
    t.string('kind', 32).notNullable();
    t.string('name', 200).notNullable();
    t.text('settings').notNullable().defaultTo('{}'); // JSON, non-secret
    t.text('credentials_enc'); // AES-256-GCM sealed JSON; never returned by the API or logged
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('customer_identities', (t) => {
    t.string('id', 36).primary();
    t.string('customer_id', 36).notNullable().references('customers.id').onDelete('CASCADE');
    t.string('kind', 32).notNullable(); // phone | email | web_chat | line | messenger | slack
    // Channel user ids are only unique within one provider account; phones and emails are global ('').
    t.string('scope', 36).notNullable().defaultTo('');
    t.string('value', 320).notNullable();
    t.bigInteger('created_at').notNullable();
    t.unique(['kind', 'scope', 'value']);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('conversations', (t) => {
    t.string('id', 36).primary();
    t.string('customer_id', 36).notNullable().references('customers.id');
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('channel_kind', 32).notNullable();
    t.string('status', 16).notNullable(); // open | pending | snoozed | resolved
    t.integer('priority').notNullable().defaultTo(0);
    t.string('queue_id', 36);
    t.string('assignee_id', 36).references('users.id');
    t.string('subject', 500);
    t.bigInteger('last_message_at').notNullable();
    t.bigInteger('last_customer_message_at');
    t.bigInteger('first_response_at');
    t.bigInteger('resolved_at');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['status', 'last_message_at']);
    t.index(['assignee_id', 'status']);
    t.index(['customer_id', 'channel_account_id']);
  });
  // At most one unresolved conversation per customer and channel account, whatever races.
  await knex.raw(
    `CREATE UNIQUE INDEX conversations_one_open ON conversations (customer_id, channel_account_id) WHERE status <> 'resolved'`,
  );

  await knex.schema.createTable('messages', (t) => {
    t.string('id', 36).primary();
    t.string('conversation_id', 36).notNullable().references('conversations.id');
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('direction', 8).notNullable(); // inbound | outbound
    t.string('sender_type', 16).notNullable(); // customer | agent | system
    t.string('sender_id', 36);
    t.text('parts').notNullable(); // JSON array of MessagePart
    t.text('text').notNullable().defaultTo(''); // plain text of the parts, for search and previews
    t.boolean('private').notNullable().defaultTo(false);
    t.string('provider_message_id', 255);
    t.string('status', 16).notNullable(); // received | queued | sent | delivered | read | failed
    t.string('error_code', 32);
    t.string('error_message', 500);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    // Storing a provider's message twice is impossible: retries and concurrent duplicates collide here.
    t.unique(['channel_account_id', 'provider_message_id']);
    t.index(['conversation_id', 'created_at']);
  });

  await knex.schema.createTable('attachments', (t) => {
    t.string('id', 36).primary();
    t.string('message_id', 36).references('messages.id');
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('uploader_type', 16).notNullable(); // customer | agent | provider
    t.string('uploader_id', 36).notNullable();
    t.string('filename', 255).notNullable();
    t.string('content_type', 100).notNullable();
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('storage_key', 255).notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['message_id']);
  });

  await knex.schema.createTable('outbox', (t) => {
    t.string('id', 36).primary();
    t.string('message_id', 36).notNullable().unique().references('messages.id');
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('status', 16).notNullable(); // pending | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.bigInteger('locked_until');
    t.string('last_error_code', 32);
    t.string('last_error', 500);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['status', 'next_attempt_at']);
  });

  await knex.schema.createTable('web_chat_sessions', (t) => {
    t.string('id', 36).primary(); // the visitor id, also the web_chat identity value
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('customer_id', 36).notNullable().references('customers.id');
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.string('id', 36).primary();
    t.string('actor_type', 16).notNullable(); // user | system | customer
    t.string('actor_id', 36);
    t.string('action', 64).notNullable();
    t.string('target_type', 32).notNullable();
    t.string('target_id', 36);
    t.text('data').notNullable().defaultTo('{}');
    t.bigInteger('created_at').notNullable();
    t.index(['target_type', 'target_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'audit_log',
    'web_chat_sessions',
    'outbox',
    'attachments',
    'messages',
    'conversations',
    'customer_identities',
    'channel_accounts',
    'customers',
    'auth_tokens',
    'users',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
