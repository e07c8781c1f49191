import type { Knex } from 'knex';
import type { Customer, CustomerIdentity, Identity, ValueTier } from '../../server/domain/types.js';
import { newId } from '../ids.js';
import { bool, parseJson } from '../json.js';
import { queueMatchCheck } from './match-queue.js';

export interface CustomerRow {
  id: string;
  name: string | null;
  locale: string | null;
  attributes: string;
  value_tier: ValueTier | null;
  vip: boolean | number;
  tags?: string; // JSON string[] (absent on a row built in memory: the column defaults to [])
  last_contact_at: number | null;
  merged_into?: string | null; // absent on a row built in memory
  created_at: number;
  updated_at: number;
}

interface IdentityRow {
  id: string;
  customer_id: string;
  kind: Identity['kind'];
  scope: string;
  value: string;
  created_at: number;
}

export const toCustomer = (r: CustomerRow): Customer => ({
  id: r.id,
  name: r.name,
  locale: r.locale,
  attributes: parseJson(r.attributes, {}),
  valueTier: r.value_tier,
  vip: bool(r.vip),
  tags: parseJson<string[]>(r.tags ?? '[]', []),
  lastContactAt: r.last_contact_at,
  mergedInto: r.merged_into ?? null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toIdentity = (r: IdentityRow): CustomerIdentity => ({
  id: r.id,
  customerId: r.customer_id,
  kind: r.kind,
  scope: r.scope,
  value: r.value,
  createdAt: r.created_at,
});

export interface NewCustomer {
  name?: string | null;
  locale?: string | null;
}

export function newCustomerRow(input: NewCustomer, now: number): CustomerRow {
  return {
    id: newId(),
    name: input.name ?? null,
    locale: input.locale ?? null,
    attributes: '{}',
    value_tier: null,
    vip: false,
    last_contact_at: null,
    created_at: now,
    updated_at: now,
  };
}

export class CustomersStore {
  constructor(
    private readonly db: Knex,
    private readonly engine: 'sqlite' | 'postgres' = 'sqlite',
  ) {}

  async findById(id: string): Promise<Customer | undefined> {
    const r = await this.db<CustomerRow>('customers').where({ id }).first();
    return r && toCustomer(r);
  }

  async findManyByIds(ids: string[]): Promise<Customer[]> {
    if (ids.length === 0) return [];
    return (await this.db<CustomerRow>('customers').whereIn('id', [...new Set(ids)])).map(toCustomer);
  }

  async findByIdentity(identity: Identity): Promise<Customer | undefined> {
    const r = await this.db<CustomerRow>('customers')
      .join('customer_identities as i', 'i.customer_id', 'customers.id')
      .where({ 'i.kind': identity.kind, 'i.scope': identity.scope, 'i.value': identity.value })
      .first('customers.*');
    return r && toCustomer(r);
  }

  async create(input: NewCustomer, now: number): Promise<Customer> {
    const row = newCustomerRow(input, now);
    await this.db('customers').insert(row);
    if (row.name) await queueMatchCheck(this.db, [row.id]);
    return toCustomer(row);
  }

  /** Links an identity to a customer; a no-op when that identity already belongs to someone. */
  async linkIdentity(customerId: string, identity: Identity, now: number): Promise<boolean> {
    const inserted = await this.db('customer_identities')
      .insert({ id: newId(), customer_id: customerId, ...identity, created_at: now })
      .onConflict(['kind', 'scope', 'value'])
      .ignore()
      .returning('id');
    if (inserted.length > 0 && (identity.kind === 'phone' || identity.kind === 'email')) await queueMatchCheck(this.db, [customerId]);
    return inserted.length > 0;
  }

  async findIdentity(identity: Identity): Promise<CustomerIdentity | undefined> {
    const r = await this.db<IdentityRow>('customer_identities').where(identity).first();
    return r && toIdentity(r);
  }

  async removeIdentity(customerId: string, identityId: string): Promise<boolean> {
    const removed = (await this.db('customer_identities').where({ id: identityId, customer_id: customerId }).delete()) > 0;
    if (removed) await queueMatchCheck(this.db, [customerId]);
    return removed;
  }

  /** Moves every identity of `fromId` to `toId`; returns the ids moved. */
  async moveIdentities(fromId: string, toId: string): Promise<string[]> {
    const ids = (await this.db('customer_identities').where({ customer_id: fromId }).select('id')).map((r: { id: string }) => r.id);
    if (ids.length) await this.db('customer_identities').whereIn('id', ids).update({ customer_id: toId });
    await queueMatchCheck(this.db, [fromId, toId]);
    return ids;
  }

  /** Moves the listed identities back to `toId` (an unmerge). */
  async reassignIdentities(ids: string[], toId: string): Promise<void> {
    if (ids.length) await this.db('customer_identities').whereIn('id', ids).update({ customer_id: toId });
    await queueMatchCheck(this.db, [toId]);
  }

  /** Marks a profile as merged into another (or, with null, as a customer of its own again). */
  async setMergedInto(id: string, targetId: string | null, now: number): Promise<void> {
    await this.db('customers').where({ id }).update({ merged_into: targetId, updated_at: now });
    await queueMatchCheck(this.db, [id]);
  }

  /** Takes the row lock on PostgreSQL (a no-op on SQLite, whose writers are serialized). */
  async lock(ids: string[]): Promise<void> {
    if (this.engine === 'postgres')
      await this.db('customers')
        .whereIn('id', [...ids].sort())
        .forUpdate()
        .select('id');
  }

  async identities(customerId: string): Promise<CustomerIdentity[]> {
    const rows = await this.db<IdentityRow>('customer_identities').where({ customer_id: customerId }).orderBy('created_at');
    return rows.map(toIdentity);
  }

  async update(
    id: string,
    patch: {
      name?: string | null;
      locale?: string | null;
      lastContactAt?: number | null;
      valueTier?: ValueTier | null;
      vip?: boolean;
      tags?: string[];
      attributes?: Record<string, unknown>;
    },
    now: number,
  ): Promise<void> {
    const row: Partial<CustomerRow> = { updated_at: now };
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.locale !== undefined) row.locale = patch.locale;
    if (patch.valueTier !== undefined) row.value_tier = patch.valueTier;
    if (patch.vip !== undefined) row.vip = patch.vip;
    if (patch.lastContactAt !== undefined) row.last_contact_at = patch.lastContactAt;
    if (patch.tags !== undefined) row.tags = JSON.stringify(patch.tags);
    if (patch.attributes !== undefined) row.attributes = JSON.stringify(patch.attributes);
    await this.db('customers').where({ id }).update(row);
    if (patch.name !== undefined || patch.attributes !== undefined) await queueMatchCheck(this.db, [id]);
  }

  /** Merges `attributes` into the customer's attributes. */
  async setAttributes(id: string, attributes: Record<string, unknown>, now: number): Promise<void> {
    const current = await this.findById(id);
    if (!current) return;
    await this.db('customers')
      .where({ id })
      .update({ attributes: JSON.stringify({ ...current.attributes, ...attributes }), updated_at: now });
    await queueMatchCheck(this.db, [id]);
  }

  async list(opts: { query?: string; limit: number; before?: string }): Promise<Customer[]> {
    const q = this.db<CustomerRow>('customers').whereNull('merged_into').orderBy('id', 'desc').limit(opts.limit);
    if (opts.before) q.where('id', '<', opts.before);
    if (opts.query) {
      const like = `%${opts.query.toLowerCase()}%`;
      q.where((w) =>
        w
          .whereRaw('lower(name) like ?', [like])
          .orWhereIn('id', this.db('customer_identities').select('customer_id').whereRaw('lower(value) like ?', [like])),
      );
    }
    return (await q).map(toCustomer);
  }
}
