// Queue statistics on the wire. A supervisor's socket first receives a full report (readable objects,
// the same as GET /api/v1/queues/stats), then deltas that carry only the queues and the fields that
// changed, packed: a queue goes by a small number (`refs`, given in the full report, or with the queue's
// id the first time a delta mentions it) and its changes by (field index, value) pairs. At 1,000 routing
// events a second every queue changes every second, and field names and UUIDs would be most of every
// byte. Clients keep a copy and fold each message into it with `applyQueueStatsMessage` (pure, shared
// with the console); `readDelta` unpacks a delta for reading.
//
// Rules a client follows: keep the latest full report; apply deltas of the same `stream` whose `seq`
// follows the one held; ignore older ones; on a gap or another stream (the server restarted, or the
// report came from another node) wait for or fetch a full report. Values are absolute (never increments),
// so a delta applied to a fresher report is harmless. `longestWaitMs` changes with the clock alone: it
// is never sent in a delta, and the copy recomputes it from `oldestWaitingSince` at each message's `at`.
import type { QueueStats, QueueStatsReport, StatsFigures } from './queue-stats.js';

export interface QueueStatsFull extends QueueStatsReport {
  kind: 'full';
  /** Identifies the publisher (one per server process); sequence numbers count within it. */
  stream: string;
  /** The sequence number of the last delta pushed when this was computed. */
  seq: number;
  /** Queue id → the number it goes by in this stream's deltas. */
  refs: Record<string, number>;
}

/** Changed fields; in a nested object (`agents`, `staffing`) only its changed fields. */
export type FiguresPatch<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

/** The fields of one queue that changed; a queue seen for the first time comes whole. */
export type QueueStatsPatch = { queueId: string } & FiguresPatch<Omit<QueueStats, 'queueId'>>;

export type WireValue = string | number | boolean | null;
/** One queue's changes: its ref, then pairs of (index in STATS_FIELDS, value); a new queue's include its id. */
export type WirePatch = [ref: number, ...pairs: WireValue[]];

export interface QueueStatsDelta {
  kind: 'delta';
  stream: string;
  /** One more than the previous push's: a gap means a push was missed. */
  seq: number;
  at: number;
  window: { from: number; to: number };
  interval: { from: number; to: number };
  queues: WirePatch[];
  /** Refs of queues that no longer exist. */
  removed: number[];
  /** Changed overall figures as (index, value) pairs, when any. */
  overall?: WireValue[];
}

export type QueueStatsMessage = QueueStatsFull | QueueStatsDelta;

/** Every figure a delta can carry, by index; nested ones by path. Append only: indexes are the protocol. */
export const STATS_FIELDS = [
  'name',
  'serviceLevelMs',
  'serviceLevelTarget',
  'waiting',
  'oldestWaitingSince',
  'offered',
  'answered',
  'answeredInThreshold',
  'abandoned',
  'abandonedInThreshold',
  'overflowed',
  'agentOffers',
  'declined',
  'timedOut',
  'serviceLevel',
  'averageSpeedOfAnswerMs',
  'averageHandleMs',
  'agents.available',
  'agents.away',
  'agents.busy',
  'agents.wrap_up',
  'agents.offline',
  'occupancy',
  'staffing.arrivalsPerHour',
  'staffing.ahtSeconds',
  'staffing.ahtMeasured',
  'staffing.trafficErlangs',
  'staffing.agentsNeeded',
  'staffing.agentsAvailable',
  'queueId',
] as const;

const FIELD_INDEX = new Map<string, number>(STATS_FIELDS.map((f, i) => [f, i]));

type Figures = StatsFigures | QueueStats;

/** Changes with the clock alone: never in a patch. */
const NOT_SENT: ReadonlySet<string> = new Set(['longestWaitMs']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields of `next` that differ from `prev`, nested objects (`agents`, `staffing`) by their own fields; {} when none. */
export function diffFigures<T extends Figures>(prev: T, next: T): FiguresPatch<T> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(next)) {
    if (key === 'longestWaitMs') continue;
    const a: unknown = prev[key as keyof T];
    const b: unknown = next[key as keyof T];
    if (isRecord(a) && isRecord(b)) {
      const sub: Record<string, unknown> = {};
      for (const k of Object.keys(b)) if (a[k] !== b[k]) sub[k] = b[k];
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (a !== b) patch[key] = b;
  }
  return patch as FiguresPatch<T>;
}

/** Packs a patch (or whole figures) into (index, value) pairs. */
export function encodePatch(patch: object): WireValue[] {
  const pairs: WireValue[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (NOT_SENT.has(key)) continue;
    if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) pairs.push(FIELD_INDEX.get(`${key}.${k}`)!, v as WireValue);
    } else {
      pairs.push(FIELD_INDEX.get(key)!, value as WireValue);
    }
  }
  return pairs;
}

/** Unpacks (index, value) pairs; an index this version does not know is skipped. */
function decodePairs(pairs: readonly WireValue[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const field = STATS_FIELDS[pairs[i] as number];
    if (!field) continue;
    const [key, sub] = field.split('.') as [string, string | undefined];
    if (sub === undefined) patch[key] = pairs[i + 1];
    else ((patch[key] ??= {}) as Record<string, unknown>)[sub] = pairs[i + 1];
  }
  return patch;
}

/**
 * A delta unpacked into readable patches, queue ids resolved through `refs` (the copy's) or the id a
 * new queue's patch carries. Undefined when a ref is unknown (the delta belongs to another copy).
 */
export function readDelta(
  delta: QueueStatsDelta,
  refs: Readonly<Record<string, number>>,
): { queues: QueueStatsPatch[]; refs: Record<string, number>; overall?: FiguresPatch<StatsFigures> } | undefined {
  const known = { ...refs };
  const ids = new Map(Object.entries(known).map(([id, ref]) => [ref, id]));
  const queues: QueueStatsPatch[] = [];
  for (const [ref, ...pairs] of delta.queues) {
    const patch = decodePairs(pairs);
    const queueId = typeof patch.queueId === 'string' ? patch.queueId : ids.get(ref);
    if (queueId === undefined) return undefined;
    known[queueId] = ref;
    ids.set(ref, queueId);
    queues.push({ ...patch, queueId });
  }
  for (const ref of delta.removed) {
    const id = ids.get(ref);
    if (id !== undefined) delete known[id];
  }
  return { queues, refs: known, ...(delta.overall && { overall: decodePairs(delta.overall) as FiguresPatch<StatsFigures> }) };
}

/** `base` with `patch` applied: nested objects merged one level down. */
function merge<T extends object>(base: T, patch: object): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isRecord(value) && isRecord(out[key]) ? { ...out[key], ...value } : value;
  }
  return out as unknown as T;
}

const withClock = <T extends StatsFigures>(f: T, at: number): T => ({
  ...f,
  longestWaitMs: f.oldestWaitingSince === null ? 0 : Math.max(0, at - f.oldestWaitingSince),
});

/**
 * Folds a message into a client's copy. Returns the new copy (the old one is not changed), the same copy
 * for a stale delta, or undefined when a delta cannot be applied (no copy yet, a gap, another stream):
 * wait for or fetch a full report.
 */
export function applyQueueStatsMessage(copy: QueueStatsFull | undefined, message: QueueStatsMessage): QueueStatsFull | undefined {
  if (message.kind === 'full') return structuredClone(message);
  if (!copy || copy.stream !== message.stream) return undefined;
  if (message.seq <= copy.seq) return copy;
  if (message.seq !== copy.seq + 1) return undefined;
  const read = readDelta(message, copy.refs);
  if (!read) return undefined;
  const { queues: patches, overall, refs } = read;
  const removed = new Set(Object.keys(copy.refs).filter((id) => !(id in refs)));
  const queues = copy.queues.filter((q) => !removed.has(q.queueId));
  const index = new Map(queues.map((q, i) => [q.queueId, i]));
  for (const patch of patches) {
    const i = index.get(patch.queueId);
    if (i === undefined) {
      // A queue seen for the first time comes with every field.
      index.set(patch.queueId, queues.length);
      queues.push(patch as QueueStats);
    } else {
      queues[i] = merge(queues[i]!, patch);
    }
  }
  const at = message.at;
  return {
    kind: 'full',
    stream: message.stream,
    seq: message.seq,
    refs,
    at,
    window: { ...message.window },
    interval: { ...message.interval },
    queues: queues.map((q) => withClock(q, at)),
    overall: withClock(merge(copy.overall, overall ?? {}), at),
  };
}
