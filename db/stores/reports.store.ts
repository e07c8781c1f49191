// What reports read: the daily cells, the conversations' fact rows (streamed; on SQLite straight from a
// prepared statement, since a period can hold hundreds of thousands of them), campaign sends with
// their replies, and names. The rollup itself is kept by report-rollup.store.ts.
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { Database } from '../connection.js';
import { mergeEncoded } from '../../server/domain/reports/histogram.js';
import { emptyCell, FACT_COUNTERS, type CampaignSendFacts, type FactRow } from '../../server/domain/reports/report-cell.js';
import type { CellRow, ReportGroupBy } from '../../server/domain/reports/report.js';
import { COUNTERS, numberOrNull } from './report-columns.js';

/** A fact row as read back for a report (one object, refilled for every row). */
export interface FactView extends Pick<FactRow, 'channel' | 'queueId' | 'agentId' | 'counts' | 'firstResponseBin' | 'resolutionBin'> {
  createdAt: number;
}

const FACT_READ_COLUMNS = [
  'f.created_at',
  'f.channel_kind',
  'f.queue_id',
  'f.agent_id',
  ...COUNTERS.map(([, c]) => `f.${c}`),
  'f.first_response_bin',
  'f.resolution_bin',
];

export class ReportsStore {
  constructor(
    private readonly db: Knex,
    private readonly engine: Database['engine'],
  ) {}

  /** The daily cells of one dimension over days fromDay…toDay. */
  async rollupRows(dimension: ReportGroupBy, fromDay: number, toDay: number): Promise<CellRow[]> {
    const rows: Record<string, unknown>[] = await this.db('report_daily')
      .where({ dimension })
      .whereBetween('day', [fromDay, toDay])
      .select('*');
    return rows.map((r) => {
      const cell = emptyCell();
      for (const [key, column] of COUNTERS) cell[key] = Number(r[column]);
      mergeEncoded(cell.firstResponseHist, r.first_response_hist as Uint8Array);
      mergeEncoded(cell.resolutionHist, r.resolution_hist as Uint8Array);
      return { day: Number(r.day), key: String(r.key), cell };
    });
  }

  /**
   * Calls `each` with every fact row of the conversations created in [fromMs, toMs), of a segment's
   * members (as the rollup last counted them) when `segmentId` is given.
   */
  async forEachFact(range: { fromMs: number; toMs: number }, segmentId: string | undefined, each: (f: FactView) => void): Promise<void> {
    const q = this.db('report_facts as f')
      .select(FACT_READ_COLUMNS)
      .where('f.created_at', '>=', range.fromMs)
      .where('f.created_at', '<', range.toMs);
    if (segmentId !== undefined) {
      q.join('report_segment_members as m', 'm.customer_id', 'f.customer_id').where('m.segment_id', segmentId);
    }
    const view: FactView = {
      createdAt: 0,
      channel: '',
      queueId: '',
      agentId: '',
      counts: Object.fromEntries(FACT_COUNTERS.map((k) => [k, 0])) as FactView['counts'],
      firstResponseBin: null,
      resolutionBin: null,
    };
    const fill = (r: unknown[]) => {
      view.createdAt = Number(r[0]);
      view.channel = r[1] as string;
      view.queueId = r[2] as string;
      view.agentId = r[3] as string;
      for (let i = 0; i < COUNTERS.length; i++) view.counts[COUNTERS[i]![0]] = Number(r[4 + i]);
      view.firstResponseBin = numberOrNull(r[4 + COUNTERS.length]);
      view.resolutionBin = numberOrNull(r[5 + COUNTERS.length]);
      each(view);
    };
    if (this.engine === 'sqlite' && !this.db.isTransaction) {
      // Row arrays streamed from a prepared statement: no object per row.
      const { sql, bindings } = q.toSQL().toNative();
      const conn = (await this.db.client.acquireConnection()) as BetterSqlite3.Database;
      try {
        for (const r of conn
          .prepare(sql)
          .raw()
          .iterate(...bindings))
          fill(r as unknown[]);
      } finally {
        await this.db.client.releaseConnection(conn);
      }
      return;
    }
    const names = FACT_READ_COLUMNS.map((c) => c.slice(2));
    const rows: Record<string, unknown>[] = await q;
    for (const r of rows) fill(names.map((c) => r[c]));
  }

  /** Campaign messages sent in [fromMs, toMs) (to a segment's members, when given), with their channel and whether they were replied to. */
  async campaignSends(range: { fromMs: number; toMs: number }, segmentId?: string): Promise<CampaignSendFacts[]> {
    const q = this.db('report_campaign_sends as s')
      .where('s.sent_at', '>=', range.fromMs)
      .where('s.sent_at', '<', range.toMs)
      .select('s.sent_at', 's.channel_kind', 's.replied');
    if (segmentId !== undefined) {
      q.join('report_segment_members as m', 'm.customer_id', 's.customer_id').where('m.segment_id', segmentId);
    }
    const rows: { sent_at: number; channel_kind: string; replied: number }[] = await q;
    return rows.map((r) => ({ sentAt: Number(r.sent_at), channel: r.channel_kind, replied: Number(r.replied) === 1 }));
  }

  /** Saved segments, by name. */
  async segments(): Promise<{ id: string; name: string }[]> {
    return this.db('segments').select('id', 'name').orderBy('name');
  }

  /** Names for report rows: queues and users (inactive ones too: old figures keep their names). */
  async labels(): Promise<{ queues: Map<string, string>; users: Map<string, string> }> {
    const queues: { id: string; name: string }[] = await this.db('queues').select('id', 'name');
    const users: { id: string; name: string }[] = await this.db('users').select('id', 'name');
    return { queues: new Map(queues.map((q) => [q.id, q.name])), users: new Map(users.map((u) => [u.id, u.name])) };
  }
}
