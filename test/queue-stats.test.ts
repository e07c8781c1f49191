// Live queue statistics, pure: the rolling window's counting, the figures computed from a board
// snapshot and the window's events, and the wire deltas. Every expectation is worked out by hand in
// the comments beside it.
import { describe, expect, test } from 'vitest';
import { queueStats, type StatsSnapshot } from '../server/domain/routing/queue-stats.js';
import {
  STATS_FIELDS,
  applyQueueStatsMessage,
  diffFigures,
  encodePatch,
  readDelta,
  type QueueStatsDelta,
  type QueueStatsFull,
  type WirePatch,
} from '../server/domain/routing/stats-delta.js';
import { DEFAULT_WINDOW, StatsWindow, type StatsEvent } from '../server/domain/routing/stats-window.js';
import { DEFAULT_CAPACITY, QUEUE_DEFAULTS, type AgentRouting, type QueueConfig } from '../server/domain/routing/types.js';

const T0 = Date.UTC(2026, 0, 5, 3, 0, 0); // on a minute boundary
const NOW = T0 + 30_000;
// The live window at NOW: the current minute and the 29 before it, from T0 − 29 min. Staffing reads the
// last whole interval: the 30 minutes [T0 − 30 min, T0), 1800 s.
const FROM = T0 - 29 * 60_000;
const S = 1000;

const queue = (id: string, over: Partial<QueueConfig> = {}): QueueConfig => ({
  ...QUEUE_DEFAULTS,
  id,
  name: `Queue ${id}`,
  channels: ['web_chat'],
  wrapUpMs: 0,
  serviceLevelMs: 20 * S,
  serviceLevelTarget: 0.8,
  ...over,
});

const agent = (
  id: string,
  presence: AgentRouting['presence'],
  queueIds: string[],
  load: Partial<AgentRouting['load']> = {},
): AgentRouting => ({
  id,
  presence,
  presenceSince: T0 - 3_600_000,
  skills: {},
  capacity: { ...DEFAULT_CAPACITY },
  load: { voice: 0, chat: 0, messaging: 0, email: 0, ...load },
  queueIds,
  idleSince: T0 - 3_600_000,
  lastOfferAt: 0,
});

const ev = (type: string, conversationId: string, queueId: string, at: number, data?: Record<string, unknown>): StatsEvent => ({
  type,
  conversationId,
  queueId,
  at,
  data,
});

describe('a day on two queues, worked by hand', () => {
  // q1: chat, 80 % within 20 s, no wrap-up. q2: email, 90 % within 60 s, 30 s wrap-up.
  const snapshot: StatsSnapshot = {
    queues: [queue('q1'), queue('q2', { channels: ['email'], serviceLevelMs: 60 * S, serviceLevelTarget: 0.9, wrapUpMs: 30 * S })],
    agents: [
      agent('a1', 'available', ['q1'], { chat: 1 }), // 1 of 3 chats: 1/3 occupied
      agent('a2', 'busy', ['q1'], { chat: 3 }), // full
      agent('a3', 'wrap_up', ['q1']), // wrap-up counts as occupied
      agent('a4', 'away', ['q1']),
      agent('a5', 'offline', ['q1']),
      agent('a6', 'available', ['q2'], { email: 2 }), // 2 of 8 emails: 1/4
    ],
    waiting: [
      { id: 'c6', queueId: 'q1', enqueuedAt: T0 - 10 * S },
      { id: 'c7', queueId: 'q1', enqueuedAt: T0 - 5 * S },
    ],
  };
  const events: StatsEvent[] = [
    ev('enqueued', 'c1', 'q1', T0 - 600 * S),
    ev('offered', 'c1', 'q1', T0 - 599 * S),
    ev('accepted', 'c1', 'q1', T0 - 590 * S, { waitedMs: 10 * S }), // answered within 20 s
    ev('enqueued', 'c2', 'q1', T0 - 500 * S),
    ev('offered', 'c2', 'q1', T0 - 499 * S),
    ev('declined', 'c2', 'q1', T0 - 490 * S),
    ev('offered', 'c2', 'q1', T0 - 489 * S),
    ev('accepted', 'c2', 'q1', T0 - 470 * S, { waitedMs: 30 * S }), // answered after 20 s
    ev('enqueued', 'c3', 'q1', T0 - 400 * S),
    ev('abandoned', 'c3', 'q1', T0 - 395 * S), // left after 5 s: a short abandon
    ev('enqueued', 'c4', 'q1', T0 - 300 * S),
    ev('abandoned', 'c4', 'q1', T0 - 250 * S), // left after 50 s: counts against the service level
    ev('resolved', 'c1', 'q1', T0 - 290 * S), // handled 300 s after its acceptance
    ev('enqueued', 'c5', 'q1', T0 - 200 * S),
    ev('assigned', 'c5', 'q1', T0 - 190 * S, { waitedMs: 10 * S }), // auto-assigned within 20 s
    ev('enqueued', 'c8', 'q1', T0 - 120 * S),
    ev('overflowed', 'c8', 'q1', T0 - 60 * S, { action: 'move', fromQueueId: 'q1', toQueueId: 'q2' }),
    ev('abandoned', 'c8', 'q2', T0 - 20 * S), // 40 s after it moved to q2, within q2's 60 s
    ev('enqueued', 'c6', 'q1', T0 - 10 * S),
    ev('enqueued', 'c7', 'q1', T0 - 5 * S),
  ];
  const report = queueStats(snapshot, events, NOW);
  const [q1, q2] = report.queues;

  test('the live window is the last 30 one-minute buckets; the interval the 30 whole minutes before this one', () => {
    expect(report.window).toEqual({ from: FROM, to: NOW });
    expect(report.interval).toEqual({ from: T0 - 30 * 60_000, to: T0 });
  });

  test('q1: waiting, counts, service level, speed of answer', () => {
    expect(q1).toMatchObject({
      queueId: 'q1',
      waiting: 2,
      oldestWaitingSince: T0 - 10 * S,
      longestWaitMs: 40 * S, // NOW − (T0 − 10 s)
      offered: 8, // c1…c8 entered q1
      answered: 3, // c1, c2, c5
      answeredInThreshold: 2, // c1, c5
      abandoned: 2, // c3, c4
      abandonedInThreshold: 1, // c3
      overflowed: 1, // c8
      agentOffers: 3,
      declined: 1,
      timedOut: 0,
      serviceLevel: 0.5, // 2 / (3 answered + 1 abandoned after 20 s)
      averageSpeedOfAnswerMs: 16_667, // (10 + 30 + 10) s / 3
      averageHandleMs: 300_000,
    });
  });

  test('q1: agents by state and occupancy', () => {
    expect(q1!.agents).toEqual({ available: 1, away: 1, busy: 1, wrap_up: 1, offline: 1 });
    expect(q1!.occupancy).toBe(0.78); // (1/3 + 1 + 1) / 3 working members
  });

  test('q1: Erlang C staffing from the interval’s arrivals and measured handle time', () => {
    // λ = 8 / 1800 s; AHT = 300 s (measured, no wrap-up); A = 8 · 300 / 1800 = 1.333 Erlangs.
    // 2 agents: C = 0.533, SL = 1 − 0.533·e^(−0.667·20/300) = 0.490 < 0.8; 3 agents: C = 0.181, SL = 0.838 ≥ 0.8.
    expect(q1!.staffing).toEqual({
      arrivalsPerHour: 16, // 8 · 3600 / 1800
      ahtSeconds: 300,
      ahtMeasured: true,
      trafficErlangs: 1.33,
      agentsNeeded: 3,
      agentsAvailable: 1,
    });
  });

  test('q2: an overflow arrives, a short abandon leaves the service level undefined, the default handle time applies', () => {
    expect(q2).toMatchObject({
      waiting: 0,
      oldestWaitingSince: null,
      longestWaitMs: 0,
      offered: 1,
      answered: 0,
      abandoned: 1,
      abandonedInThreshold: 1,
      serviceLevel: null, // nothing answered, nothing abandoned after 60 s
      averageSpeedOfAnswerMs: null,
      averageHandleMs: null,
      agents: { available: 1, away: 0, busy: 0, wrap_up: 0, offline: 0 },
      occupancy: 0.25,
    });
    // λ = 1 / 1800 s; AHT = 300 s default + 30 s wrap-up; A = 330 / 1800 = 0.183.
    // 1 agent: C = A = 0.183, SL = 1 − 0.183·e^(−0.817·60/330) = 0.842 < 0.9; 2 agents: C = 0.015, SL = 0.99.
    expect(q2!.staffing).toEqual({
      arrivalsPerHour: 2, // 3600 / 1800
      ahtSeconds: 330,
      ahtMeasured: false,
      trafficErlangs: 0.18,
      agentsNeeded: 2,
      agentsAvailable: 1,
    });
  });

  test('overall: counters added up, an overflowed conversation offered once, every agent once', () => {
    expect(report.overall).toMatchObject({
      waiting: 2,
      longestWaitMs: 40 * S,
      offered: 8, // 9 arrivals, one of them c8 moving to q2
      answered: 3,
      answeredInThreshold: 2,
      abandoned: 3,
      abandonedInThreshold: 2, // c3 within q1’s 20 s, c8 within q2’s 60 s
      serviceLevel: 0.5, // 2 / (3 + 1)
      averageSpeedOfAnswerMs: 16_667,
      agents: { available: 2, away: 1, busy: 1, wrap_up: 1, offline: 1 },
      occupancy: 0.65, // (1/3 + 1 + 1 + 1/4) / 4 = 0.646
    });
    expect(report.overall.staffing).toEqual({
      arrivalsPerHour: 16,
      ahtSeconds: 300,
      ahtMeasured: true,
      trafficErlangs: 1.51, // 1.33 + 0.18
      agentsNeeded: 5, // 3 + 2
      agentsAvailable: 2,
    });
  });
});

describe('service level and speed of answer', () => {
  const q = [queue('q')];
  const snapshot: StatsSnapshot = { queues: q, agents: [], waiting: [] };
  // Each case: (waited, outcome) pairs; answers carry waitedMs, abandons are timed from their enqueue.
  test.each([
    ['nothing happened', [], null, null],
    ['one answered at the threshold (inclusive)', [[20, 'accepted']], 1, 20_000],
    ['one answered a millisecond late', [[20.001, 'accepted']], 0, 20_001],
    ['only a short abandon', [[19, 'abandoned']], null, null],
    ['only a long abandon', [[21, 'abandoned']], 0, null],
    [
      '80/20 met: 4 of 5 within, a short abandon ignored',
      [
        [1, 'accepted'],
        [2, 'accepted'],
        [3, 'assigned'],
        [4, 'accepted'],
        [40, 'accepted'],
        [5, 'abandoned'],
      ],
      0.8,
      10_000,
    ],
    [
      'a long abandon counts against: 3 of (3 + 1)',
      [
        [5, 'accepted'],
        [5, 'accepted'],
        [5, 'accepted'],
        [60, 'abandoned'],
      ],
      0.75,
      5_000,
    ],
  ] as [string, [number, string][], number | null, number | null][])('%s', (_name, outcomes, serviceLevel, asa) => {
    const events = outcomes.flatMap(([waitedS, type], i): StatsEvent[] => {
      const start = T0 - 900 * S + i * 60 * S;
      const end = start + waitedS * S;
      return [
        ev('enqueued', `c${i}`, 'q', start),
        ev(type, `c${i}`, 'q', end, type === 'abandoned' ? undefined : { waitedMs: waitedS * S }),
      ];
    });
    const [stats] = queueStats(snapshot, events, NOW).queues;
    expect(stats!.serviceLevel).toBe(serviceLevel);
    expect(stats!.averageSpeedOfAnswerMs).toBe(asa);
  });

  test('an answer without waitedMs is timed from its enqueue; an abandon whose enqueue is unknown counts as long', () => {
    const events = [
      ev('enqueued', 'a', 'q', T0 - 100 * S),
      ev('accepted', 'a', 'q', T0 - 85 * S), // waited 15 s
      ev('abandoned', 'b', 'q', T0 - 50 * S), // enqueued before the window: longer than any threshold
    ];
    const [stats] = queueStats(snapshot, events, NOW).queues;
    expect(stats).toMatchObject({
      answered: 1,
      answeredInThreshold: 1,
      averageSpeedOfAnswerMs: 15_000,
      abandoned: 1,
      abandonedInThreshold: 0,
    });
    expect(stats!.serviceLevel).toBe(0.5);
  });
});

describe('the rolling window', () => {
  const thresholds = () => 20 * S;

  test('events age out of the live window a minute at a time; the interval holds whole minutes only', () => {
    const w = new StatsWindow(DEFAULT_WINDOW);
    w.add(ev('enqueued', 'c1', 'q', T0 + 10 * S), thresholds); // bucket [T0, T0 + 1 min)
    w.add(ev('enqueued', 'c2', 'q', T0 + 70 * S), thresholds); // bucket [T0 + 1 min, T0 + 2 min)
    const arrivals = (now: number) => {
      const t = w.totals(now);
      return [t.live.get('q')?.arrivals ?? 0, t.interval.totals.get('q')?.arrivals ?? 0];
    };
    expect(arrivals(T0 + 90 * S)).toEqual([2, 1]); // the interval ends at T0 + 1 min: c2's minute is not over
    expect(arrivals(T0 + 2 * 60_000)).toEqual([2, 2]);
    // At T0 + 30 min the live window starts at T0 + 1 min: c1's bucket has left it, not yet the interval.
    expect(arrivals(T0 + 30 * 60_000)).toEqual([1, 2]);
    expect(arrivals(T0 + 31 * 60_000)).toEqual([0, 1]);
    expect(arrivals(T0 + 32 * 60_000)).toEqual([0, 0]);
  });

  test('handle time: from assignment to resolution, in the queue that answered; unknown assignments are skipped', () => {
    const w = new StatsWindow(DEFAULT_WINDOW);
    w.add(ev('assigned', 'c1', 'q', T0, { waitedMs: 0 }), thresholds);
    w.add(ev('resolved', 'c1', 'other', T0 + 120 * S), thresholds);
    w.add(ev('resolved', 'c2', 'q', T0 + 130 * S), thresholds);
    // A stored resolution carries its handle time, though its assignment was before this window began.
    w.add(ev('resolved', 'c3', 'q', T0 + 140 * S, { handleMs: 60_000 }), thresholds);
    expect(w.totals(T0 + 150 * S).live.get('q')).toMatchObject({ handled: 2, handleMs: 180_000 });
    expect(w.tracked.assigned).toBe(0);
  });

  test('remembered conversations are bounded', () => {
    const w = new StatsWindow({ ...DEFAULT_WINDOW, maxTracked: 2 });
    for (const id of ['a', 'b', 'c']) w.add(ev('enqueued', id, 'q', T0), thresholds);
    expect(w.tracked.waiting).toBe(2);
    // 'a' was forgotten: its abandon counts as long.
    w.add(ev('abandoned', 'a', 'q', T0 + S), thresholds);
    expect(w.totals(T0 + 2 * S).live.get('q')).toMatchObject({ abandoned: 1, abandonedInThreshold: 0 });
  });

  test('a window must be a whole number of buckets', () => {
    expect(() => new StatsWindow({ ...DEFAULT_WINDOW, windowMs: 90_000 })).toThrow(RangeError);
  });
});

describe('deltas on the wire', () => {
  const snapshot: StatsSnapshot = { queues: [queue('q1'), queue('q2')], agents: [], waiting: [] };
  const base: QueueStatsFull = { kind: 'full', stream: 's1', seq: 4, refs: { q1: 1, q2: 2 }, ...queueStats(snapshot, [], NOW) };
  const field = (name: (typeof STATS_FIELDS)[number]) => STATS_FIELDS.indexOf(name);

  function deltaOf(queues: WirePatch[], over: Partial<QueueStatsDelta> = {}): QueueStatsDelta {
    return {
      kind: 'delta',
      stream: 's1',
      seq: 5,
      at: NOW + 5 * S,
      window: { from: FROM, to: NOW + 5 * S },
      interval: base.interval,
      queues,
      removed: [],
      ...over,
    };
  }

  test('only changed fields, nested ones too, never the clock-driven longest wait', () => {
    const [q1] = base.queues;
    expect(diffFigures(q1!, { ...q1!, longestWaitMs: 99 })).toEqual({});
    expect(diffFigures(q1!, { ...q1!, waiting: 1, agents: { ...q1!.agents, away: 2 } })).toEqual({ waiting: 1, agents: { away: 2 } });
  });

  test('packed as (field index, value) pairs; every figure has an index, and a new queue comes whole with its id', () => {
    expect(encodePatch({ waiting: 1, agents: { away: 2 } })).toEqual([field('waiting'), 1, field('agents.away'), 2]);
    const [q1] = base.queues;
    const wire: WirePatch = [7, ...encodePatch(q1!)];
    expect(wire.length).toBe(1 + 2 * STATS_FIELDS.length);
    const { longestWaitMs: _l, ...sent } = q1!;
    expect(readDelta(deltaOf([wire]), {})).toEqual({ queues: [sent], refs: { q1: 7 } });
  });

  test('a client copy folds deltas in order, recomputes longest waits, adds and removes queues', () => {
    const delta = deltaOf(
      [
        [1, ...encodePatch({ waiting: 1, oldestWaitingSince: NOW, agents: { away: 1 } })],
        [3, ...encodePatch({ ...base.queues[1]!, queueId: 'q3', name: 'New' })],
      ],
      { removed: [2], overall: encodePatch({ waiting: 1, oldestWaitingSince: NOW }) },
    );
    const copy = applyQueueStatsMessage(base, delta)!;
    expect(copy.seq).toBe(5);
    expect(copy.refs).toEqual({ q1: 1, q3: 3 });
    expect(copy.queues.map((q) => [q.queueId, q.name, q.waiting, q.longestWaitMs])).toEqual([
      ['q1', 'Queue q1', 1, 5 * S],
      ['q3', 'New', 0, 0],
    ]);
    expect(copy.queues[0]!.agents).toEqual({ available: 0, away: 1, busy: 0, wrap_up: 0, offline: 0 }); // merged, not replaced
    expect(copy.overall).toMatchObject({ waiting: 1, longestWaitMs: 5 * S });
    expect(base.queues[0]!.waiting).toBe(0); // the old copy is untouched
    expect(applyQueueStatsMessage(copy, delta)).toBe(copy); // stale: ignored
    expect(applyQueueStatsMessage(copy, { ...delta, seq: 7 })).toBeUndefined(); // gap: fetch the full report
    expect(applyQueueStatsMessage(copy, { ...delta, stream: 's2', seq: 6 })).toBeUndefined(); // another publisher
    expect(applyQueueStatsMessage(copy, deltaOf([[9, field('waiting'), 1]], { seq: 6 }))).toBeUndefined(); // a ref it never heard of
    expect(applyQueueStatsMessage(undefined, delta)).toBeUndefined();
  });

  test('an index this version does not know is skipped', () => {
    const copy = applyQueueStatsMessage(base, deltaOf([[1, 999, 'from the future', field('waiting'), 3]]))!;
    expect(copy.queues[0]).toMatchObject({ queueId: 'q1', waiting: 3 });
    expect(copy.queues[0]).not.toHaveProperty('undefined');
  });
});
