// Suggested duplicates, best first: each pair with its reasons and score, the profile a merge keeps
// and the one that joins it; Merge, or Not the same (never suggested again).
import type { Customer } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import type { CustomersApi, Suggestion } from './customers-api';
import { day } from './format';
import { PagedSection } from './PagedSection';
import { CUSTOMERS_STRINGS } from './strings';
import { usePagedList } from './usePagedList';

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
  const list = usePagedList(calls.duplicates, (page) => page.duplicates);
  const pending = list.last?.pending ?? 0;

  const act = (pair: Suggestion, what: 'merge' | 'dismiss') =>
    list.act(async () => {
      if (what === 'merge') await calls.merge(pair.keep.id, pair.other.id);
      else await calls.dismiss(pair.id);
      return what === 'merge'
        ? s('merged', { other: pair.other.name ?? s('noName'), keep: pair.keep.name ?? s('noName') })
        : s('dismissed');
    });

  return (
    <PagedSection
      id="dup"
      title={s('tabDuplicates')}
      intro={s('duplicatesIntro')}
      empty={s('noDuplicates')}
      list={list}
      listClass="dup-list"
      banner={pending > 0 && <p className="banner banner-warn">{s('pending', { count: String(pending) })}</p>}
      renderItem={(pair) => (
        <li key={pair.id} className="card dup-card" data-pair={pair.id}>
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
            <button type="button" className="btn btn-primary" disabled={list.busy} onClick={() => void act(pair, 'merge')}>
              {s('merge')}
            </button>
            <button type="button" className="btn" disabled={list.busy} onClick={() => void act(pair, 'dismiss')}>
              {s('notSame')}
            </button>
          </div>
        </li>
      )}
    />
  );
}
