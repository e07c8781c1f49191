// A report's cells added up from the conversations' fact rows, for the reports the daily rollup cannot
// answer: a zone whose midnights are not the rollup's, or one segment's customers. Hundreds of thousands
// of rows: on a SQLite file this runs in the CRM worker thread (db/crm/segment-reads.ts), so the node's
// event loop is not held while they are read.
import type { Knex } from 'knex';
import { DayIndex } from '../../server/domain/reports/period.js';
import { addFact, cellAt } from '../../server/domain/reports/report-cell.js';
import type { CellRow, ReportGroupBy } from '../../server/domain/reports/report.js';
import { dialectOf } from '../crm/segment-query.js';
import { ReportsStore, type FactView } from '../stores/reports.store.js';

export interface FactCellsQuery {
  /** The period's instants and its local days in `timeZone`. */
  fromMs: number;
  toMs: number;
  timeZone: string;
  fromDay: number;
  toDay: number;
  dimension: ReportGroupBy;
  /** Only this segment's members (as the rollup last counted them). */
  segmentId?: string;
  /** Every fact under this one key (a segment's row in a report grouped by segment). */
  fixedKey?: string;
}

export async function factCells(knex: Knex, q: FactCellsQuery): Promise<CellRow[]> {
  const reports = new ReportsStore(knex, dialectOf(knex));
  const days = new DayIndex(q.timeZone, q.fromDay, q.toDay);
  const keyOf = (f: FactView) =>
    q.fixedKey !== undefined ? q.fixedKey : q.dimension === 'channel' ? f.channel : q.dimension === 'queue' ? f.queueId : f.agentId;
  const cells = new Map<string, CellRow>();
  await reports.forEachFact({ fromMs: q.fromMs, toMs: q.toMs }, q.segmentId, (f) => {
    const day = days.dayOf(f.createdAt);
    if (day !== null) addFact(cellAt(cells, day, keyOf(f)), f);
  });
  return [...cells.values()];
}
