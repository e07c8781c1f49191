// The agent console: header, conversation list, the open conversation and the customer panel.
import { useEffect, useMemo, useState } from 'react';
import type { Api, AssigneeFilter, Session } from '../api';
import type { Locale } from '../i18n';
import { useAgentSocket } from '../hooks/useAgentSocket';
import { useConversationList } from '../hooks/useConversationList';
import { useOpenConversation } from '../hooks/useOpenConversation';
import { useCustomers } from '../hooks/useCustomers';
import { newer } from '../messages';
import { Header, type View } from './Header';
import { SupervisorBoard } from '../board/SupervisorBoard';
import { AdminScreens } from '../admin/AdminScreens';
import { OfferPopup } from './OfferPopup';
import { ConversationList } from './ConversationList';
import { ConversationPane } from './ConversationPane';
import { CustomerPanel } from './CustomerPanel';

interface Props {
  session: Session;
  api: Api;
  onExpired: () => void;
  onLogout: () => void;
  onLocale: (locale: Locale) => void;
}

export function Console({ session, api, onExpired, onLogout, onLocale }: Props) {
  const { socket, state, reconnects } = useAgentSocket(session.token, onExpired);
  const [filter, setFilter] = useState<AssigneeFilter>('all');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [view, setView] = useState<View>('inbox');
  const { id: myId, role } = session.user;
  const me = useMemo(() => ({ id: myId, role }), [myId, role]);

  const list = useConversationList(api, socket, me, filter, selectedId, reconnects);
  const open = useOpenConversation(api, socket, selectedId, reconnects);
  // Names come with the list; only conversations that arrived live need their customer read.
  const unnamed = useMemo(() => list.conversations.filter((c) => !(c.customerId in list.names)), [list.conversations, list.names]);
  const customers = useCustomers(api, unnamed, open.customer);

  useEffect(() => {
    document.title = list.unread.size > 0 ? `(${list.unread.size}) Omnidesk` : 'Omnidesk';
    return () => {
      document.title = 'Omnidesk';
    };
  }, [list.unread.size]);

  // The list and the open view hear the same events; after a reconnect the list's copy is fresher.
  const listed = list.conversations.find((c) => c.id === selectedId);
  const conversation = open.conversation && listed ? newer(open.conversation, listed) : open.conversation;

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
      <OfferPopup
        api={api}
        socket={socket}
        userId={session.user.id}
        onAccepted={(id) => {
          setView('inbox');
          setSelectedId(id);
        }}
      />
      {view === 'board' && <SupervisorBoard api={api} socket={socket} me={session.user} />}
      {view === 'admin' && <AdminScreens api={api} me={session.user} />}
      <div className="workspace" hidden={view !== 'inbox'}>
        <ConversationList
          state={list}
          customers={customers}
          filter={filter}
          onFilter={setFilter}
          selectedId={selectedId}
          openLast={open.messages.at(-1)}
          onSelect={setSelectedId}
          me={session.user}
        />
        <ConversationPane api={api} socket={socket} me={session.user} open={open} conversation={conversation} customers={customers} />
        <CustomerPanel customer={open.customer} />
      </div>
    </div>
  );
}
