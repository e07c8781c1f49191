// The scrolling message timeline: virtualized (see useVirtualList), an ARIA feed, following new
// messages while the agent is at the bottom, with a "new messages" button when they are not.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useVirtualList, type VirtualRow } from './useVirtualList';

export interface TimelineItem extends VirtualRow {
  /** Sent by this agent just now: the timeline follows it even when scrolled up. */
  own: boolean;
}

export interface TimelineControls {
  scrollToBottom: () => void;
}

interface Props<T extends TimelineItem> {
  items: T[];
  render: (item: T, index: number) => ReactNode;
  label: string;
  busy: boolean;
  jumpLabel: string;
  newLabel: string;
  controls: RefObject<TimelineControls | null>;
}

export function Timeline<T extends TimelineItem>({ items, render, label, busy, jumpLabel, newLabel, controls }: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const inner = useRef<HTMLDivElement>(null);
  const list = useVirtualList(scroller, inner, items);
  const [unseen, setUnseen] = useState(false);
  const { atBottom, scrollToBottom } = list;

  useEffect(() => {
    controls.current = { scrollToBottom };
    return () => {
      controls.current = null;
    };
  }, [controls, scrollToBottom]);

  // A new last row: follow it if it is the agent's own, else flag it when the agent is scrolled up.
  const lastKey = items.at(-1)?.key;
  const previousLast = useRef(lastKey);
  useLayoutEffect(() => {
    if (lastKey === previousLast.current) return;
    previousLast.current = lastKey;
    if (items.at(-1)?.own) scrollToBottom();
    else if (!atBottom) setUnseen(true);
  }, [lastKey, items, atBottom, scrollToBottom]);
  useEffect(() => {
    if (atBottom) setUnseen(false);
  }, [atBottom]);

  const rows: ReactNode[] = [];
  for (let i = list.start; i < list.end && i < items.length; i++) {
    const item = items[i]!;
    rows.push(
      <div key={item.key} data-key={item.key} className="timeline-row" style={{ transform: `translateY(${list.tops[i]}px)` }}>
        {render(item, i)}
      </div>,
    );
  }

  return (
    <div className="timeline-wrap">
      <div ref={scroller} className="timeline" role="feed" aria-label={label} aria-busy={busy} tabIndex={0} onScroll={list.onScroll}>
        <div ref={inner} className="timeline-inner" style={{ height: list.total }}>
          {rows}
        </div>
      </div>
      {!atBottom && (
        <button
          type="button"
          className={`timeline-jump${unseen ? ' timeline-jump-new' : ''}`}
          aria-label={jumpLabel}
          onClick={() => {
            scrollToBottom();
            scroller.current?.focus({ preventScroll: true });
          }}
        >
          {unseen ? newLabel : '↓'}
        </button>
      )}
    </div>
  );
}
