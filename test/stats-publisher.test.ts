// The stats publisher in process: events in an in-memory table, a synthetic board, a real EventBus.
// When more queues change than the byte budget carries, a push takes the queues waiting longest and
// the rest follow; a client folding the deltas ends up with exactly the full report. At start the
// window is seeded from the stored events once; afterwards only the table's tail is read.
import { afterEach, expect, test } from 'vitest';
import { createLogger } from '../server/logger.js';
import { EventBus } from '../server/event-bus.js';
import type { StatsSnapshot } from '../server/domain/routing/queue-stats.js';
import { applyQueueStatsMessage, type QueueStatsDelta, type QueueStatsFull } from '../server/domain/routing/stats-delta.js';
import type { StatsEvent } from '../server/domain/routing/stats-window.js';
import { QUEUE_DEFAULTS } from '../server/domain/routing/types.js';
import { DEFAULT_STATS_OPTIONS, StatsPublisher } from '../server/routing/stats-publisher.js';

const T0 = Date.UTC(2026, 0, 5, 3, 0, 0);
const QUEUES = 30;

let publisher: StatsPublisher | undefined;
afterEach(() => publisher?.stop());

test('a budget too small for every changed queue spreads them over pushes, oldest first, and the copy converges', async () => {
  const rows: (StatsEvent & { id: string })[] = [];
  const snapshot: StatsSnapshot = {
    queues: Array.from({ length: QUEUES }, (_, i) => ({ ...QUEUE_DEFAULTS, id: `q${i}`, name: `Queue ${i}` })),
    agents: [],
    waiting: [],
  };
  const bus = new EventBus(() => undefined);
  const deltas: QueueStatsDelta[] = [];
  const all: QueueStatsDelta[] = [];
  let notify = () => undefined as void;
  publisher = new StatsPublisher(
    {
      snapshot: () => snapshot,
      source: { listSince: async (since) => rows.filter((r) => r.at >= since) },
      events: bus,
      now: () => T0,
      emit: (d) => {
        deltas.push(d);
        all.push(d);
        notify();
      },
      log: createLogger('silent'),
    },
    // 1,000 bytes a second (and as a burst), pushes as often as every 20 ms: the 30 changes do not fit in one push.
    { ...DEFAULT_STATS_OPTIONS, minIntervalMs: 20, settleMs: 5, pollMs: 60_000, bytesPerSecond: 1_000 },
  );
  await publisher.start();
  let copy: QueueStatsFull | undefined = await publisher.current();

  // Every queue gets a waiting conversation at once; one doorbell.
  snapshot.queues.forEach((q, i) => {
    rows.push({ id: `e${i}`, type: 'enqueued', conversationId: `c${i}`, queueId: q.id, at: T0 });
    (snapshot.waiting as { id: string; queueId: string; enqueuedAt: number }[]).push({ id: `c${i}`, queueId: q.id, enqueuedAt: T0 });
  });
  bus.publish({ type: 'routing.config_changed' });

  const target = await publisher.current();
  const offered = (c: QueueStatsFull | undefined) => c?.queues.filter((q) => q.offered === 1).length ?? 0;
  while (offered(copy) < QUEUES) {
    await new Promise<void>((resolve) => (notify = resolve));
    for (const d of deltas.splice(0)) copy = applyQueueStatsMessage(copy, d) ?? (await publisher.current());
  }

  expect(copy!.queues.map(({ longestWaitMs: _l, ...q }) => q)).toEqual(target.queues.map(({ longestWaitMs: _l, ...q }) => q));
  expect(copy!.overall.offered).toBe(QUEUES);
  // The budget split the change over several pushes; each queue went once, in order of waiting.
  expect(all.length).toBeGreaterThan(1);
  // A push that carries more than one queue stays within the budget (here at most one second's worth).
  for (const d of all) if (d.queues.length > 1) expect(Buffer.byteLength(JSON.stringify(d))).toBeLessThanOrEqual(1_000);
  const refs = (await publisher.current()).refs;
  expect(all.flatMap((d) => d.queues.map(([ref]) => ref))).toEqual(snapshot.queues.map((q) => refs[q.id]));
  expect(all.map((d) => d.seq)).toEqual(all.map((_, i) => i + 1));
});

test('at start the window is seeded once from the stored events of the interval; later reads only take new rows', async () => {
  const queueId = 'q';
  const rows: (StatsEvent & { id: string })[] = [
    { id: 'old', type: 'enqueued', conversationId: 'c0', queueId, at: T0 - 31 * 60_000 }, // before the interval
    { id: 'e1', type: 'enqueued', conversationId: 'c1', queueId, at: T0 - 10 * 60_000 },
    { id: 'e2', type: 'accepted', conversationId: 'c1', queueId, at: T0 - 10 * 60_000 + 5_000, data: { waitedMs: 5_000 } },
  ];
  const reads: number[] = [];
  publisher = new StatsPublisher(
    {
      snapshot: () => ({ queues: [{ ...QUEUE_DEFAULTS, id: queueId, name: 'Q' }], agents: [], waiting: [] }),
      source: {
        listSince: async (since) => {
          reads.push(since);
          return rows.filter((r) => r.at >= since);
        },
      },
      events: new EventBus(() => undefined),
      now: () => T0,
      emit: () => undefined,
      log: createLogger('silent'),
    },
    { ...DEFAULT_STATS_OPTIONS, pollMs: 60_000 },
  );
  await publisher.start();
  expect(reads).toEqual([T0 - 30 * 60_000]); // the interval's start: [T0 − 30 min, T0)
  const [q] = (await publisher.current()).queues;
  expect(q).toMatchObject({ offered: 1, answered: 1, answeredInThreshold: 1, serviceLevel: 1, averageSpeedOfAnswerMs: 5_000 });
  // The next read starts at the newest event seen, less the overlap; rows read before are not counted twice.
  expect(reads[1]).toBe(T0 - 10 * 60_000 + 5_000 - DEFAULT_STATS_OPTIONS.overlapMs);
  expect(publisher.metrics().eventsRead).toBe(2);
});
