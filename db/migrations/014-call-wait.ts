// The wait loop of a queued call announces the caller's place or expected wait every `announceEvery`
// seconds of its IVR node, not at every round: the call keeps when it last did.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (t) => {
    t.bigInteger('announced_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (t) => {
    t.dropColumn('announced_at');
  });
}
