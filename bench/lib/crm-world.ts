// A large desk's customers for the CRM bench, written straight into a migrated SQLite file with
// better-sqlite3 (prepared statements, one transaction per 50,000 rows): customers with typed
// attributes, tags and last-contact dates, their phone and LINE identities, and their orders over
// three years (a few heavy buyers, many occasional ones, a tenth with none). Scores and tiers are
// left for the refresh under test to compute.
import Sqlite from 'better-sqlite3';
import { prng } from './prng.js';

export interface CrmWorldSize {
  customers: number;
  orders: number;
  /** Orders are dated in the `years` before `now`. */
  years: number;
  now: number;
}

const DAY = 86_400_000;
const BATCH = 50_000;
const CITIES = ['Bangkok', 'Bangkok', 'Bangkok', 'Chiang Mai', 'Phuket', 'Khon Kaen', 'Hat Yai', 'Udon Thani'];
const PLANS = ['free', 'free', 'pro', 'enterprise'];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** Time-ordered, uuid-shaped ids (36 characters, like the desk's own v7 ids). */
export const customerId = (n: number) => `01900004-0000-7000-8000-${hex(n, 12)}`;
const identityId = (n: number) => `01900005-0000-7000-8000-${hex(n, 12)}`;
const orderId = (n: number) => `01900006-0000-7000-8000-${hex(n, 12)}`;

export const ATTRIBUTES = [
  { key: 'city', label: 'City', type: 'text', options: '[]' },
  { key: 'age', label: 'Age', type: 'number', options: '[]' },
  { key: 'plan', label: 'Plan', type: 'choice', options: JSON.stringify(['free', 'pro', 'enterprise']) },
] as const;

/** Fills an empty, migrated database. Returns the row counts written. */
export function generateCrmWorld(file: string, size: CrmWorldSize): Record<string, number> {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const rand = prng(2026);
  const int = (n: number) => Math.floor(rand() * n);
  const now = size.now;

  const insertDefinition = db.prepare(
    'INSERT INTO attribute_definitions (key, label, type, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const a of ATTRIBUTES) insertDefinition.run(a.key, a.label, a.type, a.options, now, now);

  const insertCustomer = db.prepare(
    'INSERT INTO customers (id, name, locale, attributes, tags, last_contact_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertIdentity = db.prepare(
    'INSERT INTO customer_identities (id, customer_id, kind, scope, value, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertOrder = db.prepare(
    'INSERT INTO orders (id, customer_id, source, external_id, amount, currency, ordered_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );

  // Orders per customer: a tenth none, most a few, a long tail of heavy buyers; scaled to the total.
  const weights = Array.from({ length: size.customers }, (_, i) => (i % 10 === 0 ? 0 : rand() < 0.05 ? 8 + rand() * 30 : 0.5 + rand() * 6));
  const scale = size.orders / weights.reduce((a, b) => a + b, 0);
  let identities = 0;
  let orders = 0;
  let remaining = size.orders;
  const span = size.years * 365 * DAY;

  for (let start = 0; start < size.customers; start += BATCH) {
    db.transaction(() => {
      for (let i = start; i < Math.min(size.customers, start + BATCH); i++) {
        const id = customerId(i);
        const attributes: Record<string, unknown> = { city: CITIES[int(CITIES.length)] };
        if (rand() < 0.8) attributes.age = 18 + int(60);
        if (rand() < 0.7) attributes.plan = PLANS[int(PLANS.length)];
        const r = rand();
        const tags = r < 0.05 ? '["vip-line"]' : r < 0.12 ? '["b2b"]' : r < 0.15 ? '["b2b","vip-line"]' : '[]';
        const lastContact = rand() < 0.15 ? null : now - int(400) * DAY - int(DAY);
        insertCustomer.run(
          id,
          `Customer ${i}`,
          i % 3 === 0 ? 'en' : 'th',
          JSON.stringify(attributes),
          tags,
          lastContact,
          now - span,
          now - span,
        );
        if (i % 10 < 3) insertIdentity.run(identityId(identities++), id, 'phone', '', `+6680${String(i).padStart(7, '0')}`, now - span);
        if (i % 10 >= 7) insertIdentity.run(identityId(identities++), id, 'line', '', `U${hex(i, 32)}`, now - span);
        const n = i === size.customers - 1 ? remaining : Math.min(remaining, Math.round(weights[i]! * scale));
        for (let k = 0; k < n; k++) {
          // Spend: mostly a few hundred baht, some thousands, rare large orders (hundredths).
          const u = rand();
          const amount = Math.round((u < 0.7 ? 100 + rand() * 900 : u < 0.97 ? 1_000 + rand() * 9_000 : 10_000 + rand() * 90_000) * 100);
          insertOrder.run(orderId(orders), id, 'shop', `o${orders}`, amount, 'THB', now - Math.floor(rand() ** 1.5 * span), now);
          orders++;
        }
        remaining -= n;
      }
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { customers: size.customers, identities, orders };
}
