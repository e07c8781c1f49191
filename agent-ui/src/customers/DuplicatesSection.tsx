// Suggested duplicates, best first: each pair with its reasons and score, the profile a merge keeps
// and the one that joins it; Merge, or Not the same (never suggested again).
import { useCallback, useEffect, useState } from 'react';
import type { Customer } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import type { CustomersApi, Suggestion } from './customers-api';
import { day, errorText } from './format';
import { CUSTOMERS_STRINGS } from './strings';

function Person({ customer, role }: { customer: Customer; role: string }) {
  const s = useStrings(CUSTOMERS_STRINGS);
  const { locale } = useI18n();
  return (
    <div className="dup-person">
      <span className="dup-role">{role}</span>
      <strong className={customer.name ? undefined : 'muted'}>{customer.name ?? s('noName')}</strong>
      <span className="muted">
        {s('created', { date: day(customer.createdAt, locale) })}
        {customer.tags.length > 0 && ` · ${customer.tags.join(', ')}`}
      </span>
    </div>
  );
}

export function DuplicatesSection({ calls }: { calls: CustomersApi }) {
  const s = useStrings(CUSTOMERS_STRINGS);
  const [items, setItems] = useState<Suggestion[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [pending, setPending] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);

  const load = useCallback(
    async (after?: string | null) => {
      try {
        const page = await calls.duplicates(after);
        setItems((list) => (after ? [...(list ?? []), ...page.duplicates] : page.duplicates));
        setCursor(page.nextCursor);
        setPending(page.pending);
      } catch (err) {
        setItems((list) => list ?? []);
        setNotice({ text: s('failed', { error: errorText(err) }), error: true });
      }
    },
    [calls],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (pair: Suggestion, what: 'merge' | 'dismiss') => {
    setBusy(pair.id);
    try {
      if (what === 'merge') await calls.merge(pair.keep.id, pair.other.id);
      else await calls.dismiss(pair.id);
      setNotice({
        text:
          what === 'merge' ? s('merged', { other: pair.other.name ?? s('noName'), keep: pair.keep.name ?? s('noName') }) : s('dismissed'),
      });
      await load();
    } catch (err) {
      setNotice({ text: s('failed', { error: errorText(err) }), error: true });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="customers-section" aria-labelledby="dup-title">
      <h2 id="dup-title" className="visually-hidden">
        {s('tabDuplicates')}
      </h2>
      <p className="muted section-intro">{s('duplicatesIntro')}</p>
      {notice && (
        <p className={`banner${notice.error ? ' banner-error' : ''}`} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {pending > 0 && <p className="banner banner-warn">{s('pending', { count: String(pending) })}</p>}
      {items === null ? (
        <p className="muted" role="status" aria-busy="true">
          {s('loading')}
        </p>
      ) : items.length === 0 ? (
        <p className="list-empty">{s('noDuplicates')}</p>
      ) : (
        <ul className="dup-list" aria-label={s('tabDuplicates')}>
          {items.map((pair) => (
            <li key={pair.id} className="dup-card" data-pair={pair.id}>
              <div className="dup-score" title={s('score')}>
                <span className="dup-score-value">{pair.score}</span>
                <div className="dup-reasons">
                  {pair.reasons.map((r) => (
                    <span key={r} className={`chip chip-reason chip-${r}`}>
                      {s(`reason_${r}`)}
                    </span>
                  ))}
                </div>
              </div>
              <Person customer={pair.keep} role={s('keep')} />
              <span className="dup-arrow" aria-hidden="true">
                ←
              </span>
              <Person customer={pair.other} role={s('joins')} />
              <div className="dup-actions">
                <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => void act(pair, 'merge')}>
                  {s('merge')}
                </button>
                <button type="button" className="btn" disabled={busy !== null} onClick={() => void act(pair, 'dismiss')}>
                  {s('notSame')}
                </button>
              </div>
            </li>
          ))}
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
