// Canned responses: search the list, add, change and delete. Supervisors and admins edit; the API decides.
import { useState } from 'react';
import type { User } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { upsert, type AdminApi, type CannedResponse } from './admin-api';
import { CannedResponseForm, DEFAULT_PLACEHOLDERS } from './CannedResponseForm';
import { ConfirmButton, ErrorBanner, Notice, useSubmit } from './form-kit';
import { ListItem, SectionLayout } from './SectionLayout';
import { ADMIN_STRINGS } from './strings';
import { useLoaded } from './useLoaded';

interface Props {
  admin: AdminApi;
  me: User;
  canEdit: boolean;
}

const matches = (c: CannedResponse, needle: string) => `${c.shortcut} ${c.title} ${c.body}`.toLowerCase().includes(needle);

export function CannedResponsesSection({ admin, me, canEdit }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const loaded = useLoaded(async () => {
    const r = await admin.cannedResponses();
    return { items: r.cannedResponses, placeholders: r.placeholders ?? DEFAULT_PLACEHOLDERS };
  });
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const [query, setQuery] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const removal = useSubmit();
  const items = loaded.data?.items ?? [];
  const placeholders = loaded.data?.placeholders ?? DEFAULT_PLACEHOLDERS;
  const item = items.find((c) => c.id === selected) ?? null;
  const needle = query.trim().toLowerCase();
  const shown = (needle ? items.filter((c) => matches(c, needle)) : items).toSorted((a, b) => a.shortcut.localeCompare(b.shortcut));

  const select = (id: string | 'new' | null) => {
    setSelected(id);
    setNotice(null);
    removal.reset();
  };
  const saved = (c: CannedResponse, message: string) => {
    loaded.set((d) => ({ ...d, items: upsert(d.items, c) }));
    setSelected(c.id);
    setNotice(message);
  };
  const remove = async (c: CannedResponse) => {
    const done = await removal.run(async () => {
      await admin.deleteCannedResponse(c.id);
      return true;
    });
    if (!done) return;
    loaded.set((d) => ({ ...d, items: d.items.filter((x) => x.id !== c.id) }));
    select(null);
    setNotice(s('cannedDeleted', { name: c.title }));
  };

  return (
    <SectionLayout
      title={s('cannedResponses')}
      loading={loaded.data === null && !loaded.error}
      error={loaded.error}
      newLabel={canEdit ? s('addCanned') : null}
      onNew={() => select('new')}
      tools={
        <div className="admin-search">
          <input
            type="search"
            aria-label={s('searchCanned')}
            placeholder={s('searchCanned')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
      }
      list={shown.map((c) => (
        <ListItem key={c.id} selected={c.id === selected} onSelect={() => select(c.id)} title={c.title}>
          <span className="item-line">
            <code className="shortcut">/{c.shortcut}</code>
            {c.locale && <span className="chip">{c.locale === 'th' ? s('languageTh') : s('languageEn')}</span>}
          </span>
          <span className="item-line muted item-clamp">{c.body}</span>
        </ListItem>
      ))}
      empty={needle ? s('noMatches') : s('noCanned')}
    >
      {selected === null && notice && <Notice text={notice} />}
      {selected === 'new' && (
        <div className="admin-detail-inner">
          <h2 className="detail-title">{s('newCanned')}</h2>
          <CannedResponseForm
            key="new"
            admin={admin}
            me={me}
            item={null}
            placeholders={placeholders}
            canEdit={canEdit}
            onSaved={(c) => saved(c, s('cannedCreated', { name: c.title }))}
            onCancel={() => select(null)}
          />
        </div>
      )}
      {item && (
        <div className="admin-detail-inner" key={item.id}>
          <div className="detail-head">
            <h2 className="detail-title">{item.title}</h2>
            {canEdit && (
              <ConfirmButton
                label={s('deleteCanned')}
                confirm={s('confirmDeleteCanned', { name: item.title })}
                disabled={removal.busy}
                onConfirm={() => void remove(item)}
              />
            )}
          </div>
          <ErrorBanner error={removal.error} />
          <Notice text={notice} />
          <CannedResponseForm
            admin={admin}
            me={me}
            item={item}
            placeholders={placeholders}
            canEdit={canEdit}
            onSaved={(c) => saved(c, s('cannedSaved', { name: c.title }))}
          />
        </div>
      )}
      {selected === null && !notice && items.length > 0 && <p className="detail-empty muted">{s('selectCanned')}</p>}
    </SectionLayout>
  );
}
