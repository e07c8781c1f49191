import type { Knex } from 'knex';
import type { Campaign, CampaignStatus, CampaignTrigger, NewCampaign, SkipReason } from '../../server/domain/crm/campaign.js';
import { newId } from '../ids.js';
import { parseJson } from '../json.js';

interface CampaignRow {
  id: string;
  name: string;
  status: CampaignStatus;
  segment_id: string | null;
  channel_account_id: string;
  subject: string | null;
  template: string;
  trigger: string;
  send_at: number | null;
  rate_per_minute: number;
  next_slot_at: number;
  audience_cursor: string | null;
  audience_done_at: number | null;
  scanned_at: number | null;
  created_by: string | null;
  started_at: number | null;
  finished_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A campaign with the runner's bookkeeping: its rate clock, how far its audience is taken, its last scan. */
export interface CampaignState extends Campaign {
  nextSlotAt: number;
  audienceCursor: string | null;
  audienceDoneAt: number | null;
  scannedAt: number | null;
}

const toCampaign = (r: CampaignRow): CampaignState => ({
  id: r.id,
  name: r.name,
  status: r.status,
  segmentId: r.segment_id,
  channelAccountId: r.channel_account_id,
  subject: r.subject,
  template: r.template,
  trigger: parseJson<CampaignTrigger>(r.trigger, { kind: 'once' }),
  sendAt: r.send_at,
  ratePerMinute: r.rate_per_minute,
  createdBy: r.created_by,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  nextSlotAt: Number(r.next_slot_at),
  audienceCursor: r.audience_cursor,
  audienceDoneAt: r.audience_done_at,
  scannedAt: r.scanned_at,
});

export type { NewCampaign };
export type CampaignPatch = Partial<NewCampaign>;

const COLUMN: Record<keyof NewCampaign, keyof CampaignRow> = {
  name: 'name',
  segmentId: 'segment_id',
  channelAccountId: 'channel_account_id',
  subject: 'subject',
  template: 'template',
  trigger: 'trigger',
  sendAt: 'send_at',
  ratePerMinute: 'rate_per_minute',
};

function rowOf(patch: CampaignPatch): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) row[COLUMN[key as keyof NewCampaign]] = key === 'trigger' ? JSON.stringify(value) : value;
  }
  return row;
}

export type SendStatus = 'pending' | 'sent' | 'skipped';

export interface CampaignSend {
  id: string;
  campaignId: string;
  customerId: string;
  occasion: string;
  status: SendStatus;
  skipReason: SkipReason | null;
  dueAt: number;
  conversationId: string | null;
  messageId: string | null;
  sentAt: number | null;
  createdAt: number;
}

interface SendRow {
  id: string;
  campaign_id: string;
  customer_id: string;
  occasion: string;
  status: SendStatus;
  skip_reason: SkipReason | null;
  due_at: number;
  conversation_id: string | null;
  message_id: string | null;
  sent_at: number | null;
  created_at: number;
  updated_at: number;
}

const toSend = (r: SendRow): CampaignSend => ({
  id: r.id,
  campaignId: r.campaign_id,
  customerId: r.customer_id,
  occasion: r.occasion,
  status: r.status,
  skipReason: r.skip_reason,
  dueAt: Number(r.due_at),
  conversationId: r.conversation_id,
  messageId: r.message_id,
  sentAt: r.sent_at,
  createdAt: r.created_at,
});

/** A recipient to add: the customer, the occasion that fired (or '' for a one-off), when it may go. */
export interface NewSend {
  customerId: string;
  occasion: string;
  dueAt: number;
}

export interface CampaignStats {
  targeted: number;
  pending: number;
  sent: number;
  skipped: Record<SkipReason | string, number>;
  /** Sent but the provider refused it (or retries ran out). */
  failed: number;
  delivered: number;
  /** Recipients who wrote back on the campaign's channel account after it was sent. */
  replied: number;
}

export class CampaignsStore {
  constructor(private readonly db: Knex) {}

  async create(input: NewCampaign, createdBy: string, now: number): Promise<CampaignState> {
    const id = newId();
    await this.db('campaigns').insert({
      id,
      status: 'draft',
      ...rowOf(input),
      next_slot_at: 0,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    });
    return (await this.findById(id))!;
  }

  async findById(id: string): Promise<CampaignState | undefined> {
    const r = await this.db<CampaignRow>('campaigns').where({ id }).first();
    return r && toCampaign(r);
  }

  async list(): Promise<CampaignState[]> {
    return (await this.db<CampaignRow>('campaigns').orderBy('created_at', 'desc').limit(500)).map(toCampaign);
  }

  async withStatus(statuses: CampaignStatus[]): Promise<CampaignState[]> {
    return (await this.db<CampaignRow>('campaigns').whereIn('status', statuses).orderBy('created_at')).map(toCampaign);
  }

  /** Changes the fields of a campaign still in one of `statuses`; false when it is not (any more). */
  async update(id: string, patch: CampaignPatch, statuses: CampaignStatus[], now: number): Promise<boolean> {
    const n = await this.db('campaigns')
      .where({ id })
      .whereIn('status', statuses)
      .update({ ...rowOf(patch), updated_at: now });
    return n > 0;
  }

  /** Moves the campaign from `from` to `to` (a compare-and-set: false when someone moved it first). */
  async setStatus(
    id: string,
    from: CampaignStatus,
    to: CampaignStatus,
    now: number,
    extra: { startedAt?: number; finishedAt?: number } = {},
  ): Promise<boolean> {
    const row: Record<string, unknown> = { status: to, updated_at: now };
    if (extra.startedAt !== undefined) row.started_at = this.db.raw('coalesce(started_at, ?)', [extra.startedAt]);
    if (extra.finishedAt !== undefined) row.finished_at = extra.finishedAt;
    return (await this.db('campaigns').where({ id, status: from }).update(row)) > 0;
  }

  /** Takes the rate limit's slot: sets the next one, if the stored one is still `expected` and the campaign runs. */
  async advanceSlot(id: string, expected: number, next: number): Promise<boolean> {
    return (await this.db('campaigns').where({ id, status: 'running', next_slot_at: expected }).update({ next_slot_at: next })) > 0;
  }

  async setScannedAt(id: string, at: number): Promise<void> {
    await this.db('campaigns').where({ id }).update({ scanned_at: at });
  }

  /**
   * Adds recipients, once each: one already there for the same occasion is left as it is. With
   * `cursor`, the audience's progress is saved in the same write (a one-off campaign's paging).
   */
  async addSends(campaignId: string, sends: NewSend[], now: number, progress?: { cursor: string | null; done: boolean }): Promise<number> {
    let added = 0;
    for (let i = 0; i < sends.length; i += 200) {
      const rows = sends.slice(i, i + 200).map((s) => ({
        id: newId(),
        campaign_id: campaignId,
        customer_id: s.customerId,
        occasion: s.occasion,
        status: 'pending',
        due_at: s.dueAt,
        created_at: now,
        updated_at: now,
      }));
      const inserted = await this.db('campaign_sends')
        .insert(rows)
        .onConflict(['campaign_id', 'customer_id', 'occasion'])
        .ignore()
        .returning('id');
      added += inserted.length;
    }
    if (progress) {
      await this.db('campaigns')
        .where({ id: campaignId })
        .update({ audience_cursor: progress.cursor, audience_done_at: progress.done ? now : null });
    }
    return added;
  }

  async findSend(id: string): Promise<CampaignSend | undefined> {
    const r = await this.db<SendRow>('campaign_sends').where({ id }).first();
    return r && toSend(r);
  }

  async findSendByMessage(messageId: string): Promise<CampaignSend | undefined> {
    const r = await this.db<SendRow>('campaign_sends').where({ message_id: messageId }).first();
    return r && toSend(r);
  }

  /** Pending recipients whose time has come, oldest first. */
  async due(campaignId: string, now: number, limit: number): Promise<CampaignSend[]> {
    const rows = await this.db<SendRow>('campaign_sends')
      .where({ campaign_id: campaignId, status: 'pending' })
      .where('due_at', '<=', now)
      .orderBy([{ column: 'due_at' }, { column: 'id' }])
      .limit(limit);
    return rows.map(toSend);
  }

  /** Pending, due recipients after `afterId` in id order (looked at ahead of the rate limit). */
  async pendingAfter(campaignId: string, afterId: string, now: number, limit: number): Promise<CampaignSend[]> {
    const rows = await this.db<SendRow>('campaign_sends')
      .where({ campaign_id: campaignId, status: 'pending' })
      .where('due_at', '<=', now)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit);
    return rows.map(toSend);
  }

  /** When the next pending recipient of the campaign comes due; undefined when none is pending. */
  async nextDueAt(campaignId: string): Promise<number | undefined> {
    const row = await this.db('campaign_sends')
      .where({ campaign_id: campaignId, status: 'pending' })
      .min<{ t: number | string | null }>({ t: 'due_at' })
      .first();
    return row?.t == null ? undefined : Number(row.t);
  }

  async markSkipped(id: string, reason: SkipReason, now: number): Promise<boolean> {
    return (
      (await this.db('campaign_sends')
        .where({ id, status: 'pending' })
        .update({ status: 'skipped', skip_reason: reason, updated_at: now })) > 0
    );
  }

  /** Pending → sent with its message; false when it was not pending (another node sent it). */
  async markSent(id: string, conversationId: string, messageId: string, now: number): Promise<boolean> {
    const n = await this.db('campaign_sends')
      .where({ id, status: 'pending' })
      .update({ status: 'sent', conversation_id: conversationId, message_id: messageId, sent_at: now, updated_at: now });
    return n > 0;
  }

  async sends(campaignId: string, opts: { status?: SendStatus; limit: number; after?: string }): Promise<CampaignSend[]> {
    const q = this.db<SendRow>('campaign_sends').where({ campaign_id: campaignId }).orderBy('id').limit(opts.limit);
    if (opts.status) q.where({ status: opts.status });
    if (opts.after) q.where('id', '>', opts.after);
    return (await q).map(toSend);
  }

  async stats(campaignId: string, channelAccountId: string): Promise<CampaignStats> {
    const byStatus = (await this.db('campaign_sends')
      .where({ campaign_id: campaignId })
      .groupBy('status', 'skip_reason')
      .select('status', 'skip_reason')
      .count({ n: '*' })) as { status: SendStatus; skip_reason: string | null; n: number | string }[];
    const stats: CampaignStats = { targeted: 0, pending: 0, sent: 0, skipped: {}, failed: 0, delivered: 0, replied: 0 };
    for (const r of byStatus) {
      const n = Number(r.n);
      stats.targeted += n;
      if (r.status === 'pending') stats.pending += n;
      else if (r.status === 'sent') stats.sent += n;
      else stats.skipped[r.skip_reason ?? 'unknown'] = (stats.skipped[r.skip_reason ?? 'unknown'] ?? 0) + n;
    }
    const delivery = (await this.db('campaign_sends as s')
      .join('messages as m', 'm.id', 's.message_id')
      .where('s.campaign_id', campaignId)
      .groupBy('m.status')
      .select('m.status')
      .count({ n: '*' })) as { status: string; n: number | string }[];
    for (const r of delivery) {
      if (r.status === 'failed') stats.failed += Number(r.n);
      if (r.status === 'delivered' || r.status === 'read') stats.delivered += Number(r.n);
    }
    const replied = await this.db('campaign_sends as s')
      .where({ 's.campaign_id': campaignId, 's.status': 'sent' })
      .whereExists((q) =>
        q
          .select(this.db.raw('1'))
          .from('messages as m')
          .join('conversations as c', 'c.id', 'm.conversation_id')
          .whereRaw('c.customer_id = s.customer_id')
          .where({ 'm.channel_account_id': channelAccountId, 'm.direction': 'inbound' })
          .whereRaw('m.created_at > s.sent_at'),
      )
      .count<{ n: number | string }[]>({ n: '*' })
      .first();
    stats.replied = Number(replied?.n ?? 0);
    return stats;
  }
}
