import type { Knex } from 'knex';
import type { SkillRequirement } from '../../server/domain/routing/types.js';
import type { ChannelKind, Conversation, ConversationStatus, SlaStatus } from '../../server/domain/types.js';
import { newId } from '../ids.js';
import { parseJson } from '../json.js';

export interface ConversationRow {
  id: string;
  customer_id: string;
  channel_account_id: string;
  channel_kind: ChannelKind;
  status: ConversationStatus;
  priority: number;
  queue_id: string | null;
  assignee_id: string | null;
  subject: string | null;
  last_message_at: number;
  last_customer_message_at: number | null;
  first_response_at: number | null;
  resolved_at: number | null;
  enqueued_at: number | null;
  required_skills: string | null; // JSON SkillRequirement[]
  refused_by: string; // JSON string[]
  first_response_due_at: number | null;
  resolution_due_at: number | null;
  sla_status: SlaStatus | null;
  tags?: string; // JSON string[] (absent on a row built in memory before insert: the column defaults to [])
  created_at: number;
  updated_at: number;
}

export const toConversation = (r: ConversationRow): Conversation => ({
  id: r.id,
  customerId: r.customer_id,
  channelAccountId: r.channel_account_id,
  channelKind: r.channel_kind,
  status: r.status,
  priority: r.priority,
  queueId: r.queue_id,
  assigneeId: r.assignee_id,
  subject: r.subject,
  lastMessageAt: r.last_message_at,
  lastCustomerMessageAt: r.last_customer_message_at,
  firstResponseAt: r.first_response_at,
  resolvedAt: r.resolved_at,
  enqueuedAt: r.enqueued_at,
  requiredSkills: r.required_skills === null ? null : parseJson<SkillRequirement[] | null>(r.required_skills, null),
  refusedBy: parseJson<string[]>(r.refused_by, []),
  firstResponseDueAt: r.first_response_due_at,
  resolutionDueAt: r.resolution_due_at,
  slaStatus: r.sla_status,
  tags: parseJson<string[]>(r.tags ?? '[]', []),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface NewConversation {
  customerId: string;
  channelAccountId: string;
  channelKind: ChannelKind;
  subject?: string | null;
  priority?: number;
  queueId?: string | null;
  /** Set when the new conversation starts waiting in a queue right away. */
  enqueuedAt?: number | null;
  requiredSkills?: SkillRequirement[] | null;
}

/** The row of a new conversation: open, unassigned. Shared by the knex store and the SQLite ingest path. */
export function newConversationRow(input: NewConversation, now: number): ConversationRow {
  return {
    id: newId(),
    customer_id: input.customerId,
    channel_account_id: input.channelAccountId,
    channel_kind: input.channelKind,
    status: 'open',
    priority: input.priority ?? 0,
    queue_id: input.queueId ?? null,
    assignee_id: null,
    subject: input.subject ?? null,
    last_message_at: now,
    last_customer_message_at: null,
    first_response_at: null,
    resolved_at: null,
    enqueued_at: input.enqueuedAt ?? null,
    required_skills: input.requiredSkills ? JSON.stringify(input.requiredSkills) : null,
    refused_by: '[]',
    first_response_due_at: null,
    resolution_due_at: null,
    sla_status: null,
    created_at: now,
    updated_at: now,
  };
}

export interface ConversationFilter {
  status?: ConversationStatus[];
  /** A user id, or null for unassigned. */
  assigneeId?: string | null;
  channelKind?: ChannelKind;
  channelAccountId?: string;
  customerId?: string;
  queueId?: string;
  minPriority?: number;
  /** Free text matched against message text. */
  query?: string;
  /** Only conversations this user may see as an agent: theirs or unassigned. */
  visibleTo?: string;
  /** Only conversations carrying this tag. */
  tag?: string;
  /** true: only conversations waiting in a queue (enqueued_at set); false: only those never queued. */
  queued?: boolean;
}

export interface ConversationCursor {
  lastMessageAt: number;
  id: string;
}

export type ConversationPatch = Partial<
  Pick<
    Conversation,
    | 'status'
    | 'priority'
    | 'queueId'
    | 'assigneeId'
    | 'subject'
    | 'lastMessageAt'
    | 'lastCustomerMessageAt'
    | 'firstResponseAt'
    | 'resolvedAt'
    | 'enqueuedAt'
    | 'requiredSkills'
    | 'refusedBy'
    | 'firstResponseDueAt'
    | 'resolutionDueAt'
    | 'slaStatus'
    | 'tags'
  >
>;

const columnOf: Record<keyof ConversationPatch, keyof ConversationRow> = {
  status: 'status',
  priority: 'priority',
  queueId: 'queue_id',
  assigneeId: 'assignee_id',
  subject: 'subject',
  lastMessageAt: 'last_message_at',
  lastCustomerMessageAt: 'last_customer_message_at',
  firstResponseAt: 'first_response_at',
  resolvedAt: 'resolved_at',
  enqueuedAt: 'enqueued_at',
  requiredSkills: 'required_skills',
  refusedBy: 'refused_by',
  firstResponseDueAt: 'first_response_due_at',
  resolutionDueAt: 'resolution_due_at',
  slaStatus: 'sla_status',
  tags: 'tags',
};

/** The column value of a patched field: JSON fields are stored as text. */
function columnValue(key: keyof ConversationPatch, value: unknown): unknown {
  if (key === 'requiredSkills' || key === 'refusedBy' || key === 'tags') return value === null ? null : JSON.stringify(value);
  return value;
}

function rowOf(patch: ConversationPatch, now: number): Record<string, unknown> {
  const row: Record<string, unknown> = { updated_at: now };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) row[columnOf[key as keyof ConversationPatch]] = columnValue(key as keyof ConversationPatch, value);
  }
  return row;
}

export class ConversationsStore {
  constructor(private readonly db: Knex) {}

  async findById(id: string): Promise<Conversation | undefined> {
    const r = await this.db<ConversationRow>('conversations').where({ id }).first();
    return r && toConversation(r);
  }

  async findUnresolved(customerId: string, channelAccountId: string): Promise<Conversation | undefined> {
    const r = await this.db<ConversationRow>('conversations')
      .where({ customer_id: customerId, channel_account_id: channelAccountId })
      .whereNot({ status: 'resolved' })
      .first();
    return r && toConversation(r);
  }

  /**
   * Where a waiting conversation stands in its queue: 1 + those waiting there unassigned with a higher
   * priority, or the same priority and an earlier arrival (what a caller hears announced). Undefined when not waiting.
   */
  async positionInQueue(id: string): Promise<number | undefined> {
    const c = await this.findById(id);
    if (!c || !c.queueId || c.enqueuedAt === null || c.assigneeId || c.status === 'resolved') return undefined;
    const row = await this.db('conversations')
      .where({ queue_id: c.queueId })
      .whereNull('assignee_id')
      .whereNotNull('enqueued_at')
      .whereNot({ status: 'resolved' })
      .whereNot({ id })
      .where((q) =>
        q.where('priority', '>', c.priority).orWhere((q2) => q2.where('priority', c.priority).where('enqueued_at', '<', c.enqueuedAt!)),
      )
      .count<{ n: number | string }[]>({ n: '*' })
      .first();
    return 1 + Number(row?.n ?? 0);
  }

  /** Every conversation of a customer, oldest first (for a merge, which moves them all). */
  async allOf(customerId: string): Promise<Conversation[]> {
    const rows = await this.db<ConversationRow>('conversations').where({ customer_id: customerId }).orderBy('created_at');
    return rows.map(toConversation);
  }

  /** Moves the listed conversations to another customer (a merge or its undoing). */
  async reassignCustomer(ids: string[], customerId: string, now: number): Promise<void> {
    if (ids.length) await this.db('conversations').whereIn('id', ids).update({ customer_id: customerId, updated_at: now });
  }

  async findLastResolved(customerId: string, channelAccountId: string): Promise<Conversation | undefined> {
    const r = await this.db<ConversationRow>('conversations')
      .where({ customer_id: customerId, channel_account_id: channelAccountId, status: 'resolved' })
      .orderBy('resolved_at', 'desc')
      .first();
    return r && toConversation(r);
  }

  async create(input: NewConversation, now: number): Promise<Conversation> {
    const row = newConversationRow(input, now);
    await this.db('conversations').insert(row);
    return toConversation(row);
  }

  async update(id: string, patch: ConversationPatch, now: number): Promise<Conversation | undefined> {
    await this.touch(id, patch, now);
    return this.findById(id);
  }

  /** Like update, without reading the row back (the caller knows what it wrote). */
  async touch(id: string, patch: ConversationPatch, now: number): Promise<void> {
    await this.db('conversations').where({ id }).update(rowOf(patch, now));
  }

  /**
   * Applies the patch only while the conversation is unresolved and still held by `assigneeId` (null:
   * unassigned). False when someone changed that first, so a transfer never overwrites a concurrent one.
   */
  async updateIfHeldBy(id: string, assigneeId: string | null, patch: ConversationPatch, now: number): Promise<boolean> {
    const q = this.db('conversations').where({ id }).whereNot({ status: 'resolved' });
    if (assigneeId === null) q.whereNull('assignee_id');
    else q.where({ assignee_id: assigneeId });
    return (await q.update(rowOf(patch, now))) > 0;
  }

  /**
   * Sets the SLA status of an unresolved conversation only if it still is `from` (null and 'ok' are the
   * same standing): of two nodes watching the same clock, one reports it.
   */
  async setSlaStatusIf(id: string, from: SlaStatus, to: SlaStatus, now: number): Promise<boolean> {
    const q = this.db('conversations').where({ id }).whereNot({ status: 'resolved' });
    if (from === 'ok') q.where((w) => w.whereNull('sla_status').orWhere({ sla_status: 'ok' }));
    else q.where({ sla_status: from });
    return (await q.update({ sla_status: to, updated_at: now })) > 0;
  }

  /** Unresolved conversations with SLA due times: the clocks the routing service watches. */
  async listWithSlaClocks(): Promise<Conversation[]> {
    const rows = await this.db<ConversationRow>('conversations')
      .whereNot({ status: 'resolved' })
      .where((w) => w.whereNotNull('first_response_due_at').orWhereNotNull('resolution_due_at'));
    return rows.map(toConversation);
  }

  /**
   * Reopens a resolved conversation. False when it is no longer resolved: a concurrent writer
   * reopened it first (on PostgreSQL the update waits for that writer and re-checks the status).
   */
  async reopen(id: string, now: number): Promise<boolean> {
    const changed = await this.db('conversations')
      .where({ id, status: 'resolved' })
      .update({ status: 'open', resolved_at: null, updated_at: now });
    return changed > 0;
  }

  /**
   * Assigns the conversation to `agentId` only if nobody holds it. False when someone else got it
   * first (on PostgreSQL the update waits for that writer and re-checks), so two nodes never both win.
   */
  async assignIfUnassigned(id: string, agentId: string, now: number): Promise<boolean> {
    const changed = await this.db('conversations').where({ id }).whereNull('assignee_id').update({ assignee_id: agentId, updated_at: now });
    return changed > 0;
  }

  /** The agent who last served the customer in another conversation (for sticky routing), if any. */
  async lastAssigneeOf(customerId: string, exceptConversationId: string): Promise<string | null> {
    const r = await this.db<ConversationRow>('conversations')
      .where({ customer_id: customerId })
      .whereNot({ id: exceptConversationId })
      .whereNotNull('assignee_id')
      .orderBy([
        { column: 'last_message_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first('assignee_id');
    return r?.assignee_id ?? null;
  }

  async list(filter: ConversationFilter, limit: number, after?: ConversationCursor): Promise<Conversation[]> {
    const q = this.db<ConversationRow>('conversations')
      .orderBy([
        { column: 'last_message_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    if (filter.status?.length) q.whereIn('status', filter.status);
    if (filter.assigneeId === null) q.whereNull('assignee_id');
    else if (filter.assigneeId) q.where('assignee_id', filter.assigneeId);
    if (filter.channelKind) q.where('channel_kind', filter.channelKind);
    if (filter.channelAccountId) q.where('channel_account_id', filter.channelAccountId);
    if (filter.customerId) q.where('customer_id', filter.customerId);
    if (filter.queueId) q.where('queue_id', filter.queueId);
    if (filter.visibleTo) q.where((w) => w.whereNull('assignee_id').orWhere('assignee_id', filter.visibleTo!));
    if (filter.minPriority !== undefined) q.where('priority', '>=', filter.minPriority);
    if (filter.tag) q.whereRaw(`tags like ? escape '!'`, [`%"${filter.tag.replace(/[!%_]/g, (c) => `!${c}`)}"%`]);
    if (filter.queued === true) q.whereNotNull('enqueued_at');
    else if (filter.queued === false) q.whereNull('enqueued_at');
    if (filter.query) {
      const like = `%${filter.query.toLowerCase()}%`;
      q.whereIn('id', this.db('messages').select('conversation_id').whereRaw('lower(text) like ?', [like]));
    }
    if (after) {
      q.where((w) =>
        w
          .where('last_message_at', '<', after.lastMessageAt)
          .orWhere((w2) => w2.where('last_message_at', after.lastMessageAt).where('id', '<', after.id)),
      );
    }
    return (await q).map(toConversation);
  }
}
