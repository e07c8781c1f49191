// Slack for agents. A Slack account mirrors conversations into a Slack channel: a parent post per
// conversation, then its messages in that post's thread (`slack_threads` maps one to the other). Posts
// are written here first and sent by a worker with retries (`slack_posts`, keyed so the same post is
// never queued twice, whichever node heard the event). `processed_events` remembers provider events
// that were acted on (a Slack event id), so a retried delivery does nothing the second time.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('slack_threads', (t) => {
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('conversation_id', 36).notNullable().references('conversations.id');
    t.string('slack_channel', 32).notNullable();
    t.string('thread_ts', 32).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['channel_account_id', 'conversation_id']);
    t.unique(['channel_account_id', 'slack_channel', 'thread_ts']);
  });

  await knex.schema.createTable('slack_posts', (t) => {
    t.string('id', 36).primary();
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    // conversation | message | alert | notice: what the post is, and so where it goes
    t.string('kind', 16).notNullable();
    // `conversation:<id>`, `message:<id>`, `sla:<conversation>:<clock>`, ...: one post per key
    t.string('dedupe_key', 200).notNullable();
    t.string('conversation_id', 36);
    t.string('message_id', 36);
    t.text('payload'); // JSON: what an alert or notice says (conversation and message posts are rendered when sent)
    t.string('status', 16).notNullable(); // pending | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.bigInteger('locked_until');
    t.string('slack_ts', 32);
    t.string('last_error_code', 32);
    t.string('last_error', 500);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['channel_account_id', 'dedupe_key']);
    t.index(['status', 'next_attempt_at']);
  });

  await knex.schema.createTable('processed_events', (t) => {
    t.string('source', 64).notNullable(); // e.g. `slack:<account id>`
    t.string('event_key', 255).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['source', 'event_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('processed_events');
  await knex.schema.dropTable('slack_posts');
  await knex.schema.dropTable('slack_threads');
}
