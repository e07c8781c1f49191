// A report: figures per group (channel, queue, agent or segment) over a period, the totals, and a
// daily series for charts. Built by folding cells keyed by local day into groups; pure.
import { isoDateOfDay, type ReportPeriod } from './period.js';
import { emptyCell, mergeCell, type ReportCell } from './report-cell.js';
import { metricsOf, type ReportMetrics } from './report-metrics.js';

export type ReportGroupBy = 'channel' | 'queue' | 'agent' | 'segment';
export const REPORT_GROUP_BYS = ['channel', 'queue', 'agent', 'segment'] as const satisfies readonly ReportGroupBy[];

/** One cell of counts: a local day and a group (a channel kind, queue id, agent id or segment id; '' for none). */
export interface CellRow {
  day: number;
  key: string;
  cell: ReportCell;
}

export interface ReportRow {
  /** The channel kind, queue id, agent id or segment id; '' for "no queue" or "unassigned". */
  key: string;
  label: string;
  metrics: ReportMetrics;
}

export interface ReportResult {
  period: { from: string; to: string; timeZone: string; fromMs: number; toMs: number; days: number };
  groupBy: ReportGroupBy;
  /** The segment the figures are limited to, when one was asked for. */
  segmentId: string | null;
  generatedAt: number;
  /**
   * Where the figures came from: the daily rollup (per day and channel, queue or agent), or the
   * conversations' fact rows (segments, and time zones whose days start at other instants).
   */
  source: 'rollup' | 'facts';
  /** The whole period, every group together (for segments: the whole desk, since segments overlap). */
  totals: ReportMetrics;
  /** One per group with anything to count, busiest first. */
  rows: ReportRow[];
  series: {
    /** The period's dates, YYYY-MM-DD. */
    days: string[];
    /** Every figure per day. */
    totals: ReportMetrics[];
    /** Conversations per day of each group, in the order of `rows`. */
    groups: { key: string; conversations: number[] }[];
  };
}

/** Folds cells into groups, days and totals. */
export class ReportAccumulator {
  private readonly groups = new Map<string, { cell: ReportCell; perDay: number[] }>();
  /** Per day; the totals are their sum (every count goes into exactly one day). */
  private readonly days: ReportCell[];

  constructor(private readonly period: ReportPeriod) {
    this.days = Array.from({ length: period.toDay - period.fromDay + 1 }, emptyCell);
  }

  /** Counts a cell for a group and, unless `totals` is false, for its day and the totals. */
  add(groupKey: string, day: number, cell: ReportCell, totals = true): void {
    const i = day - this.period.fromDay;
    if (i < 0 || i >= this.days.length) return;
    let group = this.groups.get(groupKey);
    if (!group) this.groups.set(groupKey, (group = { cell: emptyCell(), perDay: new Array<number>(this.days.length).fill(0) }));
    mergeCell(group.cell, cell);
    group.perDay[i]! += cell.conversations;
    if (totals) this.addTotal(day, cell);
  }

  /** Counts a cell for its day and the totals only. */
  addTotal(day: number, cell: ReportCell): void {
    const i = day - this.period.fromDay;
    if (i < 0 || i >= this.days.length) return;
    mergeCell(this.days[i]!, cell);
  }

  /** Makes sure a group shows even when nothing counted for it (a segment with no conversations). */
  ensure(groupKey: string): void {
    if (!this.groups.has(groupKey)) this.groups.set(groupKey, { cell: emptyCell(), perDay: new Array<number>(this.days.length).fill(0) });
  }

  result(meta: {
    groupBy: ReportGroupBy;
    segmentId: string | null;
    generatedAt: number;
    source: ReportResult['source'];
    labelOf: (key: string) => string;
  }): ReportResult {
    const { period } = this;
    const rows = [...this.groups.entries()]
      .map(([key, g]) => ({ key, label: meta.labelOf(key), metrics: metricsOf(g.cell), perDay: g.perDay }))
      .sort((a, b) => b.metrics.conversations - a.metrics.conversations || a.label.localeCompare(b.label) || a.key.localeCompare(b.key));
    return {
      period: {
        from: isoDateOfDay(period.fromDay),
        to: isoDateOfDay(period.toDay),
        timeZone: period.timeZone,
        fromMs: period.fromMs,
        toMs: period.toMs,
        days: this.days.length,
      },
      groupBy: meta.groupBy,
      segmentId: meta.segmentId,
      generatedAt: meta.generatedAt,
      source: meta.source,
      totals: metricsOf(this.days.reduce((total, day) => mergeCell(total, day), emptyCell())),
      rows: rows.map(({ key, label, metrics }) => ({ key, label, metrics })),
      series: {
        days: this.days.map((_, i) => isoDateOfDay(period.fromDay + i)),
        totals: this.days.map(metricsOf),
        groups: rows.map(({ key, perDay }) => ({ key, conversations: perDay })),
      },
    };
  }
}
