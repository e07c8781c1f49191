// SLA clocks: which target applies, when it is due (in business time), and where a clock stands.
// Pure: every function takes the clock as an argument, so timers can be rebuilt from stored due times.
import { addBusinessTime } from './business-hours.js';
import type { BusinessHours, SlaPolicy, SlaTarget } from './types.js';

export type SlaStatus = 'ok' | 'warning' | 'breached' | 'met' | 'missed';

export interface SlaDueTimes {
  firstResponseDueAt: number;
  resolutionDueAt: number;
}

export interface SlaClock {
  dueAt: number;
  /** When the first response or resolution happened; null while pending. */
  doneAt: number | null;
  now: number;
  /** How long before `dueAt` a pending clock turns to warning; 0 = no warning phase. */
  warnBeforeMs: number;
}

/** Warn when this share of the target has elapsed (80 %: warn at due − 20 % of the target). */
export const DEFAULT_WARN_AT_FRACTION = 0.8;

/**
 * The target of the highest band not above `priority`. A priority below every band gets the lowest
 * band (a conversation under a policy always has a target); null only for an empty policy.
 */
export function slaTargetFor(policy: SlaPolicy, priority: number): SlaTarget | null {
  const bands = Object.keys(policy)
    .map(Number)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (bands.length === 0) return null;
  let band = bands[0]!;
  for (const b of bands) if (b <= priority) band = b;
  return policy[band] ?? null;
}

/**
 * Due times for a conversation created at `createdAt`, counting only open time of `hours` (null =
 * 24/7). Null when there is no policy, no band, or the hours never open (nothing can ever be due).
 */
export function slaDueTimes(
  policy: SlaPolicy | null,
  hours: BusinessHours | null,
  createdAt: number,
  priority: number,
): SlaDueTimes | null {
  const target = policy && slaTargetFor(policy, priority);
  if (!target) return null;
  const firstResponseDueAt = addBusinessTime(hours, createdAt, target.firstResponseMs);
  const resolutionDueAt = addBusinessTime(hours, createdAt, target.resolutionMs);
  if (firstResponseDueAt === null || resolutionDueAt === null) return null;
  return { firstResponseDueAt, resolutionDueAt };
}

/** The wall-clock lead before due at which to warn, for a target of `targetMs`. */
export function warnBeforeMsFor(targetMs: number, warnAtFraction = DEFAULT_WARN_AT_FRACTION): number {
  if (!(warnAtFraction >= 0 && warnAtFraction <= 1)) throw new RangeError(`warnAtFraction must be within [0, 1], got ${warnAtFraction}`);
  return Math.round(targetMs * (1 - warnAtFraction));
}

/**
 * Where a clock stands. Done strictly before due is met, at or after due is missed; pending, it is
 * breached from `dueAt` on, warning from `dueAt − warnBeforeMs`, ok before that.
 */
export function slaStatus({ dueAt, doneAt, now, warnBeforeMs }: SlaClock): SlaStatus {
  if (doneAt !== null) return doneAt < dueAt ? 'met' : 'missed';
  if (now >= dueAt) return 'breached';
  if (warnBeforeMs > 0 && now >= dueAt - warnBeforeMs) return 'warning';
  return 'ok';
}

/**
 * When `slaStatus` would next change with time alone (a timer to set, e.g. after a restart), or null
 * when only an event can change it (done, or already breached).
 */
export function nextSlaCheckAt(clock: SlaClock): number | null {
  if (clock.doneAt !== null) return null;
  const warnAt = clock.dueAt - Math.max(0, clock.warnBeforeMs);
  if (clock.now < warnAt) return warnAt;
  if (clock.now < clock.dueAt) return clock.dueAt;
  return null;
}
