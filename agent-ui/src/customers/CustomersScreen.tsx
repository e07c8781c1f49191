// The Customers screen (supervisors and admins): suggested duplicates to merge or dismiss, the merge
// history with undo, and CSV import and export. The API has the last word on every change.
import { useMemo, useState, type KeyboardEvent } from 'react';
import type { Api } from '../api';
import { useStrings } from '../i18n';
import { customersApi } from './customers-api';
import { CsvSection } from './CsvSection';
import { DuplicatesSection } from './DuplicatesSection';
import { MergesSection } from './MergesSection';
import { CUSTOMERS_STRINGS } from './strings';
import './customers.css';

const TABS = ['duplicates', 'merges', 'csv'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS = { duplicates: 'tabDuplicates', merges: 'tabMerges', csv: 'tabCsv' } as const;

export function CustomersScreen({ api }: { api: Api }) {
  const s = useStrings(CUSTOMERS_STRINGS);
  const calls = useMemo(() => customersApi(api), [api]);
  const [tab, setTab] = useState<Tab>('duplicates');
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length]!;
    setTab(next);
    document.getElementById(`customers-tab-${next}`)?.focus();
  };
  return (
    <main className="screen" aria-labelledby="customers-title">
      <div className="screen-top">
        <h1 id="customers-title">{s('title')}</h1>
        <div className="tabs" role="tablist" aria-label={s('sections')} onKeyDown={onKey}>
          {TABS.map((t) => (
            <button
              key={t}
              id={`customers-tab-${t}`}
              type="button"
              role="tab"
              aria-selected={tab === t}
              aria-controls="customers-panel"
              tabIndex={tab === t ? 0 : -1}
              onClick={() => setTab(t)}
            >
              {s(TAB_LABELS[t])}
            </button>
          ))}
        </div>
      </div>
      <div className="customers-panel" id="customers-panel" role="tabpanel" aria-labelledby={`customers-tab-${tab}`}>
        {tab === 'duplicates' && <DuplicatesSection calls={calls} />}
        {tab === 'merges' && <MergesSection calls={calls} />}
        {tab === 'csv' && <CsvSection calls={calls} />}
      </div>
    </main>
  );
}
