// Live queue statistics: the full report from GET /queues/stats, kept current by folding the
// socket's `queue:stats` messages into it (applyQueueStatsMessage, shared with the server). The
// socket sends a full report when it joins the supervisors room, which happened before the board
// was opened, so the board reads one itself; deltas that arrive while it is on its way are held and
// folded after it. A gap or another stream (a restart, another node) means fetching a full report again.
import { useCallback, useEffect, useRef, useState } from 'react';
import { applyQueueStatsMessage, type QueueStatsFull, type QueueStatsMessage } from '../../../server/domain/routing/stats-delta.js';
import type { Api } from '../api';
import type { AgentSocket } from '../socket';

export interface QueueStatsState {
  stats: QueueStatsFull | undefined;
  /** Server clock minus browser clock, as far as the reports tell (for clocks that tick here). */
  skewMs: number;
  error: string | null;
}

export function useQueueStats(api: Api, socket: AgentSocket | null, enabled: boolean): QueueStatsState {
  const [stats, setStats] = useState<QueueStatsFull | undefined>(undefined);
  const [skewMs, setSkewMs] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const copy = useRef<QueueStatsFull | undefined>(undefined);
  /** Deltas heard while a full report is being fetched; null when none is. */
  const held = useRef<QueueStatsMessage[] | null>(null);
  const skew = useRef<{ stream: string; ms: number } | null>(null);

  const commit = useCallback((next: QueueStatsFull) => {
    copy.current = next;
    setStats(next);
    // A report is computed before it is received, so (at − now) never overstates the server's lead:
    // the largest sample of a stream is the closest.
    const sample = next.at - Date.now();
    if (!skew.current || skew.current.stream !== next.stream || sample > skew.current.ms + 250) {
      skew.current = { stream: next.stream, ms: sample };
      setSkewMs(sample);
    }
  }, []);

  const load = useCallback(async () => {
    if (held.current) return; // already on its way
    held.current = [];
    try {
      const full = await api.json<QueueStatsFull>('GET', '/queues/stats');
      const mine = copy.current;
      let next = mine && mine.stream === full.stream && mine.seq >= full.seq ? mine : full;
      for (const m of held.current.sort((a, b) => a.seq - b.seq)) next = applyQueueStatsMessage(next, m) ?? next;
      commit(next);
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      held.current = null;
    }
  }, [api, commit]);

  useEffect(() => {
    if (enabled) void load();
  }, [enabled, load]);

  useEffect(() => {
    if (!socket || !enabled) return;
    const onStats = (m: QueueStatsMessage) => {
      const next = applyQueueStatsMessage(copy.current, m);
      if (next) {
        if (next !== copy.current) commit(next);
      } else if (held.current) {
        held.current.push(m);
      } else {
        void load(); // a gap or another stream
      }
    };
    socket.on('queue:stats', onStats);
    return () => {
      socket.off('queue:stats', onStats);
    };
  }, [socket, enabled, load, commit]);

  return { stats, skewMs, error };
}
