// A Customers tab built on a paged list: its heading (for screen readers) and intro, the last action's
// notice, then Loading…, the empty text or the items, and More while the API has a next page.
import type { ReactNode } from 'react';
import { useStrings } from '../i18n';
import { CUSTOMERS_STRINGS } from './strings';
import type { PagedList } from './usePagedList';

export function PagedSection<T, P>({
  id,
  title,
  intro,
  empty,
  list,
  listClass,
  banner,
  renderItem,
}: {
  id: string;
  title: string;
  intro: string;
  empty: string;
  list: PagedList<T, P>;
  listClass: string;
  /** Shown under the notice (the duplicates' "still checking" warning). */
  banner?: ReactNode;
  /** One `<li>` with its key. */
  renderItem: (item: T) => ReactNode;
}) {
  const s = useStrings(CUSTOMERS_STRINGS);
  const { items, cursor, notice, load } = list;
  return (
    <section className="customers-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="visually-hidden">
        {title}
      </h2>
      <p className="muted section-intro">{intro}</p>
      {notice && (
        <p className={`banner${notice.error ? ' banner-error' : ''}`} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {banner}
      {items === null ? (
        <p className="muted" role="status" aria-busy="true">
          {s('loading')}
        </p>
      ) : items.length === 0 ? (
        <p className="list-empty">{empty}</p>
      ) : (
        <ul className={listClass} aria-label={title}>
          {items.map((item) => renderItem(item))}
        </ul>
      )}
      {cursor && (
        <button type="button" className="btn btn-quiet" onClick={() => void load(cursor)}>
          {s('more')}
        </button>
      )}
    </section>
  );
}
