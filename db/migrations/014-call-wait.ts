// The wait loop of a queued call announces the caller's place or expected wait every `announceEvery`
// seconds of its IVR node, not at every round: the call keeps when it last did. A call also keeps its
// holds (how many, their seconds, when the current one began), so talk time excludes them. A
// conversation keeps the priority its IVR queue node added, so a caller leaving the queue after the
// longest wait takes off exactly that.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (t) => {
    t.bigInteger('announced_at');
    t.bigInteger('held_at');
    t.integer('hold_seconds').notNullable().defaultTo(0);
    t.integer('holds').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('conversations', (t) => {
    t.integer('queue_priority').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => {
    t.dropColumn('queue_priority');
  });
  await knex.schema.alterTable('calls', (t) => {
    t.dropColumns('announced_at', 'held_at', 'hold_seconds', 'holds');
  });
}
