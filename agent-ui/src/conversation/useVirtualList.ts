// A small virtualizer for the message timeline: rows of any height, only those near the viewport in
// the DOM. Each row's height is an estimate until it has been rendered, then its measured height
// (re-measured when it changes, as when an image loads or the pane is resized). Two rules keep the
// view still while heights and rows change: at the bottom it stays at the bottom (new messages come
// into view); elsewhere the first row in view keeps its place on screen (no jumps).
import { useCallback, useLayoutEffect, useMemo, useReducer, useRef, useState, type RefObject } from 'react';

export interface VirtualRow {
  key: string;
  /** A guess of the row's height in px before it is measured. */
  estimate: number;
}

// Rows rendered beyond each edge of the viewport, in px: enough for a smooth wheel or PageUp.
const OVERSCAN_PX = 600;
// Within this distance from the end counts as "at the bottom".
const STICK_PX = 32;

/** The first index i in [0, n) whose row ends below `y` (tops has n + 1 entries). */
function firstEndingBelow(tops: number[], y: number): number {
  let lo = 0;
  let hi = tops.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tops[mid + 1]! > y) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface VirtualList {
  /** Rows to render: [start, end). */
  start: number;
  end: number;
  /** Where each row starts, and the height of them all. */
  tops: number[];
  total: number;
  atBottom: boolean;
  onScroll: () => void;
  scrollToBottom: () => void;
}

export function useVirtualList(
  scroller: RefObject<HTMLElement | null>,
  inner: RefObject<HTMLElement | null>,
  rows: VirtualRow[],
): VirtualList {
  const heights = useRef(new Map<string, number>());
  const [measured, remeasure] = useReducer((n: number) => n + 1, 0);
  const [view, setView] = useState({ top: 0, height: 0 });
  const [atBottom, setAtBottom] = useState(true);
  const stick = useRef(true);
  const anchor = useRef<{ key: string; offset: number } | null>(null);

  const tops = useMemo(() => {
    const t = [0];
    for (const row of rows) t.push(t.at(-1)! + (heights.current.get(row.key) ?? row.estimate));
    return t;
  }, [rows, measured]); // `measured` counts changes to `heights`, which a ref cannot announce itself
  const total = tops.at(-1)!;
  const indexOf = useMemo(() => new Map(rows.map((r, i) => [r.key, i])), [rows]);

  const start = rows.length ? firstEndingBelow(tops, view.top - OVERSCAN_PX) : 0;
  const end = rows.length ? firstEndingBelow(tops, view.top + view.height + OVERSCAN_PX) + 1 : 0;

  const latest = useRef({ rows, tops });
  latest.current = { rows, tops };

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    setAtBottom(stick.current);
    const { rows: r, tops: t } = latest.current;
    if (r.length) {
      const i = firstEndingBelow(t, el.scrollTop);
      anchor.current = { key: r[i]!.key, offset: el.scrollTop - t[i]! };
    }
    setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
  }, [scroller]);

  const scrollToBottom = useCallback(() => {
    const el = scroller.current;
    stick.current = true;
    setAtBottom(true);
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    setView({ top: el.scrollTop, height: el.clientHeight }); // render the last rows now, not on the scroll event
  }, [scroller]);

  // Rows report size changes (an image loaded, the pane got narrower); the next render measures them.
  const observed = useRef(new Set<Element>());
  const resizes = useRef<ResizeObserver | null>(null);
  useLayoutEffect(() => {
    if (typeof ResizeObserver === 'undefined') return;
    const watch = new ResizeObserver(() => remeasure());
    resizes.current = watch;
    return () => {
      watch.disconnect();
      resizes.current = null;
      observed.current.clear();
    };
  }, []);

  // After every render, before paint: measure what is rendered, then put the view where it belongs.
  useLayoutEffect(() => {
    const el = scroller.current;
    const box = inner.current;
    if (!el || !box) return;

    const present = new Set<Element>();
    let changed = false;
    for (const child of Array.from(box.children)) {
      const key = (child as HTMLElement).dataset.key;
      if (key === undefined) continue;
      present.add(child);
      if (!observed.current.has(child)) {
        observed.current.add(child);
        resizes.current?.observe(child);
      }
      const h = child.getBoundingClientRect().height;
      if (Math.abs((heights.current.get(key) ?? -1) - h) > 0.5) {
        heights.current.set(key, h);
        changed = true;
      }
    }
    for (const child of observed.current) {
      if (present.has(child)) continue;
      resizes.current?.unobserve(child);
      observed.current.delete(child);
    }
    if (changed) {
      remeasure(); // renders again at once (a layout effect's update), positions below use the new heights
      return;
    }

    if (stick.current) {
      const bottom = el.scrollHeight - el.clientHeight;
      if (Math.abs(el.scrollTop - bottom) >= 1) el.scrollTop = bottom;
    } else if (anchor.current) {
      const i = indexOf.get(anchor.current.key);
      if (i !== undefined) {
        const wanted = tops[i]! + anchor.current.offset;
        if (Math.abs(el.scrollTop - wanted) >= 1) el.scrollTop = wanted;
      }
    }
    if (view.top !== el.scrollTop || view.height !== el.clientHeight) setView({ top: el.scrollTop, height: el.clientHeight });
  });

  // The viewport's own size (window resized, banners above it came or went).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const watch = new ResizeObserver(() => setView({ top: el.scrollTop, height: el.clientHeight }));
    watch.observe(el);
    return () => watch.disconnect();
  }, [scroller]);

  return { start, end, tops, total, atBottom, onScroll, scrollToBottom };
}
