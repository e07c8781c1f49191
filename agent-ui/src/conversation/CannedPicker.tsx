// The canned response picker the composer opens when the message starts with "/". The composer keeps
// the focus in its text box and drives the list with the arrow keys (aria-activedescendant).
import { useEffect, useState } from 'react';
import type { Api } from '../api';
import { useStrings } from '../i18n';
import { cannedResponses, type CannedResponse } from './conversation-api';
import { CONVERSATION_STRINGS } from './strings';

const SEARCH_DELAY_MS = 120;

export interface CannedSearch {
  results: CannedResponse[];
  loading: boolean;
  error: string | null;
}

/** Canned responses matching `query` while `open`; those in the customer's language first. */
export function useCannedSearch(api: Api, open: boolean, query: string, customerLocale: string | null): CannedSearch {
  const [state, setState] = useState<CannedSearch>({ results: [], loading: false, error: null });
  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      cannedResponses(api, query).then(
        (found) => {
          if (cancelled) return;
          const base = customerLocale?.slice(0, 2).toLowerCase();
          const rank = (c: CannedResponse) => (c.locale === base ? 0 : c.locale === null ? 1 : 2);
          setState({ results: [...found].sort((a, b) => rank(a) - rank(b)), loading: false, error: null });
        },
        (err: unknown) => !cancelled && setState({ results: [], loading: false, error: err instanceof Error ? err.message : String(err) }),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, open, query, customerLocale]);
  return state;
}

interface Props {
  id: string;
  query: string;
  search: CannedSearch;
  active: number;
  onHover: (index: number) => void;
  onChoose: (canned: CannedResponse) => void;
}

export const optionId = (listId: string, index: number) => `${listId}-option-${index}`;

export function CannedPicker({ id, query, search, active, onHover, onChoose }: Props) {
  const s = useStrings(CONVERSATION_STRINGS);
  return (
    <div className="canned-picker">
      <div className="canned-head">
        <span className="canned-title">{s('cannedTitle')}</span>
        <span className="canned-hint">{s('cannedHint')}</span>
      </div>
      <ul id={id} role="listbox" aria-label={s('cannedTitle')} className="canned-list">
        {search.results.map((c, i) => (
          <li
            key={c.id}
            id={optionId(id, i)}
            role="option"
            aria-selected={i === active}
            className="canned-option"
            // mousedown, not click: the text box must keep the focus
            onMouseDown={(e) => {
              e.preventDefault();
              onChoose(c);
            }}
            onMouseEnter={() => onHover(i)}
          >
            <span className="canned-option-top">
              <span className="canned-option-title">{c.title}</span>
              <span className="canned-shortcut">/{c.shortcut}</span>
              {c.locale && <span className="chip">{c.locale.toUpperCase()}</span>}
            </span>
            <span className="canned-body">{c.body}</span>
          </li>
        ))}
      </ul>
      {search.results.length === 0 && (
        <p className="canned-empty" role="status">
          {search.error ? s('cannedFailed', { error: search.error }) : search.loading ? s('cannedLoading') : s('cannedNone', { q: query })}
        </p>
      )}
    </div>
  );
}
