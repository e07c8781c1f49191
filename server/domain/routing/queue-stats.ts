// Live queue statistics: per queue and overall, from the routing board's state (who waits, agents'
// presence and load) and the routing events of the rolling 30-minute window (stats-window.ts: the
// current minute and the 29 before it; a rolling window rather than "since midnight", so the numbers
// say how the queue is doing now and never reset at a boundary). Pure: a snapshot, the window's counters
// and the clock in; numbers out. The formulas, in the words of a supervisor:
//
// - waiting / longest wait: conversations in the queue not yet answered (including those under offer);
//   the longest wait is `at − oldestWaitingSince`.
// - offered: conversations that entered the queue in the window (enqueued, or moved in by overflow);
//   the contact-center meaning. Offers made to agents are `agentOffers` (with `declined`, `timedOut`).
// - answered: accepted offers plus automatic assignments; abandoned: the customer left (resolved)
//   before an agent answered.
// - service level = answered within the threshold / (answered + abandoned after the threshold):
//   customers who hang up within the threshold (short abandons) count neither for nor against it.
//   Null when nothing was answered or abandoned after the threshold.
// - average speed of answer = total wait of the answered / answered.
// - occupancy: now, not time-weighted (the events do not record agents' presence history): over the
//   queue's members who are available, busy or wrapping up, the mean share of capacity in use, where an
//   agent's share is the fullest of the queue's capacity classes (load / capacity) and wrap-up counts
//   as fully occupied. Null when no such member.
// - Erlang C staffing, from the last interval (the 30 whole minutes before the current one, so it
//   moves once a minute): arrival rate = offered in the interval / its length; handle time = the mean
//   time from assignment to resolution of the resolutions in the interval, else `defaultHandleMs`
//   (300 s), plus the queue's wrap-up time; agents needed (erlang-c.ts) for the queue's target within
//   its threshold (a target of 100 % is read as 99.9 %), beside the members who are available now.
//   Each agent is one server: chat concurrency is not modelled.
// Overall figures add the queues' counters up (so the service level weighs every conversation equally;
// `offered` leaves out overflow moves, so a conversation is offered once), count every agent in routing
// once (agents by state, occupancy over all capacity classes), and sum the queues' traffic and agents
// needed (queues staffed apart: an upper bound); agents available are those who are members of a queue.
import { agentsNeeded, trafficErlangs } from './erlang-c.js';
import {
  StatsWindow,
  addCounters,
  zeroCounters,
  type IntervalCounters,
  type StatsEvent,
  type WindowOptions,
  type WindowTotals,
} from './stats-window.js';
import {
  capacityClassOf,
  CAPACITY_CLASSES,
  PRESENCES,
  type AgentRouting,
  type CapacityClass,
  type Presence,
  type QueueConfig,
} from './types.js';

/** What the statistics need of the routing board (RoutingService.snapshot() gives more). */
export interface StatsSnapshot {
  queues: readonly QueueConfig[];
  agents: readonly AgentRouting[];
  waiting: readonly { id: string; queueId: string; enqueuedAt: number }[];
}

export interface Staffing {
  arrivalsPerHour: number;
  /** Average handle time used, in seconds (wrap-up included). */
  ahtSeconds: number;
  /** True when measured from resolutions in the window; false when the default was used. */
  ahtMeasured: boolean;
  trafficErlangs: number;
  /** Erlang C: the fewest agents that meet the service-level target. */
  agentsNeeded: number;
  /** Members available now, to set beside `agentsNeeded`. */
  agentsAvailable: number;
}

export interface StatsFigures {
  waiting: number;
  /** When the longest-waiting conversation started waiting; null when nobody waits. */
  oldestWaitingSince: number | null;
  longestWaitMs: number;
  offered: number;
  answered: number;
  answeredInThreshold: number;
  abandoned: number;
  abandonedInThreshold: number;
  overflowed: number;
  agentOffers: number;
  declined: number;
  timedOut: number;
  /** In [0, 1]; null when there is nothing to measure yet. */
  serviceLevel: number | null;
  averageSpeedOfAnswerMs: number | null;
  /** Mean time from assignment to resolution in the window (wrap-up excluded). */
  averageHandleMs: number | null;
  agents: Record<Presence, number>;
  occupancy: number | null;
  staffing: Staffing;
}

export interface QueueStats extends StatsFigures {
  queueId: string;
  name: string;
  serviceLevelMs: number;
  serviceLevelTarget: number;
}

export interface QueueStatsReport {
  /** When these numbers were computed (epoch ms). */
  at: number;
  /** The rolling window the counters cover: [from, to]. */
  window: { from: number; to: number };
  /** The last whole interval, which staffing is computed from: [from, to). */
  interval: { from: number; to: number };
  queues: QueueStats[];
  overall: StatsFigures;
}

export interface QueueStatsOptions {
  /** Handle time assumed for staffing until resolutions have been measured in the window. */
  defaultHandleMs: number;
}

export const DEFAULT_QUEUE_STATS_OPTIONS: QueueStatsOptions = { defaultHandleMs: 300_000 };

const HOUR_MS = 3_600_000;
const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;
const zeroAgents = (): Record<Presence, number> => Object.fromEntries(PRESENCES.map((p) => [p, 0])) as Record<Presence, number>;

/** Share of the agent's capacity in use: the fullest of the given classes; wrap-up is fully occupied. */
function agentOccupancy(agent: AgentRouting, classes: readonly CapacityClass[]): number {
  if (agent.presence === 'wrap_up') return 1;
  let share = 0;
  for (const c of classes) if (agent.capacity[c] > 0) share = Math.max(share, agent.load[c] / agent.capacity[c]);
  return Math.min(1, share);
}

function agentFigures(members: readonly AgentRouting[], classes: readonly CapacityClass[]) {
  const agents = zeroAgents();
  let working = 0;
  let occupied = 0;
  for (const a of members) {
    agents[a.presence]++;
    if (a.presence === 'available' || a.presence === 'busy' || a.presence === 'wrap_up') {
      working++;
      occupied += agentOccupancy(a, classes);
    }
  }
  return { agents, occupancy: working ? round(occupied / working, 2) : null };
}

function counterFigures(c: IntervalCounters) {
  const abandonedAfter = c.abandoned - c.abandonedInThreshold;
  return {
    offered: c.arrivals,
    answered: c.answered,
    answeredInThreshold: c.answeredInThreshold,
    abandoned: c.abandoned,
    abandonedInThreshold: c.abandonedInThreshold,
    overflowed: c.overflowedOut,
    agentOffers: c.offers,
    declined: c.declined,
    timedOut: c.timedOut,
    serviceLevel: c.answered + abandonedAfter > 0 ? round(c.answeredInThreshold / (c.answered + abandonedAfter), 3) : null,
    averageSpeedOfAnswerMs: c.answered ? Math.round(c.answerWaitMs / c.answered) : null,
    averageHandleMs: c.handled ? Math.round(c.handleMs / c.handled) : null,
  };
}

function waitingFigures(waits: readonly { enqueuedAt: number }[], at: number) {
  let oldest: number | null = null;
  for (const w of waits) if (oldest === null || w.enqueuedAt < oldest) oldest = w.enqueuedAt;
  return { waiting: waits.length, oldestWaitingSince: oldest, longestWaitMs: oldest === null ? 0 : Math.max(0, at - oldest) };
}

function staffingOf(queue: QueueConfig, c: IntervalCounters, spanMs: number, available: number, options: QueueStatsOptions): Staffing {
  const ahtMeasured = c.handled > 0;
  const handleMs = ahtMeasured ? c.handleMs / c.handled : options.defaultHandleMs;
  const ahtSeconds = (handleMs + queue.wrapUpMs) / 1000;
  const arrivalsPerSecond = spanMs > 0 ? c.arrivals / (spanMs / 1000) : 0;
  const needed = agentsNeeded({
    arrivalsPerSecond,
    ahtSeconds,
    thresholdSeconds: queue.serviceLevelMs / 1000,
    target: Math.min(queue.serviceLevelTarget, 0.999),
  });
  return {
    arrivalsPerHour: round(arrivalsPerSecond * (HOUR_MS / 1000), 1),
    ahtSeconds: round(ahtSeconds, 1),
    ahtMeasured,
    trafficErlangs: round(trafficErlangs(arrivalsPerSecond, ahtSeconds), 2),
    agentsNeeded: needed,
    agentsAvailable: available,
  };
}

/** The statistics at `at`, from the board's snapshot and the window's counters (StatsWindow.totals(at)). */
export function computeQueueStats(
  snapshot: StatsSnapshot,
  totals: WindowTotals,
  at: number,
  options: QueueStatsOptions = DEFAULT_QUEUE_STATS_OPTIONS,
): QueueStatsReport {
  const intervalMs = totals.interval.to - totals.interval.from;
  const waitsByQueue = new Map<string, { enqueuedAt: number }[]>();
  for (const w of snapshot.waiting) {
    const list = waitsByQueue.get(w.queueId);
    if (list) list.push(w);
    else waitsByQueue.set(w.queueId, [w]);
  }
  const membersByQueue = new Map<string, AgentRouting[]>();
  for (const a of snapshot.agents) {
    for (const q of a.queueIds) {
      const list = membersByQueue.get(q);
      if (list) list.push(a);
      else membersByQueue.set(q, [a]);
    }
  }

  const overallCounters = zeroCounters();
  const overallInterval = zeroCounters();
  const overallStaffing = { traffic: 0, needed: 0 };
  const queues = snapshot.queues.map((queue): QueueStats => {
    const c = totals.live.get(queue.id) ?? zeroCounters();
    const last = totals.interval.totals.get(queue.id) ?? zeroCounters();
    addCounters(overallCounters, c);
    addCounters(overallInterval, last);
    const members = membersByQueue.get(queue.id) ?? [];
    const classes = [...new Set(queue.channels.map(capacityClassOf))];
    const people = agentFigures(members, classes);
    const staffing = staffingOf(queue, last, intervalMs, people.agents.available, options);
    overallStaffing.traffic += staffing.trafficErlangs;
    overallStaffing.needed += staffing.agentsNeeded;
    return {
      queueId: queue.id,
      name: queue.name,
      serviceLevelMs: queue.serviceLevelMs,
      serviceLevelTarget: queue.serviceLevelTarget,
      ...waitingFigures(waitsByQueue.get(queue.id) ?? [], at),
      ...counterFigures(c),
      ...people,
      staffing,
    };
  });

  const queueIds = new Set(snapshot.queues.map((q) => q.id));
  const everyone = agentFigures(snapshot.agents, CAPACITY_CLASSES);
  const handled = overallInterval.handled;
  const intervalContacts = overallInterval.arrivals - overallInterval.overflowedIn;
  const overall: StatsFigures = {
    ...waitingFigures(
      snapshot.waiting.filter((w) => queueIds.has(w.queueId)),
      at,
    ),
    ...counterFigures(overallCounters),
    offered: overallCounters.arrivals - overallCounters.overflowedIn,
    ...everyone,
    staffing: {
      arrivalsPerHour: round(intervalMs > 0 ? (intervalContacts / intervalMs) * HOUR_MS : 0, 1),
      // Measured handle time (wrap-up, which differs by queue, left out), else the default.
      ahtSeconds: round((handled ? overallInterval.handleMs / handled : options.defaultHandleMs) / 1000, 1),
      ahtMeasured: handled > 0,
      trafficErlangs: round(overallStaffing.traffic, 2),
      agentsNeeded: overallStaffing.needed,
      agentsAvailable: snapshot.agents.filter((a) => a.presence === 'available' && a.queueIds.some((q) => queueIds.has(q))).length,
    },
  };
  return { at, window: { from: totals.from, to: at }, interval: { from: totals.interval.from, to: totals.interval.to }, queues, overall };
}

/** The statistics at `now` from a snapshot and the routing events of the window (for tests and one-off reports). */
export function queueStats(
  snapshot: StatsSnapshot,
  events: Iterable<StatsEvent>,
  now: number,
  options: QueueStatsOptions & { window?: WindowOptions } = DEFAULT_QUEUE_STATS_OPTIONS,
): QueueStatsReport {
  const window = new StatsWindow(options.window);
  const thresholds = new Map(snapshot.queues.map((q) => [q.id, q.serviceLevelMs]));
  const thresholdOf = (queueId: string) => thresholds.get(queueId) ?? 0;
  for (const w of snapshot.waiting) window.noteWaiting(w.id, w.queueId, w.enqueuedAt);
  for (const e of events) window.add(e, thresholdOf);
  return computeQueueStats(snapshot, window.totals(now), now, options);
}
