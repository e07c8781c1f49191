// The console's admin screens: users and roles, queues and skills, channel accounts, canned
// responses. Admins change everything; supervisors read (and edit canned responses); the API has
// the last word on every change.
import { useMemo, useState, type KeyboardEvent } from 'react';
import type { User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useStrings } from '../i18n';
import { adminApi } from './admin-api';
import { CannedResponsesSection } from './CannedResponsesSection';
import { CampaignsSection } from './CampaignsSection';
import { CsatSection } from './CsatSection';
import { AttributesSection } from '../crm/AttributesSection';
import { SegmentsSection } from '../crm/SegmentsSection';
import { TiersSection } from '../crm/TiersSection';
import { VALUE_STRINGS } from '../crm/value-strings';
import { ChannelAccountsSection } from './ChannelAccountsSection';
import { QueuesSection } from './QueuesSection';
import { ADMIN_STRINGS } from './strings';
import { UsersSection } from './UsersSection';
import './admin.css';

const TABS = ['users', 'queues', 'channels', 'canned', 'campaigns', 'csat', 'attributes', 'tiers', 'segments'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS = {
  users: 'tabUsers',
  queues: 'tabQueues',
  channels: 'tabChannels',
  canned: 'tabCanned',
  campaigns: 'tabCampaigns',
  csat: 'tabCsat',
} as const;
/** The CRM value tabs' labels live with their screens (crm/value-strings.ts). */
const VALUE_TAB_LABELS = { attributes: 'tabAttributes', tiers: 'tabValue', segments: 'tabSegments' } as const;
const SAVED_TAB = 'omnidesk.adminTab';

const savedTab = (): Tab => {
  const saved = sessionStorage.getItem(SAVED_TAB);
  return TABS.find((t) => t === saved) ?? 'users';
};

export function AdminScreens({ api, me }: { api: Api; me: User }) {
  const s = useStrings(ADMIN_STRINGS);
  const v = useStrings(VALUE_STRINGS);
  const admin = useMemo(() => adminApi(api), [api]);
  const [tab, setTab] = useState<Tab>(savedTab);
  const isAdmin = me.role === 'admin';
  const canEditCanned = isAdmin || me.role === 'supervisor';

  const choose = (next: Tab) => {
    setTab(next);
    sessionStorage.setItem(SAVED_TAB, next);
  };
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern); focus follows the selection.
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length]!;
    choose(next);
    document.getElementById(`admin-tab-${next}`)?.focus();
  };

  return (
    <main className="screen admin" aria-labelledby="admin-title">
      <div className="screen-top admin-top">
        <h1 id="admin-title">{s('adminTitle')}</h1>
        {!isAdmin && <span className="chip chip-warn">{s('readOnly')}</span>}
        <div className="tabs admin-tabs" role="tablist" aria-label={s('adminSections')} onKeyDown={onKey}>
          {TABS.map((t) => (
            <button
              key={t}
              id={`admin-tab-${t}`}
              type="button"
              role="tab"
              aria-selected={tab === t}
              aria-controls="admin-panel"
              tabIndex={tab === t ? 0 : -1}
              onClick={() => choose(t)}
            >
              {t in VALUE_TAB_LABELS
                ? v(VALUE_TAB_LABELS[t as keyof typeof VALUE_TAB_LABELS])
                : s(TAB_LABELS[t as keyof typeof TAB_LABELS])}
            </button>
          ))}
        </div>
      </div>
      <div className="admin-panel" id="admin-panel" role="tabpanel" aria-labelledby={`admin-tab-${tab}`}>
        {tab === 'users' && <UsersSection admin={admin} me={me} canEdit={isAdmin} />}
        {tab === 'queues' && <QueuesSection admin={admin} canEdit={isAdmin} />}
        {tab === 'channels' && <ChannelAccountsSection admin={admin} canEdit={isAdmin} />}
        {tab === 'canned' && <CannedResponsesSection admin={admin} me={me} canEdit={canEditCanned} />}
        {tab === 'campaigns' && <CampaignsSection api={api} canEdit={isAdmin} />}
        {tab === 'csat' && <CsatSection api={api} canEdit={isAdmin} />}
        {tab === 'attributes' && <AttributesSection api={api} canEdit={isAdmin} />}
        {tab === 'tiers' && <TiersSection api={api} canEdit={isAdmin} />}
        {tab === 'segments' && <SegmentsSection api={api} />}
      </div>
    </main>
  );
}
