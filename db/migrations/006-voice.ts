// The voice channel: one row per phone call, keyed by Twilio's CallSid (a retried webhook finds the
// same call). It holds where the caller is in the IVR, the path they took, the queue wait, the talk
// time and how the call ended, so the customer's timeline shows the whole call as one record.
// Agents may have a phone number the desk dials when they take a call without the browser softphone.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calls', (t) => {
    t.string('id', 36).primary();
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('call_sid', 64).notNullable().unique();
    t.string('direction', 16).notNullable(); // inbound | outbound
    t.string('conversation_id', 36).notNullable().references('conversations.id');
    t.string('customer_id', 36).notNullable();
    t.string('message_id', 36); // the call's record on the timeline
    t.string('from_number', 32).notNullable();
    t.string('to_number', 32).notNullable();
    t.string('flow', 100);
    t.string('webhook_base', 500); // the URL base Twilio reached us at: where a live call is redirected
    // ivr | queued | connecting | talking | voicemail | ended
    t.string('state', 16).notNullable();
    t.text('ivr_state'); // JSON IvrState: node, language, attributes, retries, path
    t.string('queue_id', 36);
    t.bigInteger('enqueued_at');
    t.bigInteger('answered_at');
    t.string('agent_id', 36);
    t.bigInteger('ended_at');
    t.integer('talk_seconds');
    // answered | abandoned | voicemail | callback | transferred | ivr | missed | failed
    t.string('outcome', 16);
    t.string('recording_sid', 64);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['conversation_id']);
    t.index(['state']);
  });
  await knex.schema.alterTable('users', (t) => {
    t.string('phone', 32); // E.164: where a call is put through when the agent has no softphone open
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => t.dropColumn('phone'));
  await knex.schema.dropTable('calls');
}
