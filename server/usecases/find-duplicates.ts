// Suggested duplicates. Every write that changes a customer's name, attributes or identities queues the
// customer (in that write's transaction); this worker takes each queued customer, recomputes its blocking
// keys and compares it only with the customers sharing one (a block), so the work per change is bounded
// by the block size, never by the number of customers. Suggestions are stored pairs, listed best first;
// a supervisor merges them or dismisses them ("not the same person"), and a dismissal stays.
import type { Logger } from 'pino';
import {
  matchKeys,
  matchProfile,
  orderedPair,
  profileFromKeys,
  scorePair,
  type DuplicateReason,
  type MatchKey,
} from '../domain/customer-matching.js';
import { invalidField, notFound } from '../domain/errors.js';
import type { Actor } from '../domain/policy.js';
import type { Customer } from '../domain/types.js';
import type { Stores } from '../../db/store.js';
import type { Deps } from './deps.js';

/** Blocks larger than this (a very common name word) are not used to find similar names; exact keys still are. */
export const BLOCK_LIMIT = 200;
/** Customers checked before a listing answers (the rest show as `pending`), and per background pass. */
const LISTING_SLICE = 250;
const BACKGROUND_SLICE = 500;

export interface DuplicateSuggestion {
  id: string;
  reasons: DuplicateReason[];
  score: number;
  /** The profile a merge should keep (the older one) and the one that would join it. */
  keep: Customer;
  other: Customer;
}

export interface DuplicatePage {
  duplicates: DuplicateSuggestion[];
  nextCursor: string | null;
  /** Customers changed so recently that their suggestions are still being computed. */
  pending: number;
}

const encodeCursor = (score: number, id: string) => Buffer.from(`${score}:${id}`).toString('base64url');

function decodeCursor(cursor: string): { score: number; id: string } {
  const m = /^(\d{1,3}):([\w-]{1,40})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw invalidField('cursor', 'not a cursor this API returned');
  return { score: Number(m[1]), id: m[2]! };
}

/** Recomputes one customer's keys and suggestions. */
async function recheck(tx: Stores, customerId: string, now: number): Promise<void> {
  const customer = await tx.customers.findById(customerId);
  const existing = await tx.customerMatching.pairsOf(customerId);
  if (!customer || customer.mergedInto) {
    // Merged away: it is no one's duplicate any more (a dismissal is kept, for an unmerge).
    await tx.customerMatching.replaceKeys(customerId, []);
    await tx.customerMatching.deletePairs(existing.filter((p) => p.status === 'open').map((p) => p.id));
    return;
  }
  const profile = matchProfile(customer, await tx.customers.identities(customerId));
  const keys = matchKeys(profile);
  await tx.customerMatching.replaceKeys(customerId, keys);

  const candidates = new Set<string>();
  for (const k of keys) {
    const exact = k.kind !== 'namep' && k.kind !== 'soundw';
    const members = await tx.customerMatching.block(k.kind, k.key, customerId, BLOCK_LIMIT + 1);
    if (members.length > BLOCK_LIMIT && !exact) continue;
    for (const id of members.slice(0, BLOCK_LIMIT)) candidates.add(id);
  }
  const theirKeys = await tx.customerMatching.keysOf([...candidates]);
  const found = new Map<string, { reasons: DuplicateReason[]; score: number }>();
  for (const [otherId, otherKeys] of theirKeys) {
    const score = scorePair(profile, profileFromKeys(otherKeys as MatchKey[]));
    if (score) found.set(orderedPair(customerId, otherId).join(' '), score);
  }

  const known = new Map(existing.map((p) => [`${p.customerA} ${p.customerB}`, p]));
  for (const [key, score] of found) {
    const pair = known.get(key);
    if (!pair) {
      const [a, b] = key.split(' ') as [string, string];
      await tx.customerMatching.insertPair(a, b, score, now);
    } else if (pair.status === 'open' && (pair.score !== score.score || pair.reasons.join() !== score.reasons.join())) {
      await tx.customerMatching.updatePair(pair.id, score, now);
    }
  }
  await tx.customerMatching.deletePairs(
    existing.filter((p) => p.status === 'open' && !found.has(`${p.customerA} ${p.customerB}`)).map((p) => p.id),
  );
}

export function makeFindDuplicates(deps: Deps & { log?: Pick<Logger, 'error'> }) {
  const { store } = deps;
  let running: Promise<number> | undefined;

  /** Works through the queue (up to `max` customers); concurrent callers share one pass. */
  async function drain(max = Infinity): Promise<number> {
    while (running) await running.catch(() => undefined);
    running = (async () => {
      let done = 0;
      while (done < max) {
        const batch = await store.customerMatching.queued(Math.min(50, max - done));
        if (!batch.length) break;
        // One transaction per batch; a conflict with a concurrent writer retries the batch.
        await store.transaction(async (tx) => {
          for (const { customerId, token } of batch) {
            await recheck(tx, customerId, deps.now());
            await tx.customerMatching.dequeue(customerId, token);
          }
        });
        done += batch.length;
      }
      return done;
    })();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  }

  let scheduled = false;
  let closed = false;
  /**
   * Starts a pass soon (after the current turn), logging a failure; the queue keeps anything left. A pass
   * takes a slice of the queue and starts the next slice after it, so a listing never waits long behind it.
   */
  function kick(): void {
    if (scheduled || closed) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (closed) return;
      drain(BACKGROUND_SLICE).then(
        (done) => done >= BACKGROUND_SLICE && kick(),
        (err: unknown) => deps.log?.error({ err }, 'duplicate check failed'),
      );
    });
  }

  return {
    drain,
    kick,
    /** No new passes start; resolves when the current one is done. */
    async close(): Promise<void> {
      closed = true;
      await drain(0);
    },

    /** Open suggestions, best first. What is queued is checked first (up to a bound; the rest says `pending`). */
    async list(opts: { limit: number; cursor?: string }): Promise<DuplicatePage> {
      const after = opts.cursor ? decodeCursor(opts.cursor) : undefined;
      await drain(LISTING_SLICE);
      kick();
      const rows = await store.customerMatching.listOpen(opts.limit + 1, after);
      const page = rows.slice(0, opts.limit);
      const last = page.at(-1);
      return {
        duplicates: page.map(({ pair, a, b }) => {
          const [keep, other] = a.createdAt <= b.createdAt ? [a, b] : [b, a];
          return { id: pair.id, reasons: pair.reasons, score: pair.score, keep, other };
        }),
        nextCursor: rows.length > opts.limit && last ? encodeCursor(last.pair.score, last.pair.id) : null,
        pending: await store.customerMatching.pendingCount(),
      };
    },

    /** "Not the same person": the pair is never suggested again. Audited. */
    async dismiss(actor: Actor, suggestionId: string): Promise<void> {
      await store.transaction(async (tx) => {
        const pair = await tx.customerMatching.findPair(suggestionId);
        if (!pair) throw notFound('duplicate suggestion');
        if (pair.status === 'dismissed') return;
        const now = deps.now();
        await tx.customerMatching.dismiss(pair.customerA, pair.customerB, actor.id, now);
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'customer.duplicate_dismiss',
            targetType: 'customer',
            targetId: pair.customerA,
            data: { otherCustomerId: pair.customerB, reasons: pair.reasons, score: pair.score },
          },
          now,
        );
      });
    },
  };
}

export type FindDuplicates = ReturnType<typeof makeFindDuplicates>;

/** Runs the check after customer changes on this node, and every `intervalMs` for writes that told no one. */
export function startDuplicateWorker(
  finder: FindDuplicates,
  events: Deps['events'],
  opts: { intervalMs: number; track: <T>(work: Promise<T>) => Promise<T> },
): () => Promise<void> {
  const off = events.subscribe((event, meta) => {
    if (meta.remote) return;
    if (event.type === 'customer.updated' || event.type === 'conversation.created') finder.kick();
  });
  const timer = setInterval(() => finder.kick(), opts.intervalMs);
  timer.unref();
  finder.kick();
  return async () => {
    off();
    clearInterval(timer);
    await opts.track(finder.close());
  };
}
