// Business hours: pure, table-tested in zones with and without DST.
import { describe, expect, test } from 'vitest';
import {
  addBusinessTime,
  businessTimeBetween,
  isOpen,
  nextOpening,
  validateBusinessHours,
  wallTimeToUtc,
  zoneOffsetAt,
} from '../server/domain/routing/business-hours.js';
import type { BusinessHours } from '../server/domain/routing/types.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z'));
const interval = (span: string) => ({ from: span.slice(0, 5), to: span.slice(6) });
/** `days` maps weekday (0 = Sunday) to "HH:MM-HH:MM" spans. */
const hours = (timeZone: string, days: Record<number, string[]>, holidays: string[] = []): BusinessHours => ({
  timeZone,
  week: Array.from({ length: 7 }, (_, d) => (days[d] ?? []).map(interval)),
  holidays,
});
const weekdays = (span: string) => ({ 1: [span], 2: [span], 3: [span], 4: [span], 5: [span] });

// Asia/Bangkok is UTC+7 all year. 2024-04-08 is a Monday; Monday 2024-04-15 (Songkran) is a holiday.
const bangkok = hours('Asia/Bangkok', weekdays('09:00-18:00'), ['2024-04-15']);
// New York: EST (−5) until Sunday 2024-03-10 02:00, EDT (−4) until Sunday 2024-11-03 02:00.
const newYork = hours('America/New_York', weekdays('09:00-17:00'));
const allDay = (timeZone: string) => hours(timeZone, Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((d) => [d, ['00:00-24:00']])));
const sundays = (span: string) => hours('America/New_York', { 0: [span] });
const nightShift = hours('Asia/Bangkok', { 5: ['22:00-24:00'], 6: ['00:00-06:00'] });
const neverOpen = hours('Asia/Bangkok', {});

describe('zone offsets', () => {
  test.each([
    ['Asia/Bangkok', '2024-01-15T12:00:00Z', 7 * HOUR],
    ['America/New_York', '2024-01-15T12:00:00Z', -5 * HOUR],
    ['America/New_York', '2024-07-15T12:00:00Z', -4 * HOUR],
    ['Asia/Kathmandu', '2024-07-15T12:00:00Z', 5.75 * HOUR],
    ['UTC', '2024-07-15T12:34:56.789Z', 0],
  ])('%s at %s', (zone, at, offset) => expect(zoneOffsetAt(zone, t(at))).toBe(offset));

  // Reference: scan minute by minute for the first instant whose local wall time reaches `wall`.
  const firstReaching = (zone: string, wall: number) => {
    let at = wall - 15 * HOUR;
    while (at + zoneOffsetAt(zone, at) < wall) at += MINUTE;
    return at;
  };
  test.each([
    ['Asia/Bangkok', '2024-04-08T09:00', '2024-04-08T02:00:00Z'],
    ['America/New_York', '2024-03-10T01:59', '2024-03-10T06:59:00Z'],
    ['America/New_York', '2024-03-10T02:30', '2024-03-10T07:00:00Z'], // gap: the jump to 03:00 EDT
    ['America/New_York', '2024-03-10T03:00', '2024-03-10T07:00:00Z'],
    ['America/New_York', '2024-11-03T01:30', '2024-11-03T05:30:00Z'], // overlap: the first 01:30 (EDT)
    ['America/New_York', '2024-11-03T02:00', '2024-11-03T07:00:00Z'],
    ['America/Sao_Paulo', '2018-11-04T00:00', '2018-11-04T03:00:00Z'], // midnight did not exist
    ['Australia/Lord_Howe', '2024-10-06T02:15', '2024-10-05T15:30:00Z'], // a 30-minute gap
    ['Australia/Lord_Howe', '2024-04-07T01:45', '2024-04-06T14:45:00Z'], // a 30-minute overlap
    ['Europe/London', '2024-03-31T01:30', '2024-03-31T01:00:00Z'],
    ['Pacific/Apia', '2011-12-30T12:00', '2011-12-30T10:00:00Z'], // Samoa skipped the whole of 30 December
  ])('%s wall %s is %s', (zone, wall, expected) => {
    const wallMs = t(`${wall}:00Z`);
    expect(iso(wallTimeToUtc(zone, wallMs))).toBe(expected);
    expect(wallTimeToUtc(zone, wallMs)).toBe(firstReaching(zone, wallMs));
  });
});

describe('isOpen', () => {
  test.each([
    ['Bangkok Monday 09:00 opens', bangkok, '2024-04-08T02:00:00Z', true],
    ['Bangkok a millisecond before opening', bangkok, '2024-04-08T01:59:59.999Z', false],
    ['Bangkok 17:59', bangkok, '2024-04-08T10:59:00Z', true],
    ['Bangkok 18:00 is closed ([from, to))', bangkok, '2024-04-08T11:00:00Z', false],
    ['Bangkok Tuesday 00:30', bangkok, '2024-04-08T17:30:00Z', false],
    ['Bangkok Saturday noon', bangkok, '2024-04-13T05:00:00Z', false],
    ['Bangkok holiday Monday noon', bangkok, '2024-04-15T05:00:00Z', false],
    ['Bangkok Tuesday after the holiday', bangkok, '2024-04-16T05:00:00Z', true],
    ['New York Friday 09:00 EST', newYork, '2024-03-08T14:00:00Z', true],
    ['New York Friday 08:00 EST', newYork, '2024-03-08T13:00:00Z', false],
    ['New York Monday 09:00 EDT', newYork, '2024-03-11T13:00:00Z', true],
    ['New York Monday 16:59 EDT', newYork, '2024-03-11T20:59:00Z', true],
    ['New York Monday 17:00 EDT', newYork, '2024-03-11T21:00:00Z', false],
    ['New York Monday 08:30 EST after fall-back', newYork, '2024-11-04T13:30:00Z', false],
    ['New York Monday 09:00 EST after fall-back', newYork, '2024-11-04T14:00:00Z', true],
    ['night shift Friday 23:00', nightShift, '2024-04-05T16:00:00Z', true],
    ['night shift across midnight, Saturday 00:00', nightShift, '2024-04-05T17:00:00Z', true],
    ['night shift Saturday 06:00', nightShift, '2024-04-05T23:00:00Z', false],
    ['Sunday 00:00-01:30 at the first 01:15 (EDT)', sundays('00:00-01:30'), '2024-11-03T05:15:00Z', true],
    ['Sunday 00:00-01:30 at the repeated 01:15 (EST)', sundays('00:00-01:30'), '2024-11-03T06:15:00Z', false],
    ['an interval inside the spring gap never opens', sundays('02:00-02:30'), '2024-03-10T07:15:00Z', false],
    ['null hours are 24/7', null, '2024-04-13T05:00:00Z', true],
    ['a week without intervals', neverOpen, '2024-04-08T05:00:00Z', false],
  ])('%s', (_name, h, at, open) => expect(isOpen(h, t(at))).toBe(open));
});

describe('nextOpening', () => {
  test.each([
    ['open now: now', bangkok, '2024-04-08T05:00:00Z', '2024-04-08T05:00:00Z'],
    ['early Monday: 09:00 that day', bangkok, '2024-04-08T00:00:00Z', '2024-04-08T02:00:00Z'],
    ['at closing: 09:00 next day', bangkok, '2024-04-09T11:00:00Z', '2024-04-10T02:00:00Z'],
    ['Friday evening: past the weekend and the Monday holiday', bangkok, '2024-04-12T12:00:00Z', '2024-04-16T02:00:00Z'],
    ['New York Friday evening EST: Monday 09:00 EDT', newYork, '2024-03-08T23:00:00Z', '2024-03-11T13:00:00Z'],
    ['spring gap: 02:30 opens at the jump to 03:00 EDT', sundays('02:30-04:00'), '2024-03-10T05:00:00Z', '2024-03-10T07:00:00Z'],
    ['an interval lost in the gap: the next Sunday', sundays('02:00-02:30'), '2024-03-10T05:00:00Z', '2024-03-17T06:00:00Z'],
    [
      'a week of holidays',
      hours('Asia/Bangkok', weekdays('09:00-18:00'), ['2024-04-08', '2024-04-09', '2024-04-10', '2024-04-11', '2024-04-12']),
      '2024-04-07T00:00:00Z',
      '2024-04-15T02:00:00Z',
    ],
    ['null hours: now', null, '2024-04-13T05:00:00Z', '2024-04-13T05:00:00Z'],
  ])('%s', (_name, h, at, expected) => expect(iso(nextOpening(h, t(at)))).toBe(expected));

  test.each([
    ['no intervals', neverOpen],
    ['only malformed intervals (unvalidated input)', hours('Asia/Bangkok', { 1: ['18:00-09:00', '9:0-10:00'] })],
  ])('never opens: %s', (_name, h) => expect(nextOpening(h, t('2024-04-08T00:00:00Z'))).toBeNull());
});

describe('addBusinessTime', () => {
  test.each([
    ['inside an interval', bangkok, '2024-04-08T03:00:00Z', 1 * HOUR, '2024-04-08T04:00:00Z'],
    ['Friday 17:00 + 2 h rolls to Monday 10:00', bangkok, '2024-04-05T10:00:00Z', 2 * HOUR, '2024-04-08T03:00:00Z'],
    ['Friday 17:00 + 2 h skips the Monday holiday', bangkok, '2024-04-12T10:00:00Z', 2 * HOUR, '2024-04-16T03:00:00Z'],
    ['from Saturday: counting starts Monday 09:00', bangkok, '2024-04-06T05:00:00Z', 30 * MINUTE, '2024-04-08T02:30:00Z'],
    ['zero while open: start', bangkok, '2024-04-08T03:00:00Z', 0, '2024-04-08T03:00:00Z'],
    ['zero while closed: start', bangkok, '2024-04-06T05:00:00Z', 0, '2024-04-06T05:00:00Z'],
    ['ending exactly at closing gives closing', bangkok, '2024-04-08T02:00:00Z', 9 * HOUR, '2024-04-08T11:00:00Z'],
    ['five full days: Friday 18:00', bangkok, '2024-04-08T02:00:00Z', 45 * HOUR, '2024-04-12T11:00:00Z'],
    ['five days and 1 ms: after the holiday', bangkok, '2024-04-08T02:00:00Z', 45 * HOUR + 1, '2024-04-16T02:00:00.001Z'],
    ['twenty business days over a holiday', bangkok, '2024-04-01T02:00:00Z', 180 * HOUR, '2024-04-29T11:00:00Z'],
    ['a year of business time', bangkok, '2024-01-01T02:00:00Z', 250 * 9 * HOUR, '2024-12-16T11:00:00Z'],
    ['New York Friday 16:00 EST + 2 h: Monday 10:00 EDT', newYork, '2024-03-08T21:00:00Z', 2 * HOUR, '2024-03-11T14:00:00Z'],
    ['New York Friday 16:00 EDT + 2 h: Monday 10:00 EST', newYork, '2024-11-01T20:00:00Z', 2 * HOUR, '2024-11-04T15:00:00Z'],
    [
      '24/7 in New York over the spring change is real time',
      allDay('America/New_York'),
      '2024-03-10T05:00:00Z',
      3 * HOUR,
      '2024-03-10T08:00:00Z',
    ],
    ['night shift across midnight', nightShift, '2024-04-05T16:00:00Z', 2 * HOUR, '2024-04-05T18:00:00Z'],
    ['night shift to the next week', nightShift, '2024-04-05T22:00:00Z', 2 * HOUR, '2024-04-12T16:00:00Z'],
    ['null hours: plain addition', null, '2024-04-06T05:00:00Z', 5 * HOUR, '2024-04-06T10:00:00Z'],
  ])('%s', (_name, h, start, duration, expected) => {
    expect(iso(addBusinessTime(h, t(start), duration))).toBe(expected);
  });

  test('never opening hours give null', () => expect(addBusinessTime(neverOpen, 0, HOUR)).toBeNull());
  test.each([[-1], [NaN], [Infinity]])('rejects a duration of %s', (d) => expect(() => addBusinessTime(bangkok, 0, d)).toThrow(RangeError));
});

describe('businessTimeBetween', () => {
  test.each([
    ['a Bangkok week', bangkok, '2024-04-07T17:00:00Z', '2024-04-14T17:00:00Z', 45 * HOUR],
    ['Friday noon to Monday noon', bangkok, '2024-04-05T05:00:00Z', '2024-04-08T05:00:00Z', 9 * HOUR],
    ['the holiday week', bangkok, '2024-04-14T17:00:00Z', '2024-04-21T17:00:00Z', 36 * HOUR],
    ['New York Friday 09:00 EST to Monday 17:00 EDT', newYork, '2024-03-08T14:00:00Z', '2024-03-11T21:00:00Z', 16 * HOUR],
    ['New York spring-forward Sunday is 23 h', allDay('America/New_York'), '2024-03-10T05:00:00Z', '2024-03-11T04:00:00Z', 23 * HOUR],
    ['New York fall-back Sunday is 25 h', allDay('America/New_York'), '2024-11-03T04:00:00Z', '2024-11-04T05:00:00Z', 25 * HOUR],
    ['New York summer Sunday is 24 h', allDay('America/New_York'), '2024-07-07T04:00:00Z', '2024-07-08T04:00:00Z', 24 * HOUR],
    ['São Paulo lost its midnight: 23 h', allDay('America/Sao_Paulo'), '2018-11-04T03:00:00Z', '2018-11-05T02:00:00Z', 23 * HOUR],
    ['01:00-03:00 on spring-forward Sunday lasts 1 h', sundays('01:00-03:00'), '2024-03-10T00:00:00Z', '2024-03-11T00:00:00Z', 1 * HOUR],
    ['01:00-03:00 on fall-back Sunday lasts 3 h', sundays('01:00-03:00'), '2024-11-03T00:00:00Z', '2024-11-04T00:00:00Z', 3 * HOUR],
    [
      '00:00-01:30 on fall-back Sunday ends at the first 01:30',
      sundays('00:00-01:30'),
      '2024-11-03T00:00:00Z',
      '2024-11-04T00:00:00Z',
      1.5 * HOUR,
    ],
    [
      '01:30-03:00 on fall-back Sunday starts at the first 01:30',
      sundays('01:30-03:00'),
      '2024-11-03T00:00:00Z',
      '2024-11-04T00:00:00Z',
      2.5 * HOUR,
    ],
    ['an interval inside the spring gap is empty', sundays('02:00-02:30'), '2024-03-10T00:00:00Z', '2024-03-11T00:00:00Z', 0],
    ['b before a', bangkok, '2024-04-09T00:00:00Z', '2024-04-08T00:00:00Z', 0],
    ['null hours: b − a', null, '2024-04-06T05:00:00Z', '2024-04-06T10:00:00Z', 5 * HOUR],
    ['never open', neverOpen, '2024-04-06T05:00:00Z', '2024-05-06T10:00:00Z', 0],
  ])('%s', (_name, h, a, b, expected) => expect(businessTimeBetween(h, t(a), t(b))).toBe(expected));

  // The two functions must agree: the open time up to the due moment is the duration itself.
  test.each([
    [bangkok, '2024-04-12T10:30:00Z'],
    [newYork, '2024-03-08T20:15:00Z'],
    [newYork, '2024-11-01T12:00:00Z'],
    [nightShift, '2024-04-04T00:00:00Z'],
    [sundays('01:00-03:00'), '2024-10-27T12:00:00Z'],
  ])('addBusinessTime and businessTimeBetween agree (%#)', (h, start) => {
    for (const duration of [1, 17 * MINUTE, 2 * HOUR, 9 * HOUR, 50 * HOUR, 400 * HOUR]) {
      const due = addBusinessTime(h, t(start), duration)!;
      expect(businessTimeBetween(h, t(start), due)).toBe(duration);
      expect(isOpen(h, due - 1)).toBe(true); // the last counted millisecond was open
    }
  });
});

describe('validateBusinessHours', () => {
  const valid = {
    timeZone: 'Asia/Bangkok',
    week: [
      [],
      [
        { from: '13:00', to: '18:00' },
        { from: '09:00', to: '12:00' },
      ],
      [],
      [],
      [],
      [],
      [],
    ],
    holidays: ['2024-12-31', '2024-04-15', '2024-04-15'],
  };
  const withDay = (day: unknown[]) => ({ ...valid, week: [[], day, [], [], [], [], []] });

  test('accepts and normalizes: canonical zone, sorted intervals, sorted unique holidays', () => {
    expect(validateBusinessHours({ ...valid, timeZone: 'asia/bangkok' })).toEqual({
      ok: true,
      hours: {
        timeZone: 'Asia/Bangkok',
        week: [[], [interval('09:00-12:00'), interval('13:00-18:00')], [], [], [], [], []],
        holidays: ['2024-04-15', '2024-12-31'],
      },
    });
  });
  test.each([
    ['adjacent intervals', withDay([interval('09:00-12:00'), interval('12:00-24:00')])],
    ['a week with no interval (never open)', { ...valid, week: [[], [], [], [], [], [], []] }],
    ['no holidays field', { timeZone: 'UTC', week: valid.week }],
  ])('accepts %s', (_name, input) => expect(validateBusinessHours(input).ok).toBe(true));

  test.each([
    ['not an object', null, 'businessHours: expected an object'],
    ['unknown zone', { ...valid, timeZone: 'Mars/Olympus' }, 'timeZone: "Mars/Olympus" is not an IANA time zone'],
    ['missing zone', { ...valid, timeZone: undefined }, 'timeZone:'],
    ['six days', { ...valid, week: valid.week.slice(1) }, 'week: expected 7 lists'],
    ['a day that is not a list', { ...valid, week: [[], 'closed', [], [], [], [], []] }, 'week[1] (Monday): expected a list'],
    ['an interval that is not an object', withDay(['09:00-12:00']), 'week[1][0] (Monday): expected {from'],
    ['H:MM', withDay([{ from: '9:00', to: '12:00' }]), 'week[1][0] (Monday).from: "9:00" is not a time "HH:MM"'],
    ['minutes 60', withDay([{ from: '09:60', to: '12:00' }]), 'week[1][0] (Monday).from'],
    ['from 24:00', withDay([{ from: '24:00', to: '24:00' }]), 'week[1][0] (Monday).from'],
    ['to 24:01', withDay([{ from: '09:00', to: '24:01' }]), 'week[1][0] (Monday).to: "24:01"'],
    ['to missing', withDay([{ from: '09:00' }]), 'week[1][0] (Monday).to: undefined'],
    [
      'from after to (overnight)',
      withDay([interval('22:00-06:00')]),
      'week[1][0] (Monday): from 22:00 must be before to 06:00; split a shift past midnight into 22:00-24:00 and 00:00-06:00',
    ],
    ['from equal to to', withDay([interval('09:00-09:00')]), 'week[1][0] (Monday): from 09:00 must be before to 09:00'],
    [
      'overlapping intervals',
      withDay([interval('11:00-13:00'), interval('09:00-12:00')]),
      'week[1] (Monday): intervals 09:00-12:00 and 11:00-13:00 overlap',
    ],
    ['a nested interval', withDay([interval('09:00-18:00'), interval('10:00-11:00')]), 'overlap'],
    ['holidays not a list', { ...valid, holidays: '2024-04-15' }, 'holidays: expected a list'],
    ['an impossible date', { ...valid, holidays: ['2024-04-15', '2024-02-30'] }, 'holidays[1]: "2024-02-30" is not a date "YYYY-MM-DD"'],
    ['a short date', { ...valid, holidays: ['2024-4-15'] }, 'holidays[0]: "2024-4-15"'],
  ])('rejects %s', (_name, input, reason) => {
    const result = validateBusinessHours(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});
