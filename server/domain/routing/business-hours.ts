// Business hours in a queue's own time zone: open or closed, next opening, and business-time arithmetic.
// Pure: the clock is always an argument. Zone offsets come from Intl (no date library).
//
// Rules (see also validateBusinessHours):
// - An interval is [from, to) in local wall time within one day, from < to; "24:00" may end a day.
//   A shift past midnight is two intervals: Fri 22:00-24:00 and Sat 00:00-06:00 (they join seamlessly).
// - A time of day means the first moment the local clock reaches it. So in a spring-forward gap
//   (New York 02:00→03:00) 02:30 means 03:00 and an interval 02:00-02:30 is empty that day; in a
//   fall-back overlap (01:00-02:00 twice) 01:30 means the first 01:30. An interval spanning the
//   change is as long as the clock says: 01:00-03:00 lasts 1 h in spring and 3 h in autumn.
// - A holiday closes the whole local date; the previous day's interval up to 24:00 still runs.
// - `null` hours mean always open (24/7).
import type { BusinessHours } from './types.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

// Building a DateTimeFormat costs far more than using one; zones are few, so keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    const numeric = 'numeric' as const;
    const options = { year: numeric, month: numeric, day: numeric, hour: numeric, minute: numeric, second: numeric };
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', ...options });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at an instant, in ms (Asia/Bangkok: +7 h; New York in July: −4 h). */
export function zoneOffsetAt(timeZone: string, at: number): number {
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(at / 1000) * 1000; // Intl has no milliseconds: compare whole seconds
}

// The offset at each UTC midnight, memoized per zone: a pure function of (zone, day), and it lets the
// hot path (isOpen on every routing decision) skip Intl entirely when no change is near.
const dailyOffsets = new Map<string, Map<number, number>>();
function offsetAtDay(timeZone: string, day: number): number {
  let days = dailyOffsets.get(timeZone);
  if (!days) dailyOffsets.set(timeZone, (days = new Map()));
  let offset = days.get(day);
  if (offset === undefined) {
    if (days.size >= 20_000) days.clear(); // bound the memory; it refills with what is in use
    days.set(day, (offset = zoneOffsetAt(timeZone, day * DAY)));
  }
  return offset;
}

// Offsets change at most once within a few days in every real zone, so equal offsets at the UTC
// midnights around `at` mean none changes in between (the same assumption as wallTimeToUtc).
function quickOffsetAt(timeZone: string, at: number): number {
  const day = Math.floor(at / DAY);
  const offset = offsetAtDay(timeZone, day);
  return offset === offsetAtDay(timeZone, day + 1) ? offset : zoneOffsetAt(timeZone, at);
}

/**
 * The first instant at which the zone's clock reads `wall` (local time written as if it were UTC ms)
 * or later: the earlier instant in a fall-back overlap, the moment of the jump in a spring-forward gap.
 */
export function wallTimeToUtc(timeZone: string, wall: number): number {
  // Offsets are within ±14 h, so the candidates wall − offset lie between the days sampled here.
  const day = Math.floor(wall / DAY);
  const before = offsetAtDay(timeZone, day - 1);
  const after = offsetAtDay(timeZone, day + 2);
  if (before === after) return wall - before;
  const candidates = [wall - before, wall - after].sort((x, y) => x - y);
  for (const t of candidates) if (t + zoneOffsetAt(timeZone, t) === wall) return t;
  // In a gap: find the jump, the first instant whose wall time is at or past `wall`.
  let [lo, hi] = candidates as [number, number];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + zoneOffsetAt(timeZone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

interface CompiledHours {
  timeZone: string;
  /** Per weekday, [fromMinute, toMinute) pairs, sorted. */
  week: (readonly [number, number])[][];
  holidays: ReadonlySet<string>;
  opensEver: boolean;
}

function minutesOf(hhmm: string): number {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

// Unvalidated input must not hang the loops below: malformed or empty intervals are dropped.
function compile(hours: BusinessHours): CompiledHours {
  const week = WEEKDAYS.map((_, d) =>
    (hours.week[d] ?? [])
      .map((i) => [minutesOf(i.from), minutesOf(i.to)] as const)
      .filter(([from, to]) => from >= 0 && from < to && to <= 24 * 60)
      .sort((x, y) => x[0] - y[0]),
  );
  return { timeZone: hours.timeZone, week, holidays: new Set(hours.holidays), opensEver: week.some((d) => d.length > 0) };
}

const isoDate = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const weekdayOf = (day: number) => (((day + 4) % 7) + 7) % 7; // day 0 (1970-01-01) was a Thursday
const localDay = (timeZone: string, at: number) => Math.floor((at + quickOffsetAt(timeZone, at)) / DAY);

/**
 * Open periods [start, end) in UTC ms, in order, that end after `from`. Endless: callers check
 * `opensEver` first (holidays are finite, and a DST gap cannot swallow an interval every week).
 */
function* openSegments(hours: CompiledHours, from: number): Generator<readonly [number, number]> {
  // Start a day early: in a fall-back at midnight, the previous date's hours can still be running.
  for (let day = localDay(hours.timeZone, from) - 1; ; day++) {
    if (hours.holidays.has(isoDate(day))) continue;
    for (const [fromMinute, toMinute] of hours.week[weekdayOf(day)]!) {
      const start = wallTimeToUtc(hours.timeZone, day * DAY + fromMinute * MINUTE);
      const end = wallTimeToUtc(hours.timeZone, day * DAY + toMinute * MINUTE);
      if (end > start && end > from) yield [start, end];
    }
  }
}

function firstSegmentAfter(hours: CompiledHours, at: number): readonly [number, number] | null {
  if (!hours.opensEver) return null;
  for (const segment of openSegments(hours, at)) return segment;
  return null;
}

/** Whether the queue is open at `at` (epoch ms). */
export function isOpen(hours: BusinessHours | null, at: number): boolean {
  if (!hours) return true;
  const segment = firstSegmentAfter(compile(hours), at);
  return segment !== null && segment[0] <= at;
}

/** The next open moment: `at` itself when open now; null when the hours never open. */
export function nextOpening(hours: BusinessHours | null, at: number): number | null {
  if (!hours) return at;
  const segment = firstSegmentAfter(compile(hours), at);
  return segment && Math.max(segment[0], at);
}

/**
 * The earliest moment by which `durationMs` of open time has elapsed since `start`. A duration
 * that ends exactly at closing time gives the closing time; zero gives `start` even when closed.
 * Null when the hours never open.
 */
export function addBusinessTime(hours: BusinessHours | null, start: number, durationMs: number): number | null {
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new RangeError(`durationMs must be finite and >= 0, got ${durationMs}`);
  if (!hours) return start + durationMs;
  if (durationMs === 0) return start;
  const compiled = compile(hours);
  if (!compiled.opensEver) return null;
  let left = durationMs;
  for (const [segmentStart, end] of openSegments(compiled, start)) {
    const from = Math.max(segmentStart, start);
    if (end - from >= left) return from + left;
    left -= end - from;
  }
  throw new Error('unreachable: openSegments is endless when the week has an interval');
}

/** Open time in [a, b), in ms; 0 when b <= a. */
export function businessTimeBetween(hours: BusinessHours | null, a: number, b: number): number {
  if (b <= a) return 0;
  if (!hours) return b - a;
  const compiled = compile(hours);
  if (!compiled.opensEver) return 0;
  let total = 0;
  for (const [start, end] of openSegments(compiled, a)) {
    if (start >= b) break;
    total += Math.min(end, b) - Math.max(start, a);
  }
  return total;
}

export type BusinessHoursValidation = { ok: true; hours: BusinessHours } | { ok: false; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const fail = (reason: string): BusinessHoursValidation => ({ ok: false, reason });

function canonicalZone(timeZone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null; // RangeError: unknown zone
  }
}

function isHhMm(v: unknown, allow24: boolean): v is string {
  return typeof v === 'string' && (/^([01]\d|2[0-3]):[0-5]\d$/.test(v) || (allow24 && v === '24:00'));
}

function isIsoDate(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const time = Date.parse(`${v}T00:00:00Z`);
  return Number.isFinite(time) && new Date(time).toISOString().startsWith(v); // rejects 2024-02-30
}

/**
 * Checks admin input and returns it normalized (canonical zone name, intervals sorted, holidays
 * sorted and unique), or a reason naming the field. A week with no interval is allowed: never open.
 */
export function validateBusinessHours(input: unknown): BusinessHoursValidation {
  if (!isRecord(input)) return fail('businessHours: expected an object with timeZone, week and holidays');
  const timeZone = typeof input.timeZone === 'string' ? canonicalZone(input.timeZone) : null;
  if (!timeZone) return fail(`timeZone: ${JSON.stringify(input.timeZone)} is not an IANA time zone such as Asia/Bangkok`);
  if (!Array.isArray(input.week) || input.week.length !== 7) {
    return fail('week: expected 7 lists of intervals, index 0 = Sunday … 6 = Saturday');
  }
  const week: BusinessHours['week'] = [];
  for (const [d, day] of input.week.entries()) {
    const dayName = `week[${d}] (${WEEKDAYS[d]})`;
    if (!Array.isArray(day)) return fail(`${dayName}: expected a list of {from, to} intervals`);
    const intervals: { from: string; to: string }[] = [];
    for (const [i, interval] of day.entries()) {
      const field = `week[${d}][${i}] (${WEEKDAYS[d]})`;
      if (!isRecord(interval)) return fail(`${field}: expected {from: "HH:MM", to: "HH:MM"}`);
      const { from, to } = interval;
      if (!isHhMm(from, false)) return fail(`${field}.from: ${JSON.stringify(from)} is not a time "HH:MM" from 00:00 to 23:59`);
      if (!isHhMm(to, true)) return fail(`${field}.to: ${JSON.stringify(to)} is not a time "HH:MM" from 00:01 to 24:00`);
      if (minutesOf(from) >= minutesOf(to)) {
        const split = to === '00:00' ? '' : ` and 00:00-${to} on the next day`;
        return fail(`${field}: from ${from} must be before to ${to}; split a shift past midnight into ${from}-24:00${split}`);
      }
      intervals.push({ from, to });
    }
    intervals.sort((x, y) => minutesOf(x.from) - minutesOf(y.from));
    for (let i = 1; i < intervals.length; i++) {
      const [prev, next] = [intervals[i - 1]!, intervals[i]!];
      if (minutesOf(next.from) < minutesOf(prev.to)) {
        return fail(`${dayName}: intervals ${prev.from}-${prev.to} and ${next.from}-${next.to} overlap`);
      }
    }
    week.push(intervals);
  }
  const holidays = input.holidays ?? [];
  if (!Array.isArray(holidays)) return fail('holidays: expected a list of dates "YYYY-MM-DD"');
  for (const [i, date] of holidays.entries()) {
    if (!isIsoDate(date)) return fail(`holidays[${i}]: ${JSON.stringify(date)} is not a date "YYYY-MM-DD"`);
  }
  return { ok: true, hours: { timeZone, week, holidays: [...new Set(holidays as string[])].sort() } };
}
