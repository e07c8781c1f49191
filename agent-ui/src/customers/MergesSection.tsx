// Every merge, newest first, with who did it and what moved; Undo (supervisors) gives the merged profile
// back everything it brought. A refusal (a later merge to undo first) is shown in the API's words.
import { useCallback, useEffect, useState } from 'react';
import { useI18n, useStrings } from '../i18n';
import type { CustomersApi, MergeSummary } from './customers-api';
import { errorText, when } from './format';
import { CUSTOMERS_STRINGS } from './strings';

export function MergesSection({ calls }: { calls: CustomersApi }) {
  const s = useStrings(CUSTOMERS_STRINGS);
  const { locale } = useI18n();
  const [items, setItems] = useState<MergeSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);

  const load = useCallback(
    async (after?: string | null) => {
      try {
        const page = await calls.merges(after);
        setItems((list) => (after ? [...(list ?? []), ...page.merges] : page.merges));
        setCursor(page.nextCursor);
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

  const undo = async (m: MergeSummary) => {
    setBusy(m.id);
    try {
      await calls.undo(m.id);
      setNotice({ text: s('undoneNow', { source: m.source.name ?? s('noName') }) });
      await load();
    } catch (err) {
      setNotice({ text: s('failed', { error: errorText(err) }), error: true });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="customers-section" aria-labelledby="merges-title">
      <h2 id="merges-title" className="visually-hidden">
        {s('tabMerges')}
      </h2>
      <p className="muted section-intro">{s('mergesIntro')}</p>
      {notice && (
        <p className={`banner${notice.error ? ' banner-error' : ''}`} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {items === null ? (
        <p className="muted" role="status" aria-busy="true">
          {s('loading')}
        </p>
      ) : items.length === 0 ? (
        <p className="list-empty">{s('noMerges')}</p>
      ) : (
        <ul className="merge-list" aria-label={s('tabMerges')}>
          {items.map((m) => (
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
                <button type="button" className="btn" disabled={busy !== null} onClick={() => void undo(m)}>
                  {s('undo')}
                </button>
              )}
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
