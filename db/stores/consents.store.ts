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
    await this.db('customer_consents')
      .insert({
        id: newId(),
        customer_id: customerId,
        channel,
        status: decision.status,
        source: decision.source,
        recorded_by: decision.recordedBy,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['customer_id', 'channel'])
      .merge(['status', 'source', 'recorded_by', 'updated_at']);
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
