// The live SLA index: every unresolved conversation with due times, its two clocks, and what has been
// reported of them. Pure and in memory (the routing service persists and publishes what it returns);
// `due` costs one comparison while nothing is due, so the routing tick can call it every time.
import type { SlaStatus as ConversationSlaStatus } from '../types.js';
import { nextSlaCheckAt, slaStatus, type SlaStatus } from './sla.js';

export type SlaClockName = 'first_response' | 'resolution';
export const SLA_CLOCKS = ['first_response', 'resolution'] as const satisfies readonly SlaClockName[];

export interface SlaClockState {
  dueAt: number;
  /** When the first response or resolution happened; null while pending. */
  doneAt: number | null;
  warnBeforeMs: number;
  /** The status last reported (stored and published) for this clock. */
  reported: SlaStatus;
}

export interface SlaWatchEntry {
  conversationId: string;
  queueId: string | null;
  clocks: Partial<Record<SlaClockName, SlaClockState>>;
  /** What the conversation's `sla_status` holds: the worst reported status of its pending clocks. */
  stored: ConversationSlaStatus;
  /** When a clock's status next changes with time alone; null when only an event can change it. */
  nextCheckAt: number | null;
}

/** One clock's change, and where the conversation stands after it. */
export interface SlaChange {
  conversationId: string;
  queueId: string | null;
  which: SlaClockName;
  status: SlaStatus;
  /** The conversation's status before and after (equal when another clock is worse). */
  from: ConversationSlaStatus;
  to: ConversationSlaStatus;
}

export interface SlaWatchInput {
  conversationId: string;
  queueId: string | null;
  firstResponseDueAt: number | null;
  resolutionDueAt: number | null;
  firstResponseAt: number | null;
  /** The stored status (null for a conversation whose clocks start now). */
  slaStatus: ConversationSlaStatus | null;
  warnBeforeMs: Record<SlaClockName, number>;
}

const RANK: Record<SlaStatus, number> = { ok: 0, met: 0, missed: 0, warning: 1, breached: 2 };

/** The conversation's status: the worst reported status among clocks still running. */
function worst(clocks: SlaWatchEntry['clocks']): ConversationSlaStatus {
  let status: ConversationSlaStatus = 'ok';
  for (const c of Object.values(clocks)) {
    if (c.doneAt === null && RANK[c.reported] > RANK[status]) status = c.reported as ConversationSlaStatus;
  }
  return status;
}

export class SlaWatch {
  private readonly entries = new Map<string, SlaWatchEntry>();
  /** The earliest `nextCheckAt` of all entries (Infinity when none): the tick's one comparison. */
  private next = Infinity;

  /**
   * Starts (or restarts, after a process restart) watching a conversation from its stored due times.
   * A clock already past a threshold counts as reported up to the stored status, so a restart does
   * not repeat a warning; a threshold crossed while the process was down is reported by the next `due`.
   */
  watch(input: SlaWatchInput, now: number): void {
    const stored = input.slaStatus ?? 'ok';
    const clocks: SlaWatchEntry['clocks'] = {};
    const due: Record<SlaClockName, number | null> = { first_response: input.firstResponseDueAt, resolution: input.resolutionDueAt };
    for (const which of SLA_CLOCKS) {
      const dueAt = due[which];
      if (dueAt === null) continue;
      const doneAt = which === 'first_response' ? input.firstResponseAt : null;
      const warnBeforeMs = input.warnBeforeMs[which];
      const current = slaStatus({ dueAt, doneAt, now, warnBeforeMs });
      const reported = doneAt !== null ? current : RANK[current] <= RANK[stored] ? current : stored;
      clocks[which] = { dueAt, doneAt, warnBeforeMs, reported };
    }
    if (Object.keys(clocks).length === 0) return this.drop(input.conversationId);
    const entry: SlaWatchEntry = { conversationId: input.conversationId, queueId: input.queueId, clocks, stored, nextCheckAt: null };
    entry.nextCheckAt = this.nextCheck(entry, now);
    this.entries.set(entry.conversationId, entry);
    if (entry.nextCheckAt !== null && entry.nextCheckAt < this.next) this.next = entry.nextCheckAt;
  }

  drop(conversationId: string): void {
    this.entries.delete(conversationId); // `next` may now be early: `due` recomputes it
  }

  get(conversationId: string): Readonly<SlaWatchEntry> | undefined {
    return this.entries.get(conversationId);
  }

  setQueue(conversationId: string, queueId: string): void {
    const entry = this.entries.get(conversationId);
    if (entry) entry.queueId = queueId;
  }

  /** Whether the conversation's first-response clock is still running. */
  awaitsFirstResponse(conversationId: string): boolean {
    const clock = this.entries.get(conversationId)?.clocks.first_response;
    return clock !== undefined && clock.doneAt === null;
  }

  /** The first agent reply stops the first-response clock; a clock that had warned or breached reports met or missed. */
  firstResponded(conversationId: string, at: number, now: number): SlaChange[] {
    const entry = this.entries.get(conversationId);
    const clock = entry?.clocks.first_response;
    if (!entry || !clock || clock.doneAt !== null) return [];
    clock.doneAt = at;
    const status = slaStatus({ dueAt: clock.dueAt, doneAt: at, now, warnBeforeMs: clock.warnBeforeMs });
    const wasFlagged = RANK[clock.reported] > 0;
    clock.reported = status;
    entry.nextCheckAt = this.nextCheck(entry, now);
    const from = entry.stored;
    entry.stored = worst(entry.clocks);
    return wasFlagged || from !== entry.stored
      ? [{ conversationId, queueId: entry.queueId, which: 'first_response', status, from, to: entry.stored }]
      : [];
  }

  /** Clocks that crossed a threshold by `now` (a clock that skipped its warning reports only the breach). */
  due(now: number): SlaChange[] {
    if (now < this.next) return [];
    const changes: SlaChange[] = [];
    let next = Infinity;
    for (const entry of this.entries.values()) {
      if (entry.nextCheckAt !== null && entry.nextCheckAt <= now) {
        for (const which of SLA_CLOCKS) {
          const clock = entry.clocks[which];
          if (!clock || clock.doneAt !== null) continue;
          const status = slaStatus({ dueAt: clock.dueAt, doneAt: null, now, warnBeforeMs: clock.warnBeforeMs });
          if (RANK[status] <= RANK[clock.reported]) continue;
          clock.reported = status;
          const from = entry.stored;
          entry.stored = worst(entry.clocks);
          changes.push({ conversationId: entry.conversationId, queueId: entry.queueId, which, status, from, to: entry.stored });
        }
        entry.nextCheckAt = this.nextCheck(entry, now);
      }
      if (entry.nextCheckAt !== null && entry.nextCheckAt < next) next = entry.nextCheckAt;
    }
    this.next = next;
    return changes;
  }

  size(): number {
    return this.entries.size;
  }

  private nextCheck(entry: SlaWatchEntry, now: number): number | null {
    let next: number | null = null;
    for (const clock of Object.values(entry.clocks)) {
      const current = slaStatus({ ...clock, now });
      // Behind what the clock says (a restart, a late tick): check right away. Otherwise a clock
      // reported at a level is next checked for the level above it.
      const warnBeforeMs = clock.reported === 'warning' ? 0 : clock.warnBeforeMs;
      const at =
        RANK[current] > RANK[clock.reported] ? now : nextSlaCheckAt({ dueAt: clock.dueAt, doneAt: clock.doneAt, now, warnBeforeMs });
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }
}
