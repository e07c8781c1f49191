// Slow work a webhook starts after the provider has its answer (fetching files, reading profiles).
// Each piece runs once per key on this node (twenty copies of one webhook fetch once), shutdown waits
// for it, and its failure is only logged: what was stored before the answer is safe either way.
import type { Logger } from 'pino';

export interface BackgroundDeps {
  /** Registers work that outlives the request, so shutdown waits for it. */
  track: <T>(work: Promise<T>) => Promise<T>;
  log: Pick<Logger, 'warn' | 'error'>;
}

export function makeBackgroundWork(deps: BackgroundDeps, level: 'warn' | 'error') {
  const running = new Map<string, Promise<void>>();
  return {
    /**
     * Starts `work` unless work under `key` is running; a failure is logged as `what` (with `context`,
     * by default the key). Resolves when that work (this or the one already running) is over.
     */
    start(key: string, what: string, work: () => Promise<void>, context: Record<string, unknown> = { key }): Promise<void> {
      const already = running.get(key);
      if (already) return already;
      const p = work()
        .catch((err: unknown) => deps.log[level]({ err, ...context }, what))
        .finally(() => running.delete(key));
      running.set(key, p);
      void deps.track(p);
      return p;
    },

    /** Resolves when the work started so far is done (tests and shutdown). */
    async settled(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}
