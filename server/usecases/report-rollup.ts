// Keeps the report rollup exact. Every conversation is stored as fact rows (report_facts); the daily
// cells (report_daily) are their sums per local day and channel, queue, agent and segment. A pass finds
// the conversations whose figures may have changed since the last one (written, a resolution or
// abandonment recorded, a survey answered, or an SLA clock come due), and for each takes its old fact
// rows out of their cells and puts its new ones in, in one transaction per batch. The first pass (or a
// new time zone) builds everything a day at a time. Segments' cells count the members of a snapshot
// that is refreshed every `segmentMembersMs` (members who joined are added, those who left taken out);
// a new or edited segment is counted afresh from the fact rows.
//
// Passes run on the routing leader every `intervalMs` and before every report, one at a time per
// process; across nodes the state row is locked for each batch (PostgreSQL), so no change is counted
// twice, and only the routing leader runs a first build. Changes are found by their own timestamps,
// re-reading `marginMs` before the last pass, so that a transaction that committed late, or a node
// whose clock runs a little behind, is still seen; reading a change twice is harmless (its delta is
// then zero).
import type { DailyCell } from '../../db/stores/report-columns.js';
import type { ConversationFactRows, ReportRollupStore } from '../../db/stores/report-rollup.store.js';
import type { SegmentDefinition, SegmentState } from '../../db/stores/report-segments.store.js';
import { DEFAULT_REPORT_TIME_ZONE, dayStart, localDayOf } from '../domain/reports/period.js';
import { addFact, emptyCell, factRowsOf, isEmptyCell, mergeCell, type FactRow, type ReportCell } from '../domain/reports/report-cell.js';
import type { ReportGroupBy } from '../domain/reports/report.js';
import { AppError } from '../domain/errors.js';
import type { Deps } from './deps.js';

export interface ReportRollupOptions {
  /** The zone whose local days the rollup counts; reports in a zone whose days start at the same instants read it. */
  timeZone: string;
  /** How far before the last pass changes are looked for again. */
  marginMs: number;
  /** How often the routing leader runs a pass (0: only before reports). */
  intervalMs: number;
  /** How old the segments' membership snapshot may get before a pass refreshes it (0: every pass). */
  segmentMembersMs: number;
  /**
   * Whether this node may run a first build (the routing leader: one builder at a time). Elsewhere a
   * report waits for it with 503 UNAVAILABLE.
   */
  canBuild: () => boolean;
}

export const DEFAULT_REPORT_ROLLUP_OPTIONS: ReportRollupOptions = {
  timeZone: DEFAULT_REPORT_TIME_ZONE,
  marginMs: 2 * 60_000,
  intervalMs: 60_000,
  segmentMembersMs: 15 * 60_000,
  canBuild: () => true,
};

/** Conversations per transaction. */
const BATCH = 500;

export interface RollupPass {
  full: boolean;
  /** Conversations looked at, and those whose figures changed. */
  checked: number;
  changed: number;
  /** Segments counted afresh, and those whose membership was refreshed. */
  segmentsBuilt: number;
  segmentsRefreshed: number;
  ms: number;
}

/** Changes to cells, keyed by day, dimension and key. */
class Deltas {
  readonly cells = new Map<string, DailyCell>();

  cell(day: number, dimension: ReportGroupBy, key: string): ReportCell {
    const id = `${day}|${dimension}|${key}`;
    let c = this.cells.get(id);
    if (!c) this.cells.set(id, (c = { day, dimension, key, cell: emptyCell() }));
    return c.cell;
  }

  /** A fact row into (or, with sign −1, out of) its channel, queue and agent cells and its customer's segments'. */
  fact(day: number, f: FactRow, segments: readonly string[], sign: number): void {
    addFact(this.cell(day, 'channel', f.channel), f, sign);
    addFact(this.cell(day, 'queue', f.queueId), f, sign);
    addFact(this.cell(day, 'agent', f.agentId), f, sign);
    for (const s of segments) addFact(this.cell(day, 'segment', s), f, sign);
  }
}

/** Adds deltas into the stored cells: read, add, write back (or delete when nothing is left). */
async function applyDeltas(r: ReportRollupStore, deltas: Deltas): Promise<void> {
  const changed = [...deltas.cells.values()].filter((d) => !isEmptyCell(d.cell));
  if (changed.length === 0) return;
  const stored = await r.cells(changed);
  const write: DailyCell[] = [];
  const remove: DailyCell[] = [];
  for (const d of changed) {
    const cell = mergeCell(stored.get(`${d.day}|${d.dimension}|${d.key}`) ?? emptyCell(), d.cell);
    (isEmptyCell(cell) ? remove : write).push({ ...d, cell });
  }
  await r.writeCells(write, remove);
}

const factKey = (rows: FactRow[]): string =>
  JSON.stringify(
    rows
      .map((r) => [r.channel, r.queueId, r.agentId, r.counts, r.firstResponseBin, r.resolutionBin, r.nextCheckAt])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  );

export type ReportRollup = ReturnType<typeof makeReportRollup>;

export function makeReportRollup(deps: Deps, options: ReportRollupOptions = DEFAULT_REPORT_ROLLUP_OPTIONS) {
  const { store, now } = deps;
  const { timeZone } = options;
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const dayOf = (at: number) => localDayOf(timeZone, at);
  // Shutting down: a long pass stops between days or batches (what it did is kept; a first build starts over).
  const checkStopped = () => {
    if (stopped) throw new AppError('UNAVAILABLE', 'the server is shutting down');
  };

  /** First build: every day from its conversations, straight into empty tables. */
  async function buildAll(asOf: number): Promise<number> {
    const r = store.reportRollup;
    await r.clear();
    await r.saveRollupState({ timeZone, watermark: 0 }, now());
    const span = await r.createdSpan();
    if (!span) return 0;
    let count = 0;
    for (let day = dayOf(span.first); day <= dayOf(span.last); day++) {
      checkStopped();
      const facts = await r.conversationFacts({ fromMs: dayStart(timeZone, day), toMs: dayStart(timeZone, day + 1) });
      const rows: ConversationFactRows[] = facts.map((c) => ({
        conversationId: c.id,
        customerId: c.customerId,
        createdAt: c.createdAt,
        day,
        rows: factRowsOf(c, asOf),
      }));
      const deltas = new Deltas();
      for (const f of rows) for (const row of f.rows) deltas.fact(day, row, [], 1);
      await r.insertDay(rows, [...deltas.cells.values()]);
      count += facts.length;
    }
    return count;
  }

  /** Folds the current figures of these conversations in, in place of what was counted for them. */
  async function applyConversations(ids: string[], asOf: number): Promise<number> {
    return store.transaction(async (tx) => {
      const r = tx.reportRollup;
      await r.lock();
      const current = await r.conversationFactsByIds(ids);
      const stored = await r.storedFacts(ids);
      const before = new Map<string, FactRow[]>();
      for (const f of stored) before.set(f.conversationId, [...(before.get(f.conversationId) ?? []), f]);
      const after = new Map<string, ConversationFactRows>(
        current.map((c) => [
          c.id,
          { conversationId: c.id, customerId: c.customerId, createdAt: c.createdAt, day: dayOf(c.createdAt), rows: factRowsOf(c, asOf) },
        ]),
      );
      // Most writes (tags, viewers, a note) change no figure: those conversations are left alone.
      const changed = ids.filter((id) => factKey(before.get(id) ?? []) !== factKey(after.get(id)?.rows ?? []));
      if (changed.length === 0) return 0;
      const changedSet = new Set(changed);
      const oldFacts = stored.filter((f) => changedSet.has(f.conversationId));
      const newFacts = changed.flatMap((id) => after.get(id) ?? []);
      const members = await tx.reportSegments.membershipsOf([
        ...new Set([...oldFacts.map((f) => f.customerId), ...newFacts.map((f) => f.customerId)]),
      ]);
      const deltas = new Deltas();
      for (const f of oldFacts) deltas.fact(f.day, f, members.get(f.customerId) ?? [], -1);
      for (const f of newFacts) for (const row of f.rows) deltas.fact(f.day, row, members.get(f.customerId) ?? [], 1);
      await applyDeltas(r, deltas);
      await r.replaceFacts(changed, newFacts);
      return changed.length;
    });
  }

  /** Counts a new or edited segment afresh from the fact rows of its members now. */
  async function buildSegment(def: SegmentDefinition, asOf: number): Promise<void> {
    const members = await store.reportSegments.currentMembers(def.rules, asOf);
    await store.transaction(async (tx) => {
      const segments = tx.reportSegments;
      await tx.reportRollup.lock();
      await segments.dropSegment(def.id);
      await segments.changeMembers(def.id, members, []);
      const days = await segments.segmentCells(def.id);
      await tx.reportRollup.writeCells(
        [...days].map(([day, cell]) => ({ day, dimension: 'segment' as const, key: def.id, cell })),
        [],
      );
      await segments.saveSegmentState({ segmentId: def.id, definitionAt: def.updatedAt, membersAt: asOf });
    });
  }

  /** Members who joined a segment since its snapshot are added to its cells, those who left taken out. */
  async function refreshMembers(def: SegmentDefinition, state: SegmentState, asOf: number): Promise<void> {
    const members = new Set(await store.reportSegments.currentMembers(def.rules, asOf));
    await store.transaction(async (tx) => {
      const r = tx.reportRollup;
      await r.lock();
      const stored = new Set(await tx.reportSegments.storedMembers(def.id));
      const joined = [...members].filter((c) => !stored.has(c));
      const left = [...stored].filter((c) => !members.has(c));
      if (joined.length + left.length > 0) {
        const deltas = new Deltas();
        for (const f of await r.storedFactsOfCustomers(joined)) addFact(deltas.cell(f.day, 'segment', def.id), f, 1);
        for (const f of await r.storedFactsOfCustomers(left)) addFact(deltas.cell(f.day, 'segment', def.id), f, -1);
        await applyDeltas(r, deltas);
        await tx.reportSegments.changeMembers(def.id, joined, left);
      }
      await tx.reportSegments.saveSegmentState({ ...state, membersAt: asOf });
    });
  }

  async function syncSegments(asOf: number): Promise<{ built: number; refreshed: number }> {
    const definitions = await store.reportSegments.segmentDefinitions();
    const states = new Map((await store.reportSegments.segmentStates()).map((s) => [s.segmentId, s]));
    const live = new Set(definitions.map((d) => d.id));
    for (const id of states.keys()) {
      if (live.has(id)) continue;
      await store.transaction(async (tx) => {
        await tx.reportRollup.lock();
        await tx.reportSegments.dropSegment(id);
      });
    }
    let built = 0;
    let refreshed = 0;
    for (const def of definitions) {
      const state = states.get(def.id);
      if (!state || state.definitionAt !== def.updatedAt) {
        await buildSegment(def, asOf);
        built++;
      } else if (asOf - state.membersAt >= options.segmentMembersMs) {
        await refreshMembers(def, state, asOf);
        refreshed++;
      }
    }
    return { built, refreshed };
  }

  async function pass(): Promise<RollupPass> {
    const started = now();
    const r = store.reportRollup;
    const state = await r.rollupState();
    // A watermark of 0 is a first build that has not finished (the builder may have died): start over.
    const full = !state || state.timeZone !== timeZone || state.watermark === 0;
    if (full && !options.canBuild()) {
      throw new AppError(
        'UNAVAILABLE',
        'reports are being prepared for the first time (the routing leader builds them); try again in a minute',
      );
    }
    let checked: number;
    let changed = 0;
    if (full) {
      checked = changed = await buildAll(started);
      await r.copyCampaignSends(0);
    } else {
      const since = state.watermark - options.marginMs;
      const ids = await r.changedConversations(since, started);
      checked = ids.length;
      for (let i = 0; i < ids.length; i += BATCH) {
        checkStopped();
        changed += await applyConversations(ids.slice(i, i + BATCH), started);
      }
      // Campaign messages: those sent since, and replies from customers who wrote since (both idempotent).
      await r.copyCampaignSends(since);
      await r.markReplies(await r.customersWhoWrote(since));
    }
    const segments = await syncSegments(started);
    await r.saveRollupState({ timeZone, watermark: started }, now());
    return { full, checked, changed, segmentsBuilt: segments.built, segmentsRefreshed: segments.refreshed, ms: now() - started };
  }

  return {
    timeZone,
    /** Folds in what changed since the last pass (the first pass builds everything). One pass at a time. */
    refresh(): Promise<RollupPass> {
      const next = chain.then(pass, pass);
      chain = next.catch(() => undefined);
      return next;
    },
    /** Runs a pass every `intervalMs` while `active()` (the routing leader); failures are reported and retried next time. */
    start(active: () => boolean, onError: (err: unknown) => void): void {
      if (options.intervalMs <= 0 || timer) return;
      const tick = () => {
        if (!stopped && active()) this.refresh().catch(onError);
      };
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
      setTimeout(tick, 0).unref();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await chain;
    },
  };
}
