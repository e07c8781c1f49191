// CRM outbound: consent kept with how and when it was given and withdrawn, campaigns (a segment, a
// channel account, a template, a schedule or a trigger, a rate) with one row per recipient and
// occasion, and satisfaction surveys (CSAT) sent after a conversation is resolved.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The current decision stays in status/source/updated_at; these keep the last opt-in and the last
  // opt-out side by side, so an opt-out does not erase how the customer had opted in.
  await knex.schema.alterTable('customer_consents', (t) => {
    t.bigInteger('opted_in_at');
    t.string('opted_in_source', 200);
    t.bigInteger('opted_out_at');
    t.string('opted_out_source', 200);
  });
  await knex('customer_consents')
    .where({ status: 'opted_in' })
    .update({ opted_in_at: knex.ref('updated_at'), opted_in_source: knex.ref('source') });
  await knex('customer_consents')
    .where({ status: 'opted_out' })
    .update({ opted_out_at: knex.ref('updated_at'), opted_out_source: knex.ref('source') });

  await knex.schema.createTable('campaigns', (t) => {
    t.string('id', 36).primary();
    t.string('name', 120).notNullable();
    t.string('status', 16).notNullable(); // draft | scheduled | running | paused | done
    t.string('segment_id', 36); // a segment (migration 009); null = every live customer
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('subject', 200); // email: the subject of a new conversation
    t.text('template').notNullable(); // handlebars, from trusted admin input
    t.text('trigger').notNullable(); // JSON CampaignTrigger
    t.bigInteger('send_at'); // a one-off campaign: when it starts (null = when scheduled)
    t.integer('rate_per_minute').notNullable();
    // The rate limit's clock (GCRA's theoretical arrival time): the next send may go at or after it.
    t.bigInteger('next_slot_at').notNullable().defaultTo(0);
    // A one-off campaign materializes its audience in pages: the last customer id taken, and when done.
    t.string('audience_cursor', 36);
    t.bigInteger('audience_done_at');
    t.bigInteger('scanned_at'); // a trigger's last scan
    t.string('created_by', 36).references('users.id');
    t.bigInteger('started_at');
    t.bigInteger('finished_at');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['status']);
  });

  // One row per recipient and occasion: the unique key is what makes each customer get a campaign once
  // (a one-off campaign's occasion is ''; a trigger's is the order, the silence or the period that fired it).
  await knex.schema.createTable('campaign_sends', (t) => {
    t.string('id', 36).primary();
    t.string('campaign_id', 36).notNullable().references('campaigns.id').onDelete('CASCADE');
    t.string('customer_id', 36).notNullable().references('customers.id');
    t.string('occasion', 64).notNullable().defaultTo('');
    t.string('status', 16).notNullable(); // pending | sent | skipped
    t.string('skip_reason', 32); // no_consent | opted_out | no_identity | outside_window | merged
    t.bigInteger('due_at').notNullable();
    t.string('conversation_id', 36);
    t.string('message_id', 36);
    t.bigInteger('sent_at');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['campaign_id', 'customer_id', 'occasion']);
    t.index(['campaign_id', 'status', 'due_at']);
    t.index(['message_id']);
  });

  await knex.schema.createTable('csat_settings', (t) => {
    t.string('channel_account_id', 36).primary().references('channel_accounts.id').onDelete('CASCADE');
    t.boolean('enabled').notNullable().defaultTo(false);
    t.integer('reply_window_hours').notNullable().defaultTo(24);
    t.text('questions'); // JSON {en?, th?}: the question instead of the default
    t.string('updated_by', 36).references('users.id');
    t.bigInteger('updated_at').notNullable();
  });

  // One survey per conversation (a conversation reopened and resolved again keeps its first survey).
  await knex.schema.createTable('csat_surveys', (t) => {
    t.string('id', 36).primary();
    t.string('conversation_id', 36).notNullable().unique().references('conversations.id');
    t.string('channel_account_id', 36).notNullable().references('channel_accounts.id');
    t.string('channel_kind', 16).notNullable();
    t.string('agent_id', 36).references('users.id'); // the assignee when it was resolved
    t.string('queue_id', 36);
    t.string('message_id', 36); // the survey message
    t.integer('score'); // 1-5, null until answered
    t.string('answered_via', 16); // reply | web_chat | email_link
    t.string('answer_message_id', 36);
    t.bigInteger('sent_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('answered_at');
    t.index(['agent_id', 'answered_at']);
    t.index(['channel_account_id', 'answered_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('csat_surveys');
  await knex.schema.dropTableIfExists('csat_settings');
  await knex.schema.dropTableIfExists('campaign_sends');
  await knex.schema.dropTableIfExists('campaigns');
  for (const column of ['opted_in_at', 'opted_in_source', 'opted_out_at', 'opted_out_source']) {
    await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['customer_consents', column]);
  }
}
