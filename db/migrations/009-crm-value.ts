// The CRM's value side: typed custom attributes (defined by an admin), orders (a customer's purchase
// history, posted or imported), what is derived from them on the customer row (order count, spend,
// RFM scores, the computed tier and VIP flag next to a supervisor's overrides), saved segments, and
// the CRM's settings. Money is stored in hundredths of the currency unit (bigint) on both engines.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attribute_definitions', (t) => {
    t.string('key', 64).primary(); // lower snake case: the key in customers.attributes
    t.string('label', 200).notNullable();
    t.string('type', 16).notNullable(); // text | number | boolean | date | choice
    t.text('options').notNullable().defaultTo('[]'); // JSON string[]: the choices of a choice attribute
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('orders', (t) => {
    t.string('id', 36).primary();
    t.string('customer_id', 36).notNullable().references('customers.id');
    t.string('source', 64).notNullable(); // where it came from (a shop, "csv", "api"): external ids are unique per source
    t.string('external_id', 200).notNullable();
    t.bigInteger('amount').notNullable(); // hundredths of the currency unit
    t.string('currency', 3).notNullable();
    t.bigInteger('ordered_at').notNullable();
    t.bigInteger('created_at').notNullable();
    // A retried post or a re-imported file never stores an order twice.
    t.unique(['source', 'external_id']);
    // Covers the per-customer aggregates (count, sums, latest) of scoring without touching the table.
    t.index(['customer_id', 'ordered_at', 'amount'], 'orders_customer_aggregates');
  });

  await knex.schema.createTable('segments', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable();
    t.string('description', 1000);
    t.text('rules').notNullable(); // JSON SegmentRules
    t.string('created_by', 36).references('users.id');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('crm_settings', (t) => {
    t.string('key', 64).primary(); // 'settings' (admin's), 'rfm_cuts' (the last full refresh's quintile cuts)
    t.text('value').notNullable(); // JSON
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.alterTable('customers', (t) => {
    t.integer('order_count').notNullable().defaultTo(0);
    t.bigInteger('total_spent').notNullable().defaultTo(0); // all time, hundredths
    t.bigInteger('last_order_at');
    t.integer('window_orders').notNullable().defaultTo(0); // within the scoring window (frequency)
    t.bigInteger('window_spent').notNullable().defaultTo(0); // within the scoring window (monetary), hundredths
    t.integer('rfm_recency'); // 1-5; null: no orders
    t.integer('rfm_frequency');
    t.integer('rfm_monetary');
    t.bigInteger('scored_at');
    // A supervisor's word beats the computed tier / VIP flag; null: computed.
    t.string('tier_override', 16);
    t.boolean('vip_override');
  });
  // Segment counts: tier and RFM filters find their customers through an index instead of a scan.
  // Deliberately not indexed: last_contact_at (every inbound message writes it) and the spend columns
  // (every refresh rewrites them); a scan of a million customers counts in about a second.
  await knex.raw('CREATE INDEX customers_tier ON customers (value_tier, vip)');
  await knex.raw('CREATE INDEX customers_rfm ON customers (rfm_recency, rfm_frequency, rfm_monetary)');
  await knex.raw('CREATE INDEX customer_identities_kind ON customer_identities (kind, customer_id)');

  // The part of a conversation's priority that came from its customer's tier and VIP flag, so a tier
  // change moves a waiting conversation by the difference (server/routing/routing-service.ts).
  await knex.schema.alterTable('conversations', (t) => {
    t.integer('tier_priority').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN on both engines: knex would rebuild SQLite tables, which foreign keys forbid.
  for (const index of ['customer_identities_kind', 'customers_rfm', 'customers_tier']) {
    await knex.raw(`DROP INDEX ${index}`);
  }
  await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['conversations', 'tier_priority']);
  const columns = [
    'vip_override',
    'tier_override',
    'scored_at',
    'rfm_monetary',
    'rfm_frequency',
    'rfm_recency',
    'window_spent',
    'window_orders',
    'last_order_at',
    'total_spent',
    'order_count',
  ];
  for (const name of columns) await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['customers', name]);
  for (const table of ['crm_settings', 'segments', 'orders', 'attribute_definitions']) await knex.schema.dropTableIfExists(table);
}
