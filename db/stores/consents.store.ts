import type { Knex } from 'knex';
import type { Consent, ConsentStatus } from '../../server/domain/customer-merge.js';
import type { ChannelKind } from '../../server/domain/types.js';
import { newId } from '../ids.js';

interface ConsentRow {
  id: string;
  customer_id: string;
  channel: ChannelKind;
  status: ConsentStatus;
  source: string;
  recorded_by: string | null;
  created_at: number;
  updated_at: number;
  opted_in_at: number | null;
  opted_in_source: string | null;
  opted_out_at: number | null;
  opted_out_source: string | null;
}

const toConsent = (r: ConsentRow): Consent => ({
  id: r.id,
  customerId: r.customer_id,
  channel: r.channel,
  status: r.status,
  source: r.source,
  recordedBy: r.recorded_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  optedInAt: r.opted_in_at,
  optedInSource: r.opted_in_source,
  optedOutAt: r.opted_out_at,
  optedOutSource: r.opted_out_source,
});

const toRow = (c: Consent): ConsentRow => ({
  id: c.id,
  customer_id: c.customerId,
  channel: c.channel,
  status: c.status,
  source: c.source,
  recorded_by: c.recordedBy,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
  opted_in_at: c.optedInAt ?? null,
  opted_in_source: c.optedInSource ?? null,
  opted_out_at: c.optedOutAt ?? null,
  opted_out_source: c.optedOutSource ?? null,
});

export class ConsentsStore {
  constructor(private readonly db: Knex) {}

  async list(customerId: string): Promise<Consent[]> {
    return (await this.db<ConsentRow>('customer_consents').where({ customer_id: customerId }).orderBy('channel')).map(toConsent);
  }

  /** Records the customer's current decision for a channel (one row per customer and channel). */
  async set(
    customerId: string,
    channel: ChannelKind,
    decision: { status: ConsentStatus; source: string; recordedBy: string | null },
    now: number,
  ): Promise<Consent> {
    // The decision's own pair (opted_in_* or opted_out_*) is stamped; the other one is kept as it was.
    const stamp =
      decision.status === 'opted_in'
        ? { opted_in_at: now, opted_in_source: decision.source }
        : { opted_out_at: now, opted_out_source: decision.source };
    const current = { status: decision.status, source: decision.source, recorded_by: decision.recordedBy, updated_at: now, ...stamp };
    await this.db('customer_consents')
      .insert({ id: newId(), customer_id: customerId, channel, created_at: now, ...current })
      .onConflict(['customer_id', 'channel'])
      .merge(current);
    return toConsent((await this.db<ConsentRow>('customer_consents').where({ customer_id: customerId, channel }).first())!);
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length) await this.db('customer_consents').whereIn('id', ids).delete();
  }

  async reassign(ids: string[], customerId: string): Promise<void> {
    if (ids.length) await this.db('customer_consents').whereIn('id', ids).update({ customer_id: customerId });
  }

  /** Puts back consents exactly as they were (an unmerge restoring what a merge superseded). */
  async restore(consents: Consent[]): Promise<void> {
    if (consents.length) await this.db('customer_consents').insert(consents.map(toRow));
  }
}
