// A report's period: whole local days in a time zone, from one date to another (both included).
// Days are numbered like epoch days but on the local calendar (day 0 is 1970-01-01 local), so a day
// number means the same date in every zone and only its start instant depends on the zone.
// Pure: zone offsets come from Intl through business-hours.ts.
import { wallTimeToUtc, zoneOffsetAt } from '../routing/business-hours.js';

export const DAY_MS = 86_400_000;
/** The longest period one report may span. */
export const MAX_REPORT_DAYS = 400;
export const DEFAULT_REPORT_TIME_ZONE = 'Asia/Bangkok';

export interface ReportPeriod {
  timeZone: string;
  /** Local day numbers, both included. */
  fromDay: number;
  toDay: number;
  /** [fromMs, toMs): from the first day's local midnight to the midnight after the last day. */
  fromMs: number;
  toMs: number;
}

export type PeriodResult = { ok: true; period: ReportPeriod } | { ok: false; field: 'from' | 'to' | 'tz'; message: string };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The local day number of an ISO date (YYYY-MM-DD), or null when it is not a real date. */
export function dayOfIsoDate(iso: string): number | null {
  const m = ISO_DATE.exec(iso);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

export const isoDateOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The instant the local day `day` starts in `timeZone` (the first moment the clock reads 00:00 or later). */
export const dayStart = (timeZone: string, day: number): number => wallTimeToUtc(timeZone, day * DAY_MS);

/** Validates and resolves a period of whole local days; errors name the field and the fix. */
export function reportPeriod(input: { from: string; to: string; timeZone: string }, maxDays = MAX_REPORT_DAYS): PeriodResult {
  if (!isTimeZone(input.timeZone)) {
    return { ok: false, field: 'tz', message: `"${input.timeZone}" is not an IANA time zone (e.g. Asia/Bangkok)` };
  }
  const fromDay = dayOfIsoDate(input.from);
  if (fromDay === null) return { ok: false, field: 'from', message: `"${input.from}" is not a date written YYYY-MM-DD` };
  const toDay = dayOfIsoDate(input.to);
  if (toDay === null) return { ok: false, field: 'to', message: `"${input.to}" is not a date written YYYY-MM-DD` };
  if (toDay < fromDay) return { ok: false, field: 'to', message: `must not be before from (${input.from})` };
  const days = toDay - fromDay + 1;
  if (days > maxDays) {
    return { ok: false, field: 'to', message: `the period spans ${days} days; a report covers at most ${maxDays} days` };
  }
  const { timeZone } = input;
  return { ok: true, period: { timeZone, fromDay, toDay, fromMs: dayStart(timeZone, fromDay), toMs: dayStart(timeZone, toDay + 1) } };
}

/** Finds the local day of an instant within a span of days, by binary search over their starts (no Intl per call). */
export class DayIndex {
  /** starts[i] is where day fromDay + i starts; the last entry is where the span ends. */
  readonly starts: number[];

  constructor(
    readonly timeZone: string,
    readonly fromDay: number,
    readonly toDay: number,
  ) {
    this.starts = [];
    for (let d = fromDay; d <= toDay + 1; d++) this.starts.push(dayStart(timeZone, d));
  }

  /** The local day number of `at`, or null outside the span. */
  dayOf(at: number): number | null {
    const s = this.starts;
    if (at < s[0]! || at >= s[s.length - 1]!) return null;
    let lo = 0;
    let hi = s.length - 1; // s[lo] <= at < s[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! <= at) lo = mid;
      else hi = mid;
    }
    return this.fromDay + lo;
  }

  /** Whether another zone's days start at the same instants over this span (then their daily figures are the same). */
  sameDaysAs(timeZone: string): boolean {
    if (timeZone === this.timeZone) return true;
    return this.starts.every((start, i) => dayStart(timeZone, this.fromDay + i) === start);
  }
}

/** The local day number of an instant in a zone. */
export const localDayOf = (timeZone: string, at: number): number => Math.floor((at + zoneOffsetAt(timeZone, at)) / DAY_MS);
