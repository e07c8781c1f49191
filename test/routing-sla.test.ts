// SLA clocks: pure, table-tested with a clock passed in.
import { describe, expect, test } from 'vitest';
import { nextSlaCheckAt, slaDueTimes, slaStatus, slaTargetFor, warnBeforeMsFor, type SlaClock } from '../server/domain/routing/sla.js';
import type { BusinessHours, SlaPolicy } from '../server/domain/routing/types.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const normal = { firstResponseMs: 2 * HOUR, resolutionMs: 8 * HOUR };
const high = { firstResponseMs: 1 * HOUR, resolutionMs: 4 * HOUR };
const urgent = { firstResponseMs: 30 * MINUTE, resolutionMs: 2 * HOUR };
const policy: SlaPolicy = { 0: normal, 1: high, 3: urgent };

const weekdays = (from: string, to: string) => [[], ...Array.from({ length: 5 }, () => [{ from, to }]), []];
// Asia/Bangkok, UTC+7; 2024-04-05 is a Friday and Monday 2024-04-15 a holiday.
const bangkok: BusinessHours = { timeZone: 'Asia/Bangkok', week: weekdays('09:00', '18:00'), holidays: ['2024-04-15'] };
const newYork: BusinessHours = { timeZone: 'America/New_York', week: weekdays('09:00', '17:00'), holidays: [] };

describe('slaTargetFor', () => {
  test.each([
    ['priority 0: band 0', policy, 0, normal],
    ['priority 1: band 1', policy, 1, high],
    ['priority 2: no band 2, so band 1', policy, 2, high],
    ['aged priority 2.9: band 1', policy, 2.9, high],
    ['priority 3: band 3', policy, 3, urgent],
    ['priority 10: the highest band', policy, 10, urgent],
    ['priority −1, below every band: the lowest band', policy, -1, normal],
    ['bands need not start at 0', { 5: urgent, 2: high }, 4, high],
    ['an empty policy', {}, 1, null],
  ])('%s', (_name, p, priority, expected) => expect(slaTargetFor(p, priority)).toEqual(expected));
});

describe('slaDueTimes', () => {
  test.each([
    ['24/7: plain addition', policy, null, '2024-04-06T05:00:00Z', 0, '2024-04-06T07:00:00Z', '2024-04-06T13:00:00Z'],
    ['Friday 17:00 Bangkok: over the weekend', policy, bangkok, '2024-04-05T10:00:00Z', 0, '2024-04-08T03:00:00Z', '2024-04-08T09:00:00Z'],
    [
      'Friday 17:00 Bangkok: over the weekend and holiday',
      policy,
      bangkok,
      '2024-04-12T10:00:00Z',
      0,
      '2024-04-16T03:00:00Z',
      '2024-04-16T09:00:00Z',
    ],
    [
      'urgent at 17:45: first response next morning',
      policy,
      bangkok,
      '2024-04-08T10:45:00Z',
      3,
      '2024-04-09T02:15:00Z',
      '2024-04-09T03:45:00Z',
    ],
    [
      'created on Saturday: the clock starts Monday 09:00',
      policy,
      bangkok,
      '2024-04-06T05:00:00Z',
      1,
      '2024-04-08T03:00:00Z',
      '2024-04-08T06:00:00Z',
    ],
    ['New York over the spring change', policy, newYork, '2024-03-08T21:00:00Z', 0, '2024-03-11T14:00:00Z', '2024-03-11T20:00:00Z'],
  ])('%s', (_name, p, hours, createdAt, priority, firstResponseDueAt, resolutionDueAt) => {
    const due = slaDueTimes(p, hours, t(createdAt), priority)!;
    expect({ first: iso(due.firstResponseDueAt), resolution: iso(due.resolutionDueAt) }).toEqual({
      first: firstResponseDueAt,
      resolution: resolutionDueAt,
    });
  });

  test.each([
    ['no policy', null, bangkok],
    ['an empty policy', {}, bangkok],
    ['hours that never open', policy, { ...bangkok, week: [[], [], [], [], [], [], []] }],
  ])('null with %s', (_name, p, hours) => expect(slaDueTimes(p, hours, 0, 0)).toBeNull());
});

describe('warnBeforeMsFor', () => {
  test.each([
    ['default: warn with 20 % of the target left', HOUR, undefined, 12 * MINUTE],
    ['warn at half', 8 * HOUR, 0.5, 4 * HOUR],
    ['fraction 1: no warning phase', HOUR, 1, 0],
    ['fraction 0: warning from the start', HOUR, 0, HOUR],
  ])('%s', (_name, target, fraction, expected) => expect(warnBeforeMsFor(target, fraction)).toBe(expected));
  test.each([[-0.1], [1.5], [NaN]])('rejects a fraction of %s', (f) => expect(() => warnBeforeMsFor(HOUR, f)).toThrow(RangeError));
});

describe('slaStatus and nextSlaCheckAt', () => {
  // Due at 1000, warn 200 before: ok until 800, warning until 1000, then breached.
  const clock = (over: Partial<SlaClock>): SlaClock => ({ dueAt: 1000, doneAt: null, now: 0, warnBeforeMs: 200, ...over });
  test.each([
    ['pending, early', { now: 0 }, 'ok', 800],
    ['pending, just before the warning', { now: 799 }, 'ok', 800],
    ['pending, at the warning', { now: 800 }, 'warning', 1000],
    ['pending, just before due', { now: 999 }, 'warning', 1000],
    ['pending, at due', { now: 1000 }, 'breached', null],
    ['pending, long after due', { now: 50_000 }, 'breached', null],
    ['done early', { now: 5000, doneAt: 500 }, 'met', null],
    ['done a millisecond before due', { now: 5000, doneAt: 999 }, 'met', null],
    ['done exactly at due', { now: 1000, doneAt: 1000 }, 'missed', null],
    ['done late', { now: 1500, doneAt: 1200 }, 'missed', null],
    ['no warning phase: ok until due', { now: 999, warnBeforeMs: 0 }, 'ok', 1000],
    ['a warning lead longer than the wait: warning at once', { now: 0, warnBeforeMs: 5000 }, 'warning', 1000],
  ])('%s', (_name, over, status, next) => {
    expect(slaStatus(clock(over))).toBe(status);
    expect(nextSlaCheckAt(clock(over))).toBe(next);
  });

  // What a restarted server does: set a timer from stored due times; status changes exactly there.
  test.each([[0], [799], [800], [950]])('from now = %s, the status holds until the next check and changes at it', (now) => {
    const next = nextSlaCheckAt(clock({ now }))!;
    expect(slaStatus(clock({ now: next - 1 }))).toBe(slaStatus(clock({ now })));
    expect(slaStatus(clock({ now: next }))).not.toBe(slaStatus(clock({ now })));
  });

  test('with a real policy: warning at 80 % of a first response due in business time', () => {
    const createdAt = t('2024-04-05T10:00:00Z'); // Friday 17:00 in Bangkok
    const due = slaDueTimes(policy, bangkok, createdAt, 0)!;
    const warn = { dueAt: due.firstResponseDueAt, doneAt: null, warnBeforeMs: warnBeforeMsFor(normal.firstResponseMs) };
    expect(iso(nextSlaCheckAt({ ...warn, now: createdAt })!)).toBe('2024-04-08T02:36:00Z'); // Monday 09:36
    expect(slaStatus({ ...warn, now: t('2024-04-08T02:40:00Z') })).toBe('warning');
  });
});
