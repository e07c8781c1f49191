// Rolling counters of routing events for live queue statistics. Events are counted into one bucket per
// minute and queue. Two spans are read from the buckets: the live window (the current minute and the
// 29 before it: 30 minutes by default) for what the board counts, and the last interval (the 30 whole
// minutes before the current one) for staffing, which then moves once a minute rather than with every
// event. Adding an event is O(1); reading sums at most 31 buckets per queue, whatever the event rate.
// Pure data structure: events and the clock come in, numbers come out; no I/O.

/** A routing event as stored (db/stores/routing-events.store.ts). */
export interface StatsEvent {
  type: string;
  conversationId: string;
  queueId: string | null;
  /** When it happened (epoch ms). */
  at: number;
  data?: Record<string, unknown>;
}

/** What happened in one queue during the window. */
export interface IntervalCounters {
  /** Conversations that entered the queue: enqueued, or moved in by overflow. */
  arrivals: number;
  /** Of the arrivals, those moved in from another queue by overflow. */
  overflowedIn: number;
  /** Conversations that left the queue by overflowing to another one. */
  overflowedOut: number;
  /** Offers made to agents, and those declined or left to time out. */
  offers: number;
  declined: number;
  timedOut: number;
  /** Accepted offers plus automatic assignments, with their waits. */
  answered: number;
  answeredInThreshold: number;
  answerWaitMs: number;
  /** Customers who left before an agent answered; those who left within the threshold. */
  abandoned: number;
  abandonedInThreshold: number;
  /** Resolved conversations whose assignment fell in the tracked span, and their time from assignment to resolution. */
  handled: number;
  handleMs: number;
}

export const zeroCounters = (): IntervalCounters => ({
  arrivals: 0,
  overflowedIn: 0,
  overflowedOut: 0,
  offers: 0,
  declined: 0,
  timedOut: 0,
  answered: 0,
  answeredInThreshold: 0,
  answerWaitMs: 0,
  abandoned: 0,
  abandonedInThreshold: 0,
  handled: 0,
  handleMs: 0,
});

export function addCounters(into: IntervalCounters, from: IntervalCounters): IntervalCounters {
  for (const key of Object.keys(into) as (keyof IntervalCounters)[]) into[key] += from[key];
  return into;
}

/** The counters per queue over the live window and over the last whole interval. */
export interface WindowTotals {
  /** Live window: [from, now]. */
  from: number;
  live: Map<string, IntervalCounters>;
  /** The last whole interval: [from, to), ending where the current bucket starts. */
  interval: { from: number; to: number; totals: Map<string, IntervalCounters> };
}

export interface WindowOptions {
  /** Length of the window and of the interval; a whole number of buckets. */
  windowMs: number;
  bucketMs: number;
  /** How long an assignment is remembered, to measure its handle time when it is resolved. */
  handleTrackMs: number;
  /** At most this many waiting and assigned conversations are remembered (the oldest go first). */
  maxTracked: number;
}

export const DEFAULT_WINDOW: WindowOptions = {
  windowMs: 30 * 60_000,
  bucketMs: 60_000,
  handleTrackMs: 4 * 3_600_000,
  maxTracked: 200_000,
};

interface Mark {
  queueId: string;
  at: number;
}

const numberOr = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export class StatsWindow {
  /** Bucket start → queue id → counters. */
  private readonly buckets = new Map<number, Map<string, IntervalCounters>>();
  /** Conversations waiting, with when and where they started: the wait of an abandon. Oldest first. */
  private readonly waitingSince = new Map<string, Mark>();
  /** Conversations assigned, with when and in which queue: the handle time at resolution. Oldest first. */
  private readonly assignedAt = new Map<string, Mark>();

  constructor(readonly options: WindowOptions = DEFAULT_WINDOW) {
    if (!(options.bucketMs > 0 && options.windowMs >= options.bucketMs && options.windowMs % options.bucketMs === 0)) {
      throw new RangeError(`windowMs (${options.windowMs}) must be a whole number of buckets of bucketMs (${options.bucketMs})`);
    }
  }

  /** Start of the window at `now`: the start of the oldest of the buckets it spans. */
  from(now: number): number {
    const { windowMs, bucketMs } = this.options;
    return Math.floor(now / bucketMs) * bucketMs - windowMs + bucketMs;
  }

  /** The earliest event time either span reads at `now` (where the interval starts): what to seed from. */
  earliest(now: number): number {
    const { windowMs, bucketMs } = this.options;
    return Math.floor(now / bucketMs) * bucketMs - windowMs;
  }

  /** Remembers a conversation that was already waiting (from the routing board at start-up). */
  noteWaiting(conversationId: string, queueId: string, since: number): void {
    this.track(this.waitingSince, conversationId, { queueId, at: since });
  }

  /** Counts one event; `thresholdMs` gives a queue's service-level threshold (answered within it counts). */
  add(e: StatsEvent, thresholdMs: (queueId: string) => number): void {
    const { queueId, conversationId: id, at } = e;
    const data = e.data ?? {};
    if (!queueId) return;
    switch (e.type) {
      case 'enqueued':
        this.count(queueId, at).arrivals++;
        this.track(this.waitingSince, id, { queueId, at });
        return;
      case 'overflowed': {
        // A move leaves one queue and enters another (waiting afresh there); widening stays put.
        const to = data.toQueueId;
        if (typeof to !== 'string' || to === queueId) return;
        this.count(queueId, at).overflowedOut++;
        const into = this.count(to, at);
        into.arrivals++;
        into.overflowedIn++;
        this.track(this.waitingSince, id, { queueId: to, at });
        return;
      }
      case 'offered':
        this.count(queueId, at).offers++;
        return;
      case 'declined':
        this.count(queueId, at).declined++;
        return;
      case 'timed_out':
        this.count(queueId, at).timedOut++;
        return;
      case 'accepted':
      case 'assigned': {
        const since = this.waitingSince.get(id);
        const waited = Math.max(0, numberOr(data.waitedMs, since ? at - since.at : 0));
        const c = this.count(queueId, at);
        c.answered++;
        c.answerWaitMs += waited;
        if (waited <= thresholdMs(queueId)) c.answeredInThreshold++;
        this.waitingSince.delete(id);
        this.track(this.assignedAt, id, { queueId, at });
        return;
      }
      case 'abandoned': {
        // Without a known start it waited longer than the window, hence longer than any threshold.
        const since = this.waitingSince.get(id);
        const waited = numberOr(data.waitedMs, since ? at - since.at : Infinity);
        const c = this.count(queueId, at);
        c.abandoned++;
        if (waited <= thresholdMs(queueId)) c.abandonedInThreshold++;
        this.waitingSince.delete(id);
        return;
      }
      case 'resolved': {
        // The stored event carries its handle time; else it is measured from an assignment seen here.
        const assigned = this.assignedAt.get(id);
        this.assignedAt.delete(id);
        const handleMs = numberOr(data.handleMs, assigned ? at - assigned.at : NaN);
        const queue = assigned?.queueId ?? queueId; // the queue that answered it
        if (!queue || !Number.isFinite(handleMs)) return; // assigned by hand or long ago: handle time unknown
        const c = this.count(queue, at);
        c.handled++;
        c.handleMs += Math.max(0, handleMs);
        return;
      }
      default:
        return; // other routing events (transfers, SLA warnings) do not move these numbers
    }
  }

  /** The counters per queue at `now`; drops buckets and tracked conversations that have aged out. */
  totals(now: number): WindowTotals {
    const { windowMs, bucketMs } = this.options;
    const current = Math.floor(now / bucketMs) * bucketMs;
    const from = this.from(now);
    const intervalFrom = this.earliest(now);
    for (const start of this.buckets.keys()) if (start < intervalFrom) this.buckets.delete(start);
    this.prune(this.waitingSince, now - windowMs);
    this.prune(this.assignedAt, now - this.options.handleTrackMs);
    const live = new Map<string, IntervalCounters>();
    const interval = new Map<string, IntervalCounters>();
    const sum = (into: Map<string, IntervalCounters>, queues: Map<string, IntervalCounters>) => {
      for (const [queueId, c] of queues) {
        const t = into.get(queueId);
        if (t) addCounters(t, c);
        else into.set(queueId, addCounters(zeroCounters(), c));
      }
    };
    for (const [start, queues] of this.buckets) {
      if (start > now) continue; // stamped ahead of the clock: counted once its time comes
      if (start >= from) sum(live, queues);
      if (start < current) sum(interval, queues);
    }
    return { from, live, interval: { from: intervalFrom, to: current, totals: interval } };
  }

  /** How many conversations are remembered (for tests and the bench). */
  get tracked(): { waiting: number; assigned: number } {
    return { waiting: this.waitingSince.size, assigned: this.assignedAt.size };
  }

  private count(queueId: string, at: number): IntervalCounters {
    const start = Math.floor(at / this.options.bucketMs) * this.options.bucketMs;
    let queues = this.buckets.get(start);
    if (!queues) this.buckets.set(start, (queues = new Map()));
    let c = queues.get(queueId);
    if (!c) queues.set(queueId, (c = zeroCounters()));
    return c;
  }

  // Maps keep insertion order: re-inserting moves an entry to the end, so the front is the oldest.
  private track(map: Map<string, Mark>, id: string, mark: Mark): void {
    map.delete(id);
    map.set(id, mark);
    if (map.size > this.options.maxTracked) map.delete(map.keys().next().value!);
  }

  private prune(map: Map<string, Mark>, before: number): void {
    for (const [id, mark] of map) {
      if (mark.at >= before) return;
      map.delete(id);
    }
  }
}
