// Erlang C staffing (the M/M/N queue): chance of waiting, service level, speed of answer, occupancy,
// and the agents needed for a service-level target. Pure math; times in seconds.
// Traffic A (Erlangs) = arrivals per second × average handle time (AHT) in seconds.

export interface StaffingInput {
  arrivalsPerSecond: number;
  ahtSeconds: number;
  /** Answered within this many seconds counts as in service level (the 20 of 80/20). */
  thresholdSeconds: number;
  /** Share to answer within the threshold, in [0, 1) (the 0.8 of 80/20). */
  target: number;
  /** Upper bound on agents' occupancy A/N, in (0, 1]; none by default. */
  maxOccupancy?: number;
}

function requireNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
}

function requireAgents(agents: number): void {
  if (!Number.isSafeInteger(agents) || agents < 0) throw new RangeError(`agents must be a whole number >= 0, got ${agents}`);
}

/** Offered traffic in Erlangs. */
export function trafficErlangs(arrivalsPerSecond: number, ahtSeconds: number): number {
  requireNonNegative('arrivalsPerSecond', arrivalsPerSecond);
  requireNonNegative('ahtSeconds', ahtSeconds);
  return arrivalsPerSecond * ahtSeconds;
}

// Erlang B by its recurrence B(k) = A·B(k−1) / (k + A·B(k−1)), B(0) = 1: every step stays in [0, 1],
// so nothing overflows the way A^N / N! does, even for thousands of agents.
const nextErlangB = (previous: number, k: number, traffic: number) => (traffic * previous) / (k + traffic * previous);

// Erlang C from Erlang B with the same N and A (valid for N > A).
const erlangCFromB = (b: number, agents: number, traffic: number) => (agents * b) / (agents - traffic * (1 - b));

/**
 * Probability that a contact has to wait (Erlang C) with `agents` agents and `trafficErlangs` of
 * traffic. 1 when agents <= traffic (the queue grows without bound); 0 with no traffic.
 */
export function erlangC(agents: number, trafficErlangs: number): number {
  requireAgents(agents);
  requireNonNegative('trafficErlangs', trafficErlangs);
  if (trafficErlangs === 0) return 0;
  if (agents <= trafficErlangs) return 1;
  let b = 1;
  for (let k = 1; k <= agents; k++) b = nextErlangB(b, k, trafficErlangs);
  return erlangCFromB(b, agents, trafficErlangs);
}

// P(wait > t) = C · e^(−(N−A)·t/AHT); service level is its complement.
function serviceLevelFrom(c: number, agents: number, traffic: number, ahtSeconds: number, thresholdSeconds: number): number {
  return Math.min(1, Math.max(0, 1 - c * Math.exp((-(agents - traffic) * thresholdSeconds) / ahtSeconds)));
}

/**
 * Share of contacts answered within `thresholdSeconds`: 1 − C·e^(−(N−A)·T/AHT). 0 when agents <= A
 * (unstable queue), 1 with no traffic.
 */
export function serviceLevel(agents: number, arrivalsPerSecond: number, ahtSeconds: number, thresholdSeconds: number): number {
  requireNonNegative('thresholdSeconds', thresholdSeconds);
  const traffic = trafficErlangs(arrivalsPerSecond, ahtSeconds);
  if (traffic === 0) return 1;
  if (agents <= traffic) return 0;
  return serviceLevelFrom(erlangC(agents, traffic), agents, traffic, ahtSeconds, thresholdSeconds);
}

/** Average speed of answer in seconds: C·AHT/(N−A). Infinity when agents <= A, 0 with no traffic. */
export function averageSpeedOfAnswer(agents: number, arrivalsPerSecond: number, ahtSeconds: number): number {
  const traffic = trafficErlangs(arrivalsPerSecond, ahtSeconds);
  if (traffic === 0) return 0;
  if (agents <= traffic) return Infinity;
  return (erlangC(agents, traffic) * ahtSeconds) / (agents - traffic);
}

/** Share of agents' time spent handling contacts: A/N, at most 1 (0 with no traffic). */
export function occupancy(agents: number, arrivalsPerSecond: number, ahtSeconds: number): number {
  requireAgents(agents);
  const traffic = trafficErlangs(arrivalsPerSecond, ahtSeconds);
  if (traffic === 0) return 0;
  return agents === 0 ? 1 : Math.min(1, traffic / agents);
}

/**
 * The fewest agents (more than A, so the queue is stable) that meet the service-level target and,
 * when given, keep occupancy at or under `maxOccupancy`. 0 with no traffic.
 */
export function agentsNeeded({ arrivalsPerSecond, ahtSeconds, thresholdSeconds, target, maxOccupancy = 1 }: StaffingInput): number {
  requireNonNegative('thresholdSeconds', thresholdSeconds);
  // A target of 1 is never met (some contact always risks a wait), so the search would not end.
  if (!(target >= 0 && target < 1)) throw new RangeError(`target must be within [0, 1), got ${target}`);
  if (!(maxOccupancy > 0 && maxOccupancy <= 1)) throw new RangeError(`maxOccupancy must be within (0, 1], got ${maxOccupancy}`);
  const traffic = trafficErlangs(arrivalsPerSecond, ahtSeconds);
  if (traffic === 0) return 0;
  // Grow N one agent at a time, carrying Erlang B along: O(N) in all rather than O(N) per candidate.
  let agents = Math.floor(traffic) + 1;
  let b = 1;
  for (let k = 1; k <= agents; k++) b = nextErlangB(b, k, traffic);
  for (;;) {
    const c = erlangCFromB(b, agents, traffic);
    const meetsTarget = serviceLevelFrom(c, agents, traffic, ahtSeconds, thresholdSeconds) >= target;
    // A relative epsilon so that, e.g., 7 Erlangs on 10 agents counts as 70 % occupancy, not a hair over.
    const meetsOccupancy = traffic / agents <= maxOccupancy * (1 + 1e-12);
    if (meetsTarget && meetsOccupancy) return agents;
    agents++;
    b = nextErlangB(b, agents, traffic);
  }
}
