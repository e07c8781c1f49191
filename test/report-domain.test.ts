// The pure parts of reports, table-tested: periods of whole local days (also across a daylight-saving
// change), the duration histograms, the SLA clocks' outcomes, and a conversation's fact rows.
import { describe, expect, test } from 'vitest';
import { DayIndex, dayOfIsoDate, reportPeriod } from '../server/domain/reports/period.js';
import { durationBin, emptyHistogram, encodeHistogram, mergeEncoded, quantile } from '../server/domain/reports/histogram.js';
import { factRowsOf, firstResponseClock, resolutionClock, type ConversationFacts } from '../server/domain/reports/report-cell.js';

const HOUR = 3_600_000;

describe('report periods', () => {
  test.each([
    ['Asia/Bangkok', '2025-03-01', '2025-03-31', Date.parse('2025-02-28T17:00:00Z'), Date.parse('2025-03-31T17:00:00Z')],
    ['UTC', '2025-03-01', '2025-03-01', Date.parse('2025-03-01T00:00:00Z'), Date.parse('2025-03-02T00:00:00Z')],
    // New York springs forward on 2025-03-09: that day is 23 hours long.
    ['America/New_York', '2025-03-09', '2025-03-09', Date.parse('2025-03-09T05:00:00Z'), Date.parse('2025-03-10T04:00:00Z')],
  ])('%s %s to %s covers whole local days', (timeZone, from, to, fromMs, toMs) => {
    const r = reportPeriod({ from, to, timeZone });
    expect(r.ok && { fromMs: r.period.fromMs, toMs: r.period.toMs }).toEqual({ fromMs, toMs });
  });

  test.each([
    [{ from: '2025-02-30', to: '2025-03-01', timeZone: 'UTC' }, 'from', 'is not a date'],
    [{ from: '2025-03-01', to: '2025-3-2', timeZone: 'UTC' }, 'to', 'is not a date'],
    [{ from: '2025-03-02', to: '2025-03-01', timeZone: 'UTC' }, 'to', 'must not be before'],
    [{ from: '2024-01-01', to: '2025-02-04', timeZone: 'UTC' }, 'to', '401 days'],
    [{ from: '2025-03-01', to: '2025-03-02', timeZone: 'Asia/Nowhere' }, 'tz', 'not an IANA time zone'],
  ])('refuses %j (%s)', (input, field, message) => {
    const r = reportPeriod(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.message).toContain(message);
    }
  });

  test('a day index finds the local day of an instant, edges included', () => {
    const first = dayOfIsoDate('2025-03-08')!;
    const days = new DayIndex('America/New_York', first, first + 2);
    expect(days.dayOf(Date.parse('2025-03-08T05:00:00Z'))).toBe(first);
    expect(days.dayOf(Date.parse('2025-03-09T04:59:59.999Z'))).toBe(first);
    expect(days.dayOf(Date.parse('2025-03-09T05:00:00Z'))).toBe(first + 1);
    expect(days.dayOf(Date.parse('2025-03-10T03:59:59.999Z'))).toBe(first + 1);
    expect(days.dayOf(Date.parse('2025-03-10T04:00:00Z'))).toBe(first + 2);
    expect(days.dayOf(Date.parse('2025-03-11T04:00:00Z'))).toBeNull();
    expect(days.dayOf(Date.parse('2025-03-08T04:59:59.999Z'))).toBeNull();
  });

  test.each([
    ['Asia/Jakarta', true],
    ['Asia/Ho_Chi_Minh', true],
    ['UTC', false],
    ['Asia/Tokyo', false],
  ])('Bangkok days start when %s days do: %s', (zone, same) => {
    const first = dayOfIsoDate('2025-01-01')!;
    expect(new DayIndex('Asia/Bangkok', first, first + 364).sameDaysAs(zone)).toBe(same);
  });
});

describe('duration histograms', () => {
  test('bins grow by 10 %, so a quantile is within 5 %', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const values = Array.from({ length: 5000 }, () => Math.round(1000 * Math.exp(rand() * 12)));
    const h = emptyHistogram();
    for (const v of values) h[durationBin(v)]!++;
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.1, 0.5, 0.9, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      expect(Math.abs(quantile(h, q)! - exact) / exact).toBeLessThanOrEqual(0.05);
    }
  });

  test('under a second is one bin; stored and read back, counts add and subtract', () => {
    expect([0, 1, 999].map(durationBin)).toEqual([0, 0, 0]);
    expect(durationBin(1000)).toBe(1);
    const h = emptyHistogram();
    h[3] = 2;
    h[40] = 70_000;
    const back = mergeEncoded(emptyHistogram(), encodeHistogram(h));
    expect(Array.from(back)).toEqual(Array.from(h));
    expect(Array.from(mergeEncoded(back, encodeHistogram(h), -1)).every((n) => n === 0)).toBe(true);
    expect(quantile(emptyHistogram(), 0.5)).toBeNull();
  });
});

const T = Date.parse('2025-03-01T03:00:00Z');
const conversation = (over: Partial<ConversationFacts>): ConversationFacts => ({
  id: 'c1',
  customerId: 'u1',
  createdAt: T,
  channel: 'line',
  queueId: 'q1',
  agentId: 'a1',
  status: 'open',
  firstResponseAt: null,
  resolvedAt: null,
  firstResponseDueAt: T + HOUR,
  resolutionDueAt: T + 24 * HOUR,
  handles: [],
  abandoned: false,
  csat: [],
  ...over,
});

describe('SLA clocks as reports count them', () => {
  const now = T + 2 * HOUR;
  test.each([
    ['no due time', { firstResponseDueAt: null }, 'none'],
    ['answered before due', { firstResponseAt: T + HOUR - 1 }, 'met'],
    ['answered at due', { firstResponseAt: T + HOUR }, 'missed'],
    ['unanswered past due', {}, 'missed'],
    ['unanswered, not due yet', { firstResponseDueAt: now + 1 }, 'pending'],
    ['resolved before due without a reply', { status: 'resolved', resolvedAt: T + HOUR / 2 }, 'none'],
    ['resolved after due without a reply', { status: 'resolved', resolvedAt: T + HOUR }, 'missed'],
  ] as const)('first response: %s → %s', (_what, over, outcome) => {
    expect(firstResponseClock(conversation(over), now).outcome).toBe(outcome);
  });

  test.each([
    ['resolved before due', { status: 'resolved', resolvedAt: T + HOUR }, 'met'],
    ['resolved at due', { status: 'resolved', resolvedAt: T + 24 * HOUR }, 'missed'],
    ['open, not due yet', {}, 'pending'],
    ['open past due', { resolutionDueAt: now }, 'missed'],
    ['reopened (no resolution time)', { status: 'open', resolvedAt: null, resolutionDueAt: T + HOUR }, 'missed'],
  ] as const)('resolution: %s → %s', (_what, over, outcome) => {
    expect(resolutionClock(conversation(over), now).outcome).toBe(outcome);
  });
});

describe("a conversation's fact rows", () => {
  test('its own figures on one row; handle time and CSAT for whoever resolved it', () => {
    const rows = factRowsOf(
      conversation({
        status: 'resolved',
        firstResponseAt: T + 90_000,
        resolvedAt: T + 2 * HOUR,
        handles: [
          { queueId: 'q1', agentId: 'a2', handleMs: 600_000 },
          { queueId: null, agentId: null, handleMs: 300_000 },
        ],
        csat: [{ score: 4, queueId: 'q1', agentId: 'a2' }],
      }),
      T + 3 * HOUR,
    );
    expect(rows.map((r) => [r.seq, r.queueId, r.agentId])).toEqual([
      [0, 'q1', 'a1'],
      [1, 'q1', 'a2'],
    ]);
    expect(rows[0]!.counts).toMatchObject({
      conversations: 1,
      firstResponses: 1,
      firstResponseMs: 90_000,
      resolved: 1,
      handled: 1,
      handleMs: 300_000,
    });
    expect(rows[0]!.counts).toMatchObject({ slaFirstResponseMet: 1, slaResolutionMet: 1, queued: 1, csatResponses: 0 });
    expect(rows[1]!.counts).toMatchObject({ conversations: 0, handled: 1, handleMs: 600_000, csatResponses: 1, csatSum: 4 });
    expect(rows[0]!.firstResponseBin).toBe(durationBin(90_000));
    expect(rows[0]!.nextCheckAt).toBeNull();
  });

  test('a clock still running is where the row changes next', () => {
    const [own] = factRowsOf(conversation({ firstResponseAt: T + 60_000 }), T + 2 * HOUR);
    expect(own!.nextCheckAt).toBe(T + 24 * HOUR);
  });
});
