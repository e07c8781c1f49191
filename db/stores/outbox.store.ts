import type { Knex } from 'knex';
import { newId } from '../ids.js';

export interface OutboxItem {
  id: string;
  messageId: string;
  channelAccountId: string;
  attempts: number;
}

export class OutboxStore {
  constructor(
    private readonly db: Knex,
    private readonly engine: 'sqlite' | 'postgres',
  ) {}

  async enqueue(messageId: string, channelAccountId: string, now: number): Promise<void> {
    await this.db('outbox').insert({
      id: newId(),
      message_id: messageId,
      channel_account_id: channelAccountId,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    });
  }

  /**
   * Leases up to `limit` due items for `leaseMs`. A worker that dies mid-send loses its lease and the
   * item is picked up again; the channel's send is keyed by the message id so a resend is recognisable.
   */
  async claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    return this.db.transaction(async (trx) => {
      const q = trx('outbox')
        .where({ status: 'pending' })
        .where('next_attempt_at', '<=', now)
        .where((w) => w.whereNull('locked_until').orWhere('locked_until', '<', now))
        .orderBy('next_attempt_at')
        .limit(limit)
        .select('id', 'message_id', 'channel_account_id', 'attempts');
      if (this.engine === 'postgres') q.forUpdate().skipLocked();
      const rows = (await q) as { id: string; message_id: string; channel_account_id: string; attempts: number }[];
      if (rows.length === 0) return [];
      await trx('outbox')
        .whereIn(
          'id',
          rows.map((r) => r.id),
        )
        .update({ locked_until: now + leaseMs, attempts: trx.raw('attempts + 1'), updated_at: now });
      return rows.map((r) => ({ id: r.id, messageId: r.message_id, channelAccountId: r.channel_account_id, attempts: r.attempts + 1 }));
    });
  }

  async markDone(id: string, now: number): Promise<void> {
    await this.db('outbox').where({ id }).update({ status: 'done', locked_until: null, updated_at: now });
  }

  async markRetry(id: string, nextAttemptAt: number, code: string, error: string, now: number): Promise<void> {
    await this.db('outbox')
      .where({ id })
      .update({
        next_attempt_at: nextAttemptAt,
        locked_until: null,
        last_error_code: code,
        last_error: error.slice(0, 500),
        updated_at: now,
      });
  }

  async markFailed(id: string, code: string, error: string, now: number): Promise<void> {
    await this.db('outbox')
      .where({ id })
      .update({ status: 'failed', locked_until: null, last_error_code: code, last_error: error.slice(0, 500), updated_at: now });
  }

  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db('outbox').where({ status: 'pending' }).min<{ t: number | null }>({ t: 'next_attempt_at' }).first();
    return row?.t ?? undefined;
  }
}
