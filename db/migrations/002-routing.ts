// Routing: queues, agents' routing state, queue membership, live offers, routing events, and the
// routing fields on conversations, channel accounts and customers. Timestamps and durations are
// milliseconds (bigint for epoch times); JSON is stored as text on both engines.
import type { Knex } from 'knex';

// Written out rather than imported: a migration records the schema as it was, whatever the code says later.
const DEFAULT_CAPACITY_JSON = '{"voice":1,"chat":3,"messaging":5,"email":8}';
const KEEP_QUEUED_JSON = '{"action":"keep_queued"}';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('queues', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable().unique();
    t.text('channels').notNullable(); // JSON array of channel kinds
    t.text('required_skills').notNullable().defaultTo('[]'); // JSON [{skill, minLevel}]
    t.string('strategy', 16).notNullable().defaultTo('longest_idle');
    t.integer('priority').notNullable().defaultTo(0);
    t.double('aging_per_minute').notNullable().defaultTo(0);
    t.integer('offer_timeout_ms').notNullable().defaultTo(20_000);
    t.boolean('auto_accept').notNullable().defaultTo(false);
    t.integer('wrap_up_ms').notNullable().defaultTo(30_000);
    t.integer('max_misses').notNullable().defaultTo(3);
    t.bigInteger('sticky_ms').notNullable().defaultTo(0);
    t.text('overflow'); // JSON {afterMs, toQueueId?} or null
    t.text('business_hours'); // JSON {timeZone, week, holidays} or null (always open)
    t.text('after_hours').notNullable().defaultTo(KEEP_QUEUED_JSON);
    t.text('sla'); // JSON {"0": {firstResponseMs, resolutionMs}, ...} or null
    t.integer('service_level_ms').notNullable().defaultTo(20_000);
    t.double('service_level_target').notNullable().defaultTo(0.8);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  // One row per user who takes work; created when an agent first gets a routing profile or presence.
  await knex.schema.createTable('agent_routing', (t) => {
    t.string('user_id', 36).primary().references('users.id').onDelete('CASCADE');
    t.string('presence', 16).notNullable().defaultTo('offline'); // available | away | busy | wrap_up | offline
    t.string('presence_reason', 200);
    t.bigInteger('presence_since').notNullable();
    t.text('skills').notNullable().defaultTo('{}'); // JSON {skill: level 1-10}
    t.text('capacity').notNullable().defaultTo(DEFAULT_CAPACITY_JSON); // JSON {voice, chat, messaging, email}
    t.bigInteger('idle_since').notNullable();
    t.bigInteger('last_offer_at').notNullable().defaultTo(0);
    t.integer('misses').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('queue_members', (t) => {
    t.string('queue_id', 36).notNullable().references('queues.id').onDelete('CASCADE');
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    t.primary(['queue_id', 'user_id']);
    t.index(['user_id']);
  });

  // The primary key makes a second live offer of one conversation impossible, whichever node tries.
  await knex.schema.createTable('offers', (t) => {
    t.string('conversation_id', 36).primary().references('conversations.id');
    t.string('agent_id', 36).notNullable().references('users.id');
    t.string('queue_id', 36).notNullable();
    t.bigInteger('offered_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['agent_id']);
    t.index(['expires_at']);
  });

  // History for live stats and reports; no foreign keys, so it outlives what it describes.
  await knex.schema.createTable('routing_events', (t) => {
    t.string('id', 36).primary();
    t.string('type', 16).notNullable();
    t.string('conversation_id', 36).notNullable();
    t.string('queue_id', 36);
    t.string('agent_id', 36);
    t.bigInteger('at').notNullable();
    t.text('data').notNullable().defaultTo('{}');
    t.index(['queue_id', 'at']);
    t.index(['at']);
    t.index(['conversation_id']);
  });

  await knex.schema.alterTable('conversations', (t) => {
    t.bigInteger('enqueued_at'); // when it started waiting in its current queue; null when not waiting
    t.text('required_skills'); // JSON [{skill, minLevel}] after any widening; null = the queue's
    t.text('refused_by').notNullable().defaultTo('[]'); // JSON array of agent ids who declined or let it time out
    t.bigInteger('first_response_due_at');
    t.bigInteger('resolution_due_at');
    t.string('sla_status', 16);
    t.index(['queue_id', 'enqueued_at'], 'conversations_waiting');
  });

  // Plain ADD COLUMN ... REFERENCES on both engines (knex would rebuild the SQLite table for a foreign key).
  await knex.raw('ALTER TABLE channel_accounts ADD COLUMN queue_id varchar(36) REFERENCES queues (id)');

  await knex.schema.alterTable('customers', (t) => {
    t.string('value_tier', 16); // platinum | gold | silver | bronze
    t.boolean('vip').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN on both engines: knex would rebuild SQLite tables, which foreign keys forbid.
  await knex.raw('DROP INDEX conversations_waiting');
  const columns: [string, string[]][] = [
    ['customers', ['vip', 'value_tier']],
    ['channel_accounts', ['queue_id']],
    ['conversations', ['sla_status', 'resolution_due_at', 'first_response_due_at', 'refused_by', 'required_skills', 'enqueued_at']],
  ];
  for (const [table, names] of columns) {
    for (const name of names) await knex.raw('ALTER TABLE ?? DROP COLUMN ??', [table, name]);
  }
  for (const table of ['routing_events', 'offers', 'queue_members', 'agent_routing', 'queues']) {
    await knex.schema.dropTableIfExists(table);
  }
}
