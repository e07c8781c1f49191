// Every merge, newest first, with who did it and what moved; Undo (supervisors) gives the merged profile
// back everything it brought. A refusal (a later merge to undo first) is shown in the API's words.
import { useI18n, useStrings } from '../i18n';
import type { CustomersApi, MergeSummary } from './customers-api';
import { when } from './format';
import { PagedSection } from './PagedSection';
import { CUSTOMERS_STRINGS } from './strings';
import { usePagedList } from './usePagedList';

export function MergesSection({ calls }: { calls: CustomersApi }) {
  const s = useStrings(CUSTOMERS_STRINGS);
  const { locale } = useI18n();
  const list = usePagedList(calls.merges, (page) => page.merges);

  const undo = (m: MergeSummary) =>
    list.act(async () => {
      await calls.undo(m.id);
      return s('undoneNow', { source: m.source.name ?? s('noName') });
    });

  return (
    <PagedSection
      id="merges"
      title={s('tabMerges')}
      intro={s('mergesIntro')}
      empty={s('noMerges')}
      list={list}
      listClass="merge-list"
      renderItem={(m) => (
        <li key={m.id} className={`merge-row${m.undoneAt ? ' merge-undone' : ''}`} data-merge={m.id}>
          <div>
            <strong>{s('mergedInto', { source: m.source.name ?? s('noName'), keep: m.target.name ?? s('noName') })}</strong>
            <div className="muted">
              {s('mergedBy', { name: m.mergedBy?.name ?? '—', when: when(m.createdAt, locale) })} ·{' '}
              {s('movedCounts', {
                identities: String(m.moved.identities),
                conversations: String(m.moved.conversations),
                consents: String(m.moved.consents),
              })}
            </div>
          </div>
          {m.undoneAt ? (
            <span className="chip">{s('undone', { when: when(m.undoneAt, locale), name: m.undoneBy?.name ?? '—' })}</span>
          ) : (
            <button type="button" className="btn" disabled={list.busy} onClick={() => void undo(m)}>
              {s('undo')}
            </button>
          )}
        </li>
      )}
    />
  );
}
