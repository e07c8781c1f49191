// One shared second-ticker for every live clock on the board (longest waits, time in state): one
// timer however many rows, running only while something shows a clock. Also the formats of durations.
import { useSyncExternalStore } from 'react';

let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The browser's clock, moving once a second. */
export const useTick = (): number => useSyncExternalStore(subscribe, () => now);

const pad = (n: number) => String(n).padStart(2, '0');

/** A duration as a clock: 0:42, 12:05, 3:02:33; past a day "2 d 03 h" (units from the caller's strings). */
export function clockOf(ms: number, days: (d: number, h: number) => string): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h >= 24) return days(Math.floor(h / 24), h % 24);
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
