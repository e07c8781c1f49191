// The agent console: header, conversation list, the open conversation and the customer panel.
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { Customer } from '../../../server/domain/types.js';
import type { Api, Session } from '../api';
import type { Locale } from '../i18n';
import { useAgentSocket } from '../hooks/useAgentSocket';
import { useConversationList } from '../hooks/useConversationList';
import { useOpenConversation } from '../hooks/useOpenConversation';
import { useCustomers } from '../hooks/useCustomers';
import { newer } from '../messages';
import { defaultTab, NO_FILTERS, tabsFor, type InboxQuery, type Viewer } from '../inbox/list-query';
import { useQueues } from '../inbox/useQueues';
import type { CustomerProfile } from '../customer/customer-api';
import { Header, type View } from './Header';
import { OfferPopup, type ScreenPop } from './OfferPopup';
import { ConversationList } from './ConversationList';
import { ShortcutsHelp } from './ShortcutsHelp';
import { ConversationPane } from './ConversationPane';
import { CustomerPanel } from './CustomerPanel';

// The board and the admin screens load when first opened: an agent's first screen is the inbox.
const SupervisorBoard = lazy(() => import('../board/SupervisorBoard').then((m) => ({ default: m.SupervisorBoard })));
const AdminScreens = lazy(() => import('../admin/AdminScreens').then((m) => ({ default: m.AdminScreens })));
const ReportsScreen = lazy(() => import('../reports/ReportsScreen').then((m) => ({ default: m.ReportsScreen })));
const CustomersScreen = lazy(() => import('../customers/CustomersScreen').then((m) => ({ default: m.CustomersScreen })));

interface Props {
  session: Session;
  api: Api;
  onExpired: () => void;
  onLogout: () => void;
  onLocale: (locale: Locale) => void;
}

export function Console({ session, api, onExpired, onLogout, onLocale }: Props) {
  const { socket, state, reconnects } = useAgentSocket(session.token, onExpired);
  const { id: myId, role } = session.user;
  const [query, setQuery] = useState<InboxQuery>(() => ({ tab: defaultTab(role), filters: NO_FILTERS, text: '', customerId: null }));
  const [customerFilterName, setCustomerFilterName] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(linkedConversation);
  const [view, setView] = useState<View>('inbox');
  // The customer panel: an offered conversation's customer first, then one picked by search, else the open one's.
  const [screenPop, setScreenPop] = useState<ScreenPop>(null);
  const [pinnedCustomerId, setPinnedCustomerId] = useState<string | null>(null);
  const [panelCustomer, setPanelCustomer] = useState<CustomerProfile | null>(null);

  const queues = useQueues(api, myId, reconnects);
  const viewer = useMemo<Viewer>(() => ({ id: myId, role, queueIds: queues.mine }), [myId, role, queues.mine]);
  const tabs = useMemo(() => tabsFor(role), [role]);

  const list = useConversationList(api, socket, viewer, query, selectedId, reconnects);
  const open = useOpenConversation(api, socket, selectedId, reconnects);
  // Names come with the list; only conversations that arrived live need their customer read.
  const unnamed = useMemo(() => list.conversations.filter((c) => !(c.customerId in list.names)), [list.conversations, list.names]);
  const customers = useCustomers(api, unnamed, open.customer, panelCustomer);

  useEffect(() => {
    document.title = list.unreadCount > 0 ? `(${list.unreadCount}) Omnidesk` : 'Omnidesk';
    return () => {
      document.title = 'Omnidesk';
    };
  }, [list.unreadCount]);

  // The list and the open view hear the same events; after a reconnect the list's copy is fresher.
  const listed = list.conversations.find((c) => c.id === selectedId);
  const conversation = open.conversation && listed ? newer(open.conversation, listed) : open.conversation;
  const openCustomerId = conversation?.customerId ?? listed?.customerId ?? null;
  const panelCustomerId = screenPop?.customerId ?? pinnedCustomerId ?? openCustomerId;
  const panelReason = screenPop ? 'screenPop' : pinnedCustomerId ? 'pinned' : 'open';

  const select = useCallback((id: string) => {
    setView('inbox');
    setPinnedCustomerId(null);
    setSelectedId(id);
  }, []);

  const pickCustomer = useCallback((customer: Customer) => {
    setPinnedCustomerId(customer.id);
    setCustomerFilterName(customer.name);
    setQuery((q) => ({ ...q, text: '', customerId: customer.id }));
  }, []);

  return (
    <div className="app">
      <Header
        view={view}
        onView={setView}
        api={api}
        socket={socket}
        user={session.user}
        connection={state}
        onLogout={onLogout}
        onLocale={onLocale}
      />
      <ShortcutsHelp />
      <OfferPopup
        api={api}
        socket={socket}
        userId={session.user.id}
        onScreenPop={setScreenPop}
        popCustomer={screenPop && panelCustomer?.id === screenPop.customerId ? panelCustomer : null}
        onAccepted={(id) => {
          // Accepted work is the agent's own: show it where it now lives.
          setQuery((q) => (q.tab === 'all' || q.tab === 'mine' ? q : { ...q, tab: 'mine' }));
          select(id);
        }}
      />
      <Suspense fallback={<p className="view-loading" role="status" aria-busy="true" />}>
        {view === 'board' && <SupervisorBoard api={api} socket={socket} me={session.user} />}
        {view === 'admin' && <AdminScreens api={api} me={session.user} />}
        {view === 'reports' && <ReportsScreen api={api} me={session.user} />}
        {view === 'customers' && <CustomersScreen api={api} />}
      </Suspense>
      <div className="workspace" hidden={view !== 'inbox'}>
        <ConversationList
          api={api}
          state={list}
          customers={customers}
          tabs={tabs}
          query={query}
          onQuery={setQuery}
          customerFilterName={customerFilterName}
          onPickCustomer={pickCustomer}
          queues={queues}
          selectedId={selectedId}
          openLast={open.messages.at(-1)}
          onSelect={select}
          me={session.user}
        />
        <ConversationPane api={api} socket={socket} me={session.user} open={open} conversation={conversation} customers={customers} />
        <CustomerPanel
          api={api}
          socket={socket}
          reconnects={reconnects}
          me={session.user}
          customerId={panelCustomerId}
          reason={panelReason}
          openConversationId={selectedId}
          onOpenConversation={select}
          onViewCustomer={setPinnedCustomerId}
          onBack={() => setPinnedCustomerId(null)}
          onCustomer={setPanelCustomer}
          onMerged={(fromId, toId) => {
            // Whatever showed the old profile shows the one it joined (the open conversation follows by itself).
            setScreenPop((pop) => (pop && pop.customerId === fromId ? { ...pop, customerId: toId } : pop));
            setPinnedCustomerId((pinned) => (pinned === fromId ? toId : pinned));
          }}
        />
      </div>
    </div>
  );
}

/**
 * A link into the console (`/?conversation=<id>`, as Slack posts carry) opens that conversation once;
 * the address is tidied so a reload does not open it again.
 */
function linkedConversation(): string | null {
  const url = new URL(window.location.href);
  const id = url.searchParams.get('conversation');
  if (!id) return null;
  url.searchParams.delete('conversation');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  return /^[\w-]{1,64}$/.test(id) ? id : null;
}
