// A report over a period: per channel, queue, agent or segment. The figures come from the daily rollup
// when the report's days are the rollup's days (same zone, or a zone whose midnights fall at the same
// instants); otherwise, and when limited to one segment's customers, they are added up from the
// conversations' fact rows (off the event loop on SQLite: db/reports/fact-cells.ts in the CRM worker).
// Campaign messages are read from the rollup's copy (with whether they were answered) and counted on
// their send day in the report's zone. Either way the rollup is
// brought up to date first (see report-rollup.ts); segments are their members as of its last refresh.
import type { SegmentReads } from '../../db/crm/segment-reads.js';
import { invalidField } from '../domain/errors.js';
import { DayIndex, reportPeriod, type ReportPeriod } from '../domain/reports/period.js';
import { addCampaignSend, cellAt } from '../domain/reports/report-cell.js';
import { ReportAccumulator, type CellRow, type ReportGroupBy, type ReportResult } from '../domain/reports/report.js';
import type { Deps } from './deps.js';
import type { ReportRollup } from './report-rollup.js';

export interface ReportQuery {
  /** Local dates YYYY-MM-DD, both included. */
  from: string;
  to: string;
  groupBy: ReportGroupBy;
  /** IANA zone of the days (default: the rollup's, REPORT_TIME_ZONE). */
  timeZone?: string;
  /** Limits the report to a segment's members (with groupBy=segment: shows that segment only). */
  segmentId?: string;
}

export const CHANNEL_LABELS: Record<string, string> = {
  web_chat: 'Web chat',
  email: 'Email',
  sms: 'SMS',
  voice: 'Voice',
  line: 'LINE',
  messenger: 'Messenger',
  slack: 'Slack',
};

export type BuildReport = ReturnType<typeof makeBuildReport>;

export function makeBuildReport(deps: Deps, rollup: ReportRollup, reads: Pick<SegmentReads, 'factCells'>) {
  const { store, now } = deps;

  /**
   * The cells of a dimension over the period: the daily rollup's when it can, else added up from fact
   * rows (of one segment's members when `segmentId` is given; grouped under `fixedKey` when given).
   */
  async function conversationCells(
    period: ReportPeriod,
    days: DayIndex,
    dimension: ReportGroupBy,
    segmentId?: string,
    fixedKey?: string,
  ): Promise<{ source: ReportResult['source']; rows: CellRow[] }> {
    if (segmentId === undefined && days.sameDaysAs(rollup.timeZone)) {
      return { source: 'rollup', rows: await store.reports.rollupRows(dimension, period.fromDay, period.toDay) };
    }
    const rows = await reads.factCells({
      fromMs: period.fromMs,
      toMs: period.toMs,
      timeZone: days.timeZone,
      fromDay: days.fromDay,
      toDay: days.toDay,
      dimension,
      ...(segmentId !== undefined && { segmentId }),
      ...(fixedKey !== undefined && { fixedKey }),
    });
    return { source: 'facts', rows };
  }

  /** Campaign sends per (day, channel) over the period. */
  async function campaignCells(period: ReportPeriod, days: DayIndex, segmentId: string | undefined): Promise<CellRow[]> {
    const cells = new Map<string, CellRow>();
    for (const send of await store.reports.campaignSends(period, segmentId)) {
      const day = days.dayOf(send.sentAt);
      if (day !== null) addCampaignSend(cellAt(cells, day, send.channel), send);
    }
    return [...cells.values()];
  }

  return async function buildReport(q: ReportQuery): Promise<ReportResult> {
    const resolved = reportPeriod({ from: q.from, to: q.to, timeZone: q.timeZone ?? rollup.timeZone });
    if (!resolved.ok) throw invalidField(`query.${resolved.field}`, resolved.message);
    const { period } = resolved;
    const asOf = now();
    const days = new DayIndex(period.timeZone, period.fromDay, period.toDay);
    const acc = new ReportAccumulator(period);

    let segments: { id: string; name: string }[] = [];
    if (q.groupBy === 'segment' || q.segmentId !== undefined) {
      segments = await store.reports.segments();
      if (q.segmentId !== undefined) {
        segments = segments.filter((s) => s.id === q.segmentId);
        if (segments.length === 0) throw invalidField('query.segmentId', `no segment has the id "${q.segmentId}"`);
      }
    }
    await rollup.refresh();

    let source: ReportResult['source'];
    if (q.groupBy === 'segment') {
      // Segments overlap, so the totals are the whole desk's; each segment is a row of its own.
      const desk = await conversationCells(period, days, 'channel');
      source = desk.source;
      for (const r of desk.rows) acc.addTotal(r.day, r.cell);
      for (const r of await campaignCells(period, days, undefined)) acc.addTotal(r.day, r.cell);
      const wanted = new Set(segments.map((s) => s.id));
      if (source === 'rollup') {
        for (const r of await store.reports.rollupRows('segment', period.fromDay, period.toDay)) {
          if (wanted.has(r.key)) acc.add(r.key, r.day, r.cell, false);
        }
      } else {
        for (const s of segments) {
          for (const r of (await conversationCells(period, days, 'segment', s.id, s.id)).rows) acc.add(s.id, r.day, r.cell, false);
        }
      }
      for (const s of segments) {
        acc.ensure(s.id);
        for (const r of await campaignCells(period, days, s.id)) acc.add(s.id, r.day, r.cell, false);
      }
    } else {
      const groupBy = q.groupBy;
      const conversations = await conversationCells(period, days, groupBy, q.segmentId);
      source = conversations.source;
      for (const r of conversations.rows) acc.add(r.key, r.day, r.cell);
      // Campaigns have a channel but no queue or agent: by channel they are rows, otherwise totals only.
      for (const r of await campaignCells(period, days, q.segmentId)) {
        if (groupBy === 'channel') acc.add(r.key, r.day, r.cell);
        else acc.addTotal(r.day, r.cell);
      }
    }

    const labels = await store.reports.labels();
    const segmentNames = new Map(segments.map((s) => [s.id, s.name]));
    const labelOf = (key: string): string => {
      switch (q.groupBy) {
        case 'channel':
          return CHANNEL_LABELS[key] ?? key;
        case 'queue':
          return key === '' ? 'No queue' : (labels.queues.get(key) ?? `Deleted queue ${key}`);
        case 'agent':
          return key === '' ? 'Unassigned' : (labels.users.get(key) ?? key);
        case 'segment':
          return segmentNames.get(key) ?? key;
      }
    };
    return acc.result({ groupBy: q.groupBy, segmentId: q.segmentId ?? null, generatedAt: asOf, source, labelOf });
  };
}
