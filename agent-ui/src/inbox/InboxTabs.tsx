// The inbox lists as tabs, each with its unread count. Arrow keys move between tabs (one tab stop).
import { useRef, type KeyboardEvent } from 'react';
import { useStrings } from '../i18n';
import type { InboxTab } from './list-query';
import { INBOX_STRINGS } from './strings';

interface Props {
  tabs: InboxTab[];
  value: InboxTab;
  unread: Partial<Record<InboxTab, number>>;
  onChange: (tab: InboxTab) => void;
  /** The id of the list the tabs control. */
  controls: string;
}

export function InboxTabs({ tabs, value, unread, onChange, controls }: Props) {
  const s = useStrings(INBOX_STRINGS);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    const target =
      event.key === 'Home' ? 0 : event.key === 'End' ? tabs.length - 1 : step ? (index + step + tabs.length) % tabs.length : -1;
    if (target < 0) return;
    event.preventDefault();
    onChange(tabs[target]!);
    buttons.current[target]?.focus();
  };

  return (
    <div className="inbox-tabs" role="tablist" aria-label={s('inboxLists')} style={{ gridTemplateColumns: `repeat(${tabs.length}, 1fr)` }}>
      {tabs.map((tab, i) => {
        const count = unread[tab] ?? 0;
        return (
          <button
            key={tab}
            ref={(el) => {
              buttons.current[i] = el;
            }}
            type="button"
            role="tab"
            data-tab={tab}
            aria-selected={tab === value}
            aria-controls={controls}
            tabIndex={tab === value ? 0 : -1}
            onClick={() => onChange(tab)}
            onKeyDown={(e) => onKeyDown(e, i)}
          >
            <span className="inbox-tab-label">{s(`tab_${tab}`)}</span>
            {/* Placed over the tab's corner: a count appearing never moves the labels. */}
            {count > 0 && (
              <span className="tab-count" aria-hidden="true">
                {count > 99 ? '99+' : count}
              </span>
            )}
            {count > 0 && <span className="visually-hidden">, {s('unreadCount', { n: String(count) })}</span>}
          </button>
        );
      })}
    </div>
  );
}
