// Customers in bulk: an import's inserts and identity look-ups, an export's pages.
import type { Knex } from 'knex';
import type { ImportDraft } from '../../server/domain/customer-csv.js';
import type { Customer, CustomerIdentity, Identity } from '../../server/domain/types.js';
import { newId } from '../ids.js';
import { parseJson } from '../json.js';
import { newCustomerRow, toCustomer, type CustomerRow } from './customers.store.js';
import { queueMatchCheck } from './match-queue.js';

const CHUNK = 200;
const chunks = <T>(xs: T[], size = CHUNK): T[][] =>
  Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

export class CustomerRecordsStore {
  constructor(private readonly db: Knex) {}

  /** Who has each of these identities now: `kind:scope:value` → customer id. */
  async identityOwners(identities: Identity[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    const byKind = new Map<string, string[]>();
    for (const i of identities) byKind.set(`${i.kind}:${i.scope}`, [...(byKind.get(`${i.kind}:${i.scope}`) ?? []), i.value]);
    for (const [kindScope, values] of byKind) {
      const [kind, scope] = kindScope.split(':') as [string, string];
      for (const part of chunks([...new Set(values)], 500)) {
        const rows = await this.db('customer_identities').where({ kind, scope }).whereIn('value', part).select('value', 'customer_id');
        for (const r of rows as { value: string; customer_id: string }[]) owners.set(`${kind}:${scope}:${r.value}`, r.customer_id);
      }
    }
    return owners;
  }

  /**
   * Creates the drafted customers with their identities, in bulk, and queues their duplicate check. An
   * identity someone took meanwhile fails on the unique index (the caller's transaction is then retried).
   */
  async insertMany(drafts: ImportDraft[], now: number): Promise<string[]> {
    const rows = drafts.map((d) => ({
      ...newCustomerRow({ name: d.name, locale: d.locale }, now),
      attributes: JSON.stringify(d.attributes),
      tags: JSON.stringify(d.tags),
      // The file's tier and VIP flag are overrides: the RFM refresh keeps them (the desk has no orders
      // of an imported customer to compute them from); clearing the override on the profile hands back.
      value_tier: d.valueTier,
      tier_override: d.valueTier,
      vip: d.vip ?? false,
      vip_override: d.vip,
    }));
    for (const part of chunks(rows)) await this.db('customers').insert(part);
    const identities = drafts.flatMap((d, i) =>
      d.identities.map((identity) => ({ id: newId(), customer_id: rows[i]!.id, ...identity, created_at: now })),
    );
    for (const part of chunks(identities)) await this.db('customer_identities').insert(part);
    const ids = rows.map((r) => r.id);
    await queueMatchCheck(this.db, ids);
    return ids;
  }

  /** Live (not merged) customers after `afterId`, in id order, with their identities. */
  async livePage(afterId: string | null, limit: number): Promise<{ customer: Customer; identities: CustomerIdentity[] }[]> {
    const q = this.db<CustomerRow>('customers').whereNull('merged_into').orderBy('id').limit(limit);
    if (afterId) q.where('id', '>', afterId);
    const customers = (await q).map(toCustomer);
    if (!customers.length) return [];
    const rows = await this.db('customer_identities')
      .whereIn(
        'customer_id',
        customers.map((c) => c.id),
      )
      .orderBy('created_at');
    const of = new Map<string, CustomerIdentity[]>();
    for (const r of rows as {
      id: string;
      customer_id: string;
      kind: Identity['kind'];
      scope: string;
      value: string;
      created_at: number;
    }[]) {
      of.set(r.customer_id, [
        ...(of.get(r.customer_id) ?? []),
        { id: r.id, customerId: r.customer_id, kind: r.kind, scope: r.scope, value: r.value, createdAt: Number(r.created_at) },
      ]);
    }
    return customers.map((customer) => ({ customer, identities: of.get(customer.id) ?? [] }));
  }

  /** Every attribute name live customers use, in order (a pass over the attributes column only). */
  async attributeKeys(): Promise<string[]> {
    const keys = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const q = this.db('customers').whereNull('merged_into').orderBy('id').limit(1000).select('id', 'attributes');
      if (after) q.where('id', '>', after);
      const rows = (await q) as { id: string; attributes: string }[];
      if (!rows.length) break;
      for (const r of rows) for (const k of Object.keys(parseJson<Record<string, unknown>>(r.attributes, {}))) keys.add(k);
      after = rows.at(-1)!.id;
    }
    return [...keys].sort();
  }
}
