// Reports. Each conversation is kept as fact rows in `report_facts`: its figures for its channel, queue
// and agent (seq 0), plus a row per other queue and agent that resolved it or was rated for it. Daily
// cells in `report_daily` add the fact rows up per local day and channel, queue, agent or segment.
// When a conversation changes, its old fact rows are taken out of the cells and its new ones added, so
// keeping the rollup exact costs a few rows per change, and a month over a million conversations is
// read from a few thousand cells. `report_segment_members` is the segments' membership the cells were
// counted with (refreshed periodically); `report_segments` which definition of each segment that was.
// `report_campaign_sends` keeps campaign messages with whether the customer replied, so a month of
// campaign figures is read without looking for replies. `report_rollup_state` keeps the rollup's time
// zone and how far changes have been folded in.
import type { Knex } from 'knex';

// Written out rather than imported: a migration records the schema as it was, whatever the code says later.
const COUNTERS: [string, 'integer' | 'bigInteger'][] = [
  ['conversations', 'integer'],
  ['first_responses', 'integer'],
  ['first_response_ms', 'bigInteger'],
  ['resolved', 'integer'],
  ['resolution_ms', 'bigInteger'],
  ['handled', 'integer'],
  ['handle_ms', 'bigInteger'],
  ['sla_first_response_met', 'integer'],
  ['sla_first_response_missed', 'integer'],
  ['sla_resolution_met', 'integer'],
  ['sla_resolution_missed', 'integer'],
  ['queued', 'integer'],
  ['abandoned', 'integer'],
  ['csat_responses', 'integer'],
  ['csat_sum', 'integer'],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_daily', (t) => {
    t.integer('day').notNullable(); // local day number in the rollup's time zone (0 = 1970-01-01)
    t.string('dimension', 8).notNullable(); // channel | queue | agent | segment
    t.string('key', 36).notNullable(); // the channel kind, queue, agent or segment id; '' = none
    for (const [name, type] of COUNTERS) t[type](name).notNullable();
    // [bin: 1 byte, count: 4 bytes LE] per non-empty bin (server/domain/reports/histogram.ts)
    t.binary('first_response_hist').notNullable();
    t.binary('resolution_hist').notNullable();
    t.primary(['day', 'dimension', 'key']);
  });

  await knex.schema.createTable('report_facts', (t) => {
    t.string('conversation_id', 36).notNullable();
    t.integer('seq').notNullable(); // 0: the conversation's own row
    t.integer('day').notNullable();
    t.string('customer_id', 36).notNullable();
    t.bigInteger('created_at').notNullable();
    t.string('channel_kind', 32).notNullable();
    t.string('queue_id', 36).notNullable();
    t.string('agent_id', 36).notNullable();
    for (const [name, type] of COUNTERS) t[type](name).notNullable();
    t.smallint('first_response_bin');
    t.smallint('resolution_bin');
    t.bigInteger('next_check_at'); // earliest due time of an SLA clock still running (seq 0 only)
    t.primary(['conversation_id', 'seq']);
    t.index(['created_at']);
    t.index(['customer_id']);
    t.index(['next_check_at']);
  });

  await knex.schema.createTable('report_segment_members', (t) => {
    t.string('segment_id', 36).notNullable();
    t.string('customer_id', 36).notNullable();
    t.primary(['segment_id', 'customer_id']);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('report_segments', (t) => {
    t.string('segment_id', 36).primary();
    t.bigInteger('definition_at').notNullable(); // the segment's updated_at its cells were built from
    t.bigInteger('members_at').notNullable(); // when its membership was last refreshed
  });

  // Campaign messages sent, and whether the customer has written back since (checked when they write).
  await knex.schema.createTable('report_campaign_sends', (t) => {
    t.string('send_id', 36).primary();
    t.bigInteger('sent_at').notNullable();
    t.string('channel_kind', 32).notNullable();
    t.string('channel_account_id', 36).notNullable();
    t.string('customer_id', 36).notNullable();
    t.smallint('replied').notNullable(); // 1: the customer wrote on that account after it
    t.index(['sent_at']);
    t.index(['customer_id', 'replied']);
  });

  await knex.schema.createTable('report_rollup_state', (t) => {
    t.string('name', 32).primary(); // 'daily'
    t.string('time_zone', 64).notNullable();
    // Changes stamped at or after this (less a safety margin) are not folded in yet.
    t.bigInteger('watermark').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.alterTable('conversations', (t) => {
    t.index(['created_at'], 'conversations_created_at');
    t.index(['updated_at'], 'conversations_updated_at');
  });
  await knex.schema.alterTable('csat_surveys', (t) => t.index(['answered_at'], 'csat_surveys_answered_at'));
  await knex.schema.alterTable('campaign_sends', (t) => t.index(['sent_at'], 'campaign_sends_sent_at'));
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['campaign_sends_sent_at', 'csat_surveys_answered_at', 'conversations_updated_at', 'conversations_created_at']) {
    await knex.raw('DROP INDEX ??', [index]);
  }
  for (const table of [
    'report_rollup_state',
    'report_campaign_sends',
    'report_segments',
    'report_segment_members',
    'report_facts',
    'report_daily',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
