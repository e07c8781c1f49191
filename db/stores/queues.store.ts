import type { Knex } from 'knex';
import { QUEUE_DEFAULTS, type QueueConfig, type RoutingStrategy } from '../../server/domain/routing/types.js';
import { newId } from '../ids.js';
import { bool, parseJson } from '../json.js';

interface QueueRow {
  id: string;
  name: string;
  channels: string;
  required_skills: string;
  strategy: RoutingStrategy;
  priority: number;
  aging_per_minute: number;
  offer_timeout_ms: number;
  auto_accept: boolean | number;
  wrap_up_ms: number;
  max_misses: number;
  sticky_ms: number;
  overflow: string | null;
  business_hours: string | null;
  after_hours: string;
  sla: string | null;
  service_level_ms: number;
  service_level_target: number;
  created_at: number;
  updated_at: number;
}

/** A queue as stored: its routing configuration and when it was made and last changed. */
export interface Queue extends QueueConfig {
  createdAt: number;
  updatedAt: number;
}

export type QueueSettings = Omit<QueueConfig, 'id'>;
export type NewQueue = Pick<QueueSettings, 'name'> & Partial<QueueSettings>;
export type QueuePatch = Partial<QueueSettings>;
export { QUEUE_DEFAULTS };

const toQueue = (r: QueueRow): Queue => ({
  id: r.id,
  name: r.name,
  channels: parseJson(r.channels, []),
  requiredSkills: parseJson(r.required_skills, []),
  strategy: r.strategy,
  priority: r.priority,
  agingPerMinute: Number(r.aging_per_minute),
  offerTimeoutMs: r.offer_timeout_ms,
  autoAccept: bool(r.auto_accept),
  wrapUpMs: r.wrap_up_ms,
  maxMisses: r.max_misses,
  stickyMs: r.sticky_ms,
  overflow: r.overflow === null ? null : parseJson(r.overflow, null),
  businessHours: r.business_hours === null ? null : parseJson(r.business_hours, null),
  afterHours: parseJson(r.after_hours, { action: 'keep_queued' }),
  sla: r.sla === null ? null : parseJson(r.sla, null),
  serviceLevelMs: r.service_level_ms,
  serviceLevelTarget: Number(r.service_level_target),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

/** The columns of the settings present in `s`. */
function columnsOf(s: QueuePatch): Partial<QueueRow> {
  const row: Partial<QueueRow> = {};
  if (s.name !== undefined) row.name = s.name;
  if (s.channels !== undefined) row.channels = JSON.stringify(s.channels);
  if (s.requiredSkills !== undefined) row.required_skills = JSON.stringify(s.requiredSkills);
  if (s.strategy !== undefined) row.strategy = s.strategy;
  if (s.priority !== undefined) row.priority = s.priority;
  if (s.agingPerMinute !== undefined) row.aging_per_minute = s.agingPerMinute;
  if (s.offerTimeoutMs !== undefined) row.offer_timeout_ms = s.offerTimeoutMs;
  if (s.autoAccept !== undefined) row.auto_accept = s.autoAccept;
  if (s.wrapUpMs !== undefined) row.wrap_up_ms = s.wrapUpMs;
  if (s.maxMisses !== undefined) row.max_misses = s.maxMisses;
  if (s.stickyMs !== undefined) row.sticky_ms = s.stickyMs;
  if (s.overflow !== undefined) row.overflow = json(s.overflow);
  if (s.businessHours !== undefined) row.business_hours = json(s.businessHours);
  if (s.afterHours !== undefined) row.after_hours = JSON.stringify(s.afterHours);
  if (s.sla !== undefined) row.sla = json(s.sla);
  if (s.serviceLevelMs !== undefined) row.service_level_ms = s.serviceLevelMs;
  if (s.serviceLevelTarget !== undefined) row.service_level_target = s.serviceLevelTarget;
  return row;
}

/** What still depends on a queue (deleting it would strand these). */
export interface QueueUsage {
  /** Unresolved conversations whose queue it is. */
  openConversations: number;
  channelAccountIds: string[];
  /** Queues that overflow into it. */
  overflowFromQueueIds: string[];
}

export class QueuesStore {
  constructor(private readonly db: Knex) {}

  async list(): Promise<Queue[]> {
    return (await this.db<QueueRow>('queues').orderBy('name')).map(toQueue);
  }

  async findById(id: string): Promise<Queue | undefined> {
    const r = await this.db<QueueRow>('queues').where({ id }).first();
    return r && toQueue(r);
  }

  async findByName(name: string): Promise<Queue | undefined> {
    const r = await this.db<QueueRow>('queues').where({ name }).first();
    return r && toQueue(r);
  }

  /** Those of `ids` that name a queue. */
  async existing(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return (
      await this.db('queues')
        .whereIn('id', [...new Set(ids)])
        .select('id')
    ).map((r: { id: string }) => r.id);
  }

  /** Throws a unique violation when the name is taken. */
  async create(input: NewQueue, now: number): Promise<Queue> {
    const settings: QueueSettings = { ...QUEUE_DEFAULTS, ...input };
    const row = { id: newId(), ...columnsOf(settings), created_at: now, updated_at: now } as QueueRow;
    await this.db('queues').insert(row);
    return toQueue(row);
  }

  /** Throws a unique violation when a new name is taken. */
  async update(id: string, patch: QueuePatch, now: number): Promise<Queue | undefined> {
    await this.db('queues')
      .where({ id })
      .update({ ...columnsOf(patch), updated_at: now });
    return this.findById(id);
  }

  /** Deletes the queue and its membership. False when there was no such queue. */
  async delete(id: string): Promise<boolean> {
    await this.db('queue_members').where({ queue_id: id }).delete();
    return (await this.db('queues').where({ id }).delete()) > 0;
  }

  async usage(id: string): Promise<QueueUsage> {
    // One after another: inside a transaction the queries share one connection.
    const open = await this.db('conversations')
      .where({ queue_id: id })
      .whereNot({ status: 'resolved' })
      .count<{ n: number | string }[]>({ n: '*' })
      .first();
    const accounts = await this.db('channel_accounts').where({ queue_id: id }).orderBy('created_at').select('id');
    const overflowing = await this.db<QueueRow>('queues').whereNotNull('overflow').whereNot({ id }).select('id', 'overflow');
    return {
      openConversations: Number(open?.n ?? 0),
      channelAccountIds: accounts.map((r: { id: string }) => r.id),
      overflowFromQueueIds: overflowing
        .filter((r) => parseJson<{ toQueueId?: string } | null>(r.overflow, null)?.toQueueId === id)
        .map((r) => r.id),
    };
  }

  /** The users who work the queue. */
  async members(queueId: string): Promise<string[]> {
    const rows = await this.db('queue_members').where({ queue_id: queueId }).orderBy('user_id').select('user_id');
    return rows.map((r: { user_id: string }) => r.user_id);
  }

  /** Every queue's members, by queue id (queues without members are absent). */
  async allMembers(): Promise<Map<string, string[]>> {
    const rows: { queue_id: string; user_id: string }[] = await this.db('queue_members').orderBy(['queue_id', 'user_id']);
    const byQueue = new Map<string, string[]>();
    for (const r of rows) (byQueue.get(r.queue_id) ?? byQueue.set(r.queue_id, []).get(r.queue_id)!).push(r.user_id);
    return byQueue;
  }

  /** Replaces the queue's members (the caller checked that the users exist). */
  async setMembers(queueId: string, userIds: string[]): Promise<void> {
    await this.db('queue_members').where({ queue_id: queueId }).delete();
    const rows = [...new Set(userIds)].map((userId) => ({ queue_id: queueId, user_id: userId }));
    if (rows.length > 0) await this.db('queue_members').insert(rows);
  }

  /** The queues a user works. */
  async queuesOf(userId: string): Promise<string[]> {
    const rows = await this.db('queue_members').where({ user_id: userId }).orderBy('queue_id').select('queue_id');
    return rows.map((r: { queue_id: string }) => r.queue_id);
  }

  /** Replaces the queues a user works (the caller checked that the queues exist). */
  async setQueuesOf(userId: string, queueIds: string[]): Promise<void> {
    await this.db('queue_members').where({ user_id: userId }).delete();
    const rows = [...new Set(queueIds)].map((queueId) => ({ queue_id: queueId, user_id: userId }));
    if (rows.length > 0) await this.db('queue_members').insert(rows);
  }
}
