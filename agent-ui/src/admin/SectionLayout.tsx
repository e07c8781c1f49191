// Every admin section is a list on the left and the selected item (or a new one) on the right.
import type { ReactNode } from 'react';
import { useStrings } from '../i18n';
import { ErrorBanner } from './form-kit';
import { ADMIN_STRINGS } from './strings';

interface Props {
  title: string;
  loading: boolean;
  error: string | null;
  /** null hides the "new" button (read-only viewers). */
  newLabel: string | null;
  onNew: () => void;
  /** Above the list: a search box. */
  tools?: ReactNode;
  list: ReactNode[];
  empty: string;
  children: ReactNode;
}

export function SectionLayout({ title, loading, error, newLabel, onNew, tools, list, empty, children }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  return (
    <div className="admin-split">
      <div className="admin-list-column">
        <div className="admin-list-head">
          <h2>{title}</h2>
          {newLabel && (
            <button type="button" className="btn btn-primary btn-small" onClick={onNew}>
              + {newLabel}
            </button>
          )}
        </div>
        {tools}
        <ErrorBanner error={error} />
        {loading && <p className="list-note">{s('loading')}</p>}
        {!loading && !error && list.length === 0 && <p className="list-note">{empty}</p>}
        {list.length > 0 && (
          <ul className="admin-list" aria-label={title}>
            {list}
          </ul>
        )}
      </div>
      <div className="admin-detail">{children}</div>
    </div>
  );
}

interface ItemProps {
  selected: boolean;
  onSelect: () => void;
  title: string;
  children?: ReactNode;
}

export function ListItem({ selected, onSelect, title, children }: ItemProps) {
  return (
    <li>
      <button
        type="button"
        className={`admin-item${selected ? ' selected' : ''}`}
        aria-current={selected ? 'true' : undefined}
        onClick={onSelect}
      >
        <span className="item-title">{title}</span>
        {children}
      </button>
    </li>
  );
}
