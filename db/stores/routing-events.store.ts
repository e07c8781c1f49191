import type { Knex } from 'knex';
import { newId } from '../ids.js';
import { parseJson } from '../json.js';

/** What happened to a conversation on its way to an agent: the raw material of live stats and reports. */
export type RoutingEventType =
  | 'enqueued'
  | 'offered'
  | 'accepted'
  | 'declined'
  | 'timed_out'
  | 'assigned'
  | 'answered'
  | 'abandoned'
  | 'overflowed'
  | 'transferred'
  | 'sla_warning'
  | 'sla_breached'
  /** The queue was closed and the customer got its after-hours reply (data.opensAt: the next opening). */
  | 'auto_replied'
  /** The assignee resolved it (data.handleMs: from the routing assignment, when there was one). */
  | 'resolved';

export const ROUTING_EVENT_TYPES = [
  'enqueued',
  'offered',
  'accepted',
  'declined',
  'timed_out',
  'assigned',
  'answered',
  'abandoned',
  'overflowed',
  'transferred',
  'sla_warning',
  'sla_breached',
  'auto_replied',
  'resolved',
] as const satisfies readonly RoutingEventType[];

export interface RoutingEvent {
  id: string;
  type: RoutingEventType;
  conversationId: string;
  queueId: string | null;
  agentId: string | null;
  /** When it happened (epoch ms). */
  at: number;
  data: Record<string, unknown>;
}

export type NewRoutingEvent = Omit<RoutingEvent, 'id' | 'queueId' | 'agentId' | 'data'> &
  Partial<Pick<RoutingEvent, 'queueId' | 'agentId' | 'data'>>;

interface RoutingEventRow {
  id: string;
  type: RoutingEventType;
  conversation_id: string;
  queue_id: string | null;
  agent_id: string | null;
  at: number;
  data: string;
}

const toEvent = (r: RoutingEventRow): RoutingEvent => ({
  id: r.id,
  type: r.type,
  conversationId: r.conversation_id,
  queueId: r.queue_id,
  agentId: r.agent_id,
  at: r.at,
  data: parseJson(r.data, {}),
});

export class RoutingEventsStore {
  constructor(private readonly db: Knex) {}

  async record(e: NewRoutingEvent): Promise<RoutingEvent> {
    const row: RoutingEventRow = {
      id: newId(),
      type: e.type,
      conversation_id: e.conversationId,
      queue_id: e.queueId ?? null,
      agent_id: e.agentId ?? null,
      at: e.at,
      data: JSON.stringify(e.data ?? {}),
    };
    await this.db('routing_events').insert(row);
    return toEvent(row);
  }

  /** The conversation's latest event of this type, if any. */
  async latestOf(conversationId: string, type: RoutingEventType): Promise<RoutingEvent | undefined> {
    const r = await this.db<RoutingEventRow>('routing_events')
      .where({ conversation_id: conversationId, type })
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return r && toEvent(r);
  }

  /** Events at or after `since`, oldest first; only the queue's when `queueId` is given. */
  async listSince(since: number, queueId?: string): Promise<RoutingEvent[]> {
    const q = this.db<RoutingEventRow>('routing_events')
      .where('at', '>=', since)
      .orderBy([
        { column: 'at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    if (queueId !== undefined) q.where({ queue_id: queueId });
    return (await q).map(toEvent);
  }
}
