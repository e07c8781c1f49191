import type { Knex } from 'knex';
import {
  DEFAULT_CAPACITY,
  capacityClassOf,
  type AgentRouting,
  type CapacityClass,
  type Presence,
} from '../../server/domain/routing/types.js';
import type { ChannelKind } from '../../server/domain/types.js';
import { parseJson } from '../json.js';

interface AgentRoutingRow {
  user_id: string;
  presence: Presence;
  presence_reason: string | null;
  presence_since: number;
  skills: string;
  capacity: string;
  idle_since: number;
  last_offer_at: number;
  misses: number;
}

/**
 * An agent's stored routing state. `load` is not stored (it is counted: see `loadByAgent`), so it
 * is absent here; `queueIds` comes from queue membership.
 */
export interface AgentRoutingRecord extends Omit<AgentRouting, 'load'> {
  presenceReason: string | null;
  /** Offers missed in a row (declined or timed out). */
  misses: number;
}

export type Load = Record<CapacityClass, number>;
const noLoad = (): Load => ({ voice: 0, chat: 0, messaging: 0, email: 0 });

const toRecord = (r: AgentRoutingRow, queueIds: string[]): AgentRoutingRecord => ({
  id: r.user_id,
  presence: r.presence,
  presenceReason: r.presence_reason,
  presenceSince: r.presence_since,
  skills: parseJson(r.skills, {}),
  // Classes missing from the stored JSON fall back to the defaults.
  capacity: { ...DEFAULT_CAPACITY, ...parseJson<Partial<Load>>(r.capacity, {}) },
  queueIds,
  idleSince: r.idle_since,
  lastOfferAt: r.last_offer_at,
  misses: r.misses,
});

export class AgentRoutingStore {
  constructor(
    private readonly db: Knex,
    private readonly engine: 'sqlite' | 'postgres' = 'sqlite',
  ) {}

  /**
   * The capacity fence, inside a transaction: locks the agent's routing row (PostgreSQL `FOR UPDATE`;
   * SQLite runs one writer at a time) and tells whether one more conversation of this channel kind
   * fits, counting assignments and live offers. Two nodes, or a leader and one being deposed, can
   * each believe the agent free; only one of them gets past this.
   */
  async lockAndHasRoom(agentId: string, kind: ChannelKind): Promise<boolean> {
    const row = this.db<AgentRoutingRow>('agent_routing').where({ user_id: agentId }).first('capacity');
    const r = await (this.engine === 'postgres' ? row.forUpdate() : row);
    if (!r) return false;
    const cls = capacityClassOf(kind);
    const capacity = { ...DEFAULT_CAPACITY, ...parseJson<Partial<Load>>(r.capacity, {}) }[cls];
    const load = (await this.loadByAgent([agentId])).get(agentId)?.[cls] ?? 0;
    return load < capacity;
  }

  /** The agent's routing state; undefined until `ensure` has made it. */
  async get(userId: string): Promise<AgentRoutingRecord | undefined> {
    const r = await this.db<AgentRoutingRow>('agent_routing').where({ user_id: userId }).first();
    if (!r) return undefined;
    const queueIds = (await this.db('queue_members').where({ user_id: userId }).orderBy('queue_id').select('queue_id')).map(
      (m: { queue_id: string }) => m.queue_id,
    );
    return toRecord(r, queueIds);
  }

  /** The agent's routing state, made with the defaults (offline, no skills, default capacity) if missing. */
  async ensure(userId: string, now: number): Promise<AgentRoutingRecord> {
    await this.db('agent_routing')
      .insert({
        user_id: userId,
        presence: 'offline',
        presence_reason: null,
        presence_since: now,
        skills: '{}',
        capacity: JSON.stringify(DEFAULT_CAPACITY),
        idle_since: now,
        last_offer_at: 0,
        misses: 0,
      })
      .onConflict('user_id')
      .ignore();
    return (await this.get(userId))!;
  }

  async list(): Promise<AgentRoutingRecord[]> {
    // One after another: inside a transaction the queries share one connection.
    const rows = await this.db<AgentRoutingRow>('agent_routing').orderBy('user_id');
    const members = await this.db('queue_members').orderBy(['user_id', 'queue_id']).select('user_id', 'queue_id');
    const queuesOf = new Map<string, string[]>();
    for (const m of members as { user_id: string; queue_id: string }[]) {
      (queuesOf.get(m.user_id) ?? queuesOf.set(m.user_id, []).get(m.user_id)!).push(m.queue_id);
    }
    return rows.map((r) => toRecord(r, queuesOf.get(r.user_id) ?? []));
  }

  /** Replaces the skills and/or the capacity (whole maps). False when the agent has no routing state. */
  async updateProfile(userId: string, patch: { skills?: Record<string, number>; capacity?: Load }): Promise<boolean> {
    const row: Partial<AgentRoutingRow> = {};
    if (patch.skills !== undefined) row.skills = JSON.stringify(patch.skills);
    if (patch.capacity !== undefined) row.capacity = JSON.stringify(patch.capacity);
    if (Object.keys(row).length === 0) return Boolean(await this.db('agent_routing').where({ user_id: userId }).first('user_id'));
    return (await this.db('agent_routing').where({ user_id: userId }).update(row)) > 0;
  }

  /**
   * Sets the presence and its reason. `presenceSince` moves to `now` only when the presence changes
   * (a new away reason does not restart the away clock). False when the agent has no routing state.
   */
  async setPresence(userId: string, presence: Presence, reason: string | null, now: number): Promise<boolean> {
    const changed = await this.db('agent_routing')
      .where({ user_id: userId })
      .update({
        presence,
        presence_reason: reason,
        presence_since: this.db.raw('CASE WHEN presence = ? THEN presence_since ELSE ? END', [presence, now]),
      });
    return changed > 0;
  }

  async recordOffer(userId: string, now: number): Promise<void> {
    await this.db('agent_routing').where({ user_id: userId }).update({ last_offer_at: now });
  }

  /** Counts a missed offer; returns the misses in a row (0 when the agent has no routing state). */
  async recordMiss(userId: string): Promise<number> {
    await this.db('agent_routing').where({ user_id: userId }).increment('misses', 1);
    const r = await this.db<AgentRoutingRow>('agent_routing').where({ user_id: userId }).first('misses');
    return r?.misses ?? 0;
  }

  async resetMisses(userId: string): Promise<void> {
    await this.db('agent_routing').where({ user_id: userId }).update({ misses: 0 });
  }

  async setIdleSince(userId: string, at: number): Promise<void> {
    await this.db('agent_routing').where({ user_id: userId }).update({ idle_since: at });
  }

  /**
   * What each agent holds, per capacity class: unresolved conversations assigned to them plus their
   * live offers. Agents holding nothing are absent. `agentIds` narrows the count to those agents.
   */
  async loadByAgent(agentIds?: string[]): Promise<Map<string, Load>> {
    const assigned = this.db('conversations')
      .whereNotNull('assignee_id')
      .whereNot({ status: 'resolved' })
      .groupBy('assignee_id', 'channel_kind')
      .select({ agent_id: 'assignee_id', channel_kind: 'channel_kind' })
      .count({ n: '*' });
    const offered = this.db('offers as o')
      .join('conversations as c', 'c.id', 'o.conversation_id')
      .groupBy('o.agent_id', 'c.channel_kind')
      .select({ agent_id: 'o.agent_id', channel_kind: 'c.channel_kind' })
      .count({ n: '*' });
    if (agentIds) {
      assigned.whereIn('assignee_id', agentIds);
      offered.whereIn('o.agent_id', agentIds);
    }
    const rows = [...(await assigned), ...(await offered)] as { agent_id: string; channel_kind: ChannelKind; n: number | string }[];
    const load = new Map<string, Load>();
    for (const r of rows) {
      const l = load.get(r.agent_id) ?? load.set(r.agent_id, noLoad()).get(r.agent_id)!;
      l[capacityClassOf(r.channel_kind)] += Number(r.n);
    }
    return load;
  }
}
