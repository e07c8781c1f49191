// The report tables' columns, shared by the rollup's upkeep (report-rollup.store.ts) and the reports'
// reads (reports.store.ts).
import { FACT_COUNTERS, type FactCounter, type ReportCell } from '../../server/domain/reports/report-cell.js';
import type { ReportGroupBy } from '../../server/domain/reports/report.js';
import type { StoredFact } from './report-rollup.store.js';

/** A daily cell with its key. */
export interface DailyCell {
  day: number;
  dimension: ReportGroupBy;
  key: string;
  cell: ReportCell;
}

const COLUMN_OF: Record<FactCounter, string> = {
  conversations: 'conversations',
  firstResponses: 'first_responses',
  firstResponseMs: 'first_response_ms',
  resolved: 'resolved',
  resolutionMs: 'resolution_ms',
  handled: 'handled',
  handleMs: 'handle_ms',
  slaFirstResponseMet: 'sla_first_response_met',
  slaFirstResponseMissed: 'sla_first_response_missed',
  slaResolutionMet: 'sla_resolution_met',
  slaResolutionMissed: 'sla_resolution_missed',
  queued: 'queued',
  abandoned: 'abandoned',
  csatResponses: 'csat_responses',
  csatSum: 'csat_sum',
};

/** Counters and their columns, in FACT_COUNTERS order (campaign figures are read live, not rolled up). */
export const COUNTERS = FACT_COUNTERS.map((k) => [k, COLUMN_OF[k]] as const);

/** report_facts, in the order fact records are written. */
export const FACT_COLUMNS = [
  'conversation_id',
  'seq',
  'day',
  'customer_id',
  'created_at',
  'channel_kind',
  'queue_id',
  'agent_id',
  ...COUNTERS.map(([, c]) => c),
  'first_response_bin',
  'resolution_bin',
  'next_check_at',
] as const;

/** report_facts as read back into a StoredFact. */
export const FACT_ROW_COLUMNS = [
  'conversation_id',
  'seq',
  'day',
  'customer_id',
  'channel_kind',
  'queue_id',
  'agent_id',
  ...COUNTERS.map(([, c]) => c),
  'first_response_bin',
  'resolution_bin',
  'next_check_at',
];

/** report_daily, in the order cell records are written. */
export const DAILY_COLUMNS = ['day', 'dimension', 'key', ...COUNTERS.map(([, c]) => c), 'first_response_hist', 'resolution_hist'] as const;

export const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Bytes as the drivers bind them (better-sqlite3 wants a Buffer). */
export const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function rowToFact(r: Record<string, unknown>): StoredFact {
  const counts = {} as StoredFact['counts'];
  for (const [key, column] of COUNTERS) counts[key] = Number(r[column]);
  return {
    conversationId: String(r.conversation_id),
    seq: Number(r.seq),
    day: Number(r.day),
    customerId: String(r.customer_id),
    channel: String(r.channel_kind),
    queueId: String(r.queue_id),
    agentId: String(r.agent_id),
    counts,
    firstResponseBin: numberOrNull(r.first_response_bin),
    resolutionBin: numberOrNull(r.resolution_bin),
    nextCheckAt: numberOrNull(r.next_check_at),
  };
}
