// Conversations as reports see them: each with its resolutions' handle times and abandonment (routing
// events) and its answered survey, read in three queries for a set of conversations chosen by `where`.
import type { Knex } from 'knex';
import { parseJson } from '../json.js';
import type { ConversationFacts } from '../../server/domain/reports/report-cell.js';
import { numberOrNull } from './report-columns.js';

interface ConversationRow {
  id: string;
  customer_id: string;
  created_at: number;
  channel_kind: string;
  queue_id: string | null;
  assignee_id: string | null;
  status: string;
  first_response_at: number | null;
  resolved_at: number | null;
  first_response_due_at: number | null;
  resolution_due_at: number | null;
}

const CONVERSATION_COLUMNS = [
  'c.id',
  'c.customer_id',
  'c.created_at',
  'c.channel_kind',
  'c.queue_id',
  'c.assignee_id',
  'c.status',
  'c.first_response_at',
  'c.resolved_at',
  'c.first_response_due_at',
  'c.resolution_due_at',
];
/**
 * The conversations `where` picks (given the query and the alias of the conversations table in it),
 * as facts.
 */
export async function readConversationFacts(
  db: Knex,
  where: (q: Knex.QueryBuilder, alias: string) => Knex.QueryBuilder,
): Promise<ConversationFacts[]> {
  const rows: ConversationRow[] = await where(db('conversations as c').select(CONVERSATION_COLUMNS), 'c');
  const byId = new Map<string, ConversationFacts>();
  for (const r of rows) {
    byId.set(r.id, {
      id: r.id,
      customerId: r.customer_id,
      createdAt: Number(r.created_at),
      channel: r.channel_kind,
      queueId: r.queue_id,
      agentId: r.assignee_id,
      status: r.status,
      firstResponseAt: numberOrNull(r.first_response_at),
      resolvedAt: numberOrNull(r.resolved_at),
      firstResponseDueAt: numberOrNull(r.first_response_due_at),
      resolutionDueAt: numberOrNull(r.resolution_due_at),
      handles: [],
      abandoned: false,
      csat: [],
    });
  }
  if (byId.size === 0) return [];
  const events: { conversation_id: string; type: string; queue_id: string | null; agent_id: string | null; data: string }[] = await where(
    db('routing_events as e')
      .join('conversations as c', 'c.id', 'e.conversation_id')
      .whereIn('e.type', ['resolved', 'abandoned'])
      .select('e.conversation_id', 'e.type', 'e.queue_id', 'e.agent_id', 'e.data'),
    'c',
  );
  for (const e of events) {
    const facts = byId.get(e.conversation_id);
    if (!facts) continue;
    if (e.type === 'abandoned') {
      facts.abandoned = true;
      continue;
    }
    const handleMs = parseJson<Record<string, unknown>>(e.data, {}).handleMs;
    if (typeof handleMs === 'number' && Number.isFinite(handleMs))
      facts.handles.push({ queueId: e.queue_id, agentId: e.agent_id, handleMs });
  }
  const surveys: { conversation_id: string; score: number; queue_id: string | null; agent_id: string | null }[] = await where(
    db('csat_surveys as s')
      .join('conversations as c', 'c.id', 's.conversation_id')
      .whereNotNull('s.score')
      .select('s.conversation_id', 's.score', 's.queue_id', 's.agent_id'),
    'c',
  );
  for (const s of surveys) {
    byId.get(s.conversation_id)?.csat.push({ score: Number(s.score), queueId: s.queue_id, agentId: s.agent_id });
  }
  return [...byId.values()];
}
