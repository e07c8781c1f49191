// What the reports screen asks for, and the period presets, computed in the report's time zone.
import type { ReportGroupBy } from '../../../server/domain/reports/report.js';

export interface ReportQuery {
  from: string;
  to: string;
  groupBy: ReportGroupBy;
  tz: string;
  /** '' for all customers. */
  segmentId: string;
}

export type Preset = '7' | '30' | 'month' | 'lastMonth' | 'custom';
export const PRESETS: readonly Preset[] = ['7', '30', 'month', 'lastMonth', 'custom'];
export const MAX_DAYS = 400;
export const DEFAULT_TIME_ZONE = 'Asia/Bangkok';

const DAY = 86_400_000;
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;
const isoOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** Today's date in a time zone, YYYY-MM-DD. */
export function todayIn(timeZone: string, now = Date.now()): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function presetPeriod(preset: Exclude<Preset, 'custom'>, timeZone: string, now = Date.now()): { from: string; to: string } {
  const today = todayIn(timeZone, now);
  const day = dayOf(today);
  switch (preset) {
    case '7':
      return { from: isoOf(day - 6), to: today };
    case '30':
      return { from: isoOf(day - 29), to: today };
    case 'month':
      return { from: `${today.slice(0, 8)}01`, to: today };
    case 'lastMonth': {
      const firstOfThis = dayOf(`${today.slice(0, 8)}01`);
      const last = isoOf(firstOfThis - 1);
      return { from: `${last.slice(0, 8)}01`, to: last };
    }
  }
}

/** Days in the period (both ends included), or null when it is not a valid one. */
export function periodDays(from: string, to: string): number | null {
  const a = dayOf(from);
  const b = dayOf(to);
  if (!Number.isFinite(a) || !Number.isFinite(b) || b < a) return null;
  const days = b - a + 1;
  return days <= MAX_DAYS ? days : null;
}

export function queryString(q: ReportQuery): string {
  const p = new URLSearchParams({ from: q.from, to: q.to, groupBy: q.groupBy, tz: q.tz });
  if (q.segmentId) p.set('segmentId', q.segmentId);
  return p.toString();
}
