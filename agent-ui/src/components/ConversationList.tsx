import type { Message, User } from '../../../server/domain/types.js';
import type { AssigneeFilter } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import type { ConversationListState } from '../hooks/useConversationList';
import { displayName, type CustomerDirectory } from '../hooks/useCustomers';
import { previewOf } from '../messages';
import { Avatar } from './Avatar';

interface Props {
  state: ConversationListState;
  customers: CustomerDirectory;
  filter: AssigneeFilter;
  onFilter: (filter: AssigneeFilter) => void;
  selectedId: string | null;
  /** The open conversation's newest message: a preview before any live message arrives. */
  openLast: Message | undefined;
  onSelect: (id: string) => void;
  me: User;
}

const TABS: [AssigneeFilter, MessageKey][] = [
  ['me', 'tabMine'],
  ['none', 'tabUnassigned'],
  ['all', 'tabAll'],
];

export function ConversationList({ state, customers, filter, onFilter, selectedId, openLast, onSelect, me }: Props) {
  const { t, time } = useI18n();
  return (
    <nav className="list-column" aria-label={t('conversations')}>
      <div className="list-header">
        <h2>{t('conversations')}</h2>
        <div className="tabs" role="tablist">
          {TABS.map(([value, label]) => (
            <button key={value} type="button" role="tab" aria-selected={filter === value} onClick={() => onFilter(value)}>
              {t(label)}
            </button>
          ))}
        </div>
      </div>
      {state.error && <p className="banner banner-error list-note">{state.error}</p>}
      {state.conversations.length === 0 && !state.error && (
        <p className="list-empty">{state.loading ? t('loading') : t('noConversations')}</p>
      )}
      <ul className="conversation-list">
        {state.conversations.map((c) => {
          const name = displayName(customers.get(c.customerId) ?? { name: state.names[c.customerId] ?? null }, c.customerId, t('visitor'));
          const last = state.lastMessages[c.id] ?? (openLast?.conversationId === c.id ? openLast : undefined);
          const preview = last ? previewOf(last, t) : c.subject;
          const unread = state.unread.has(c.id);
          return (
            <li key={c.id}>
              <button
                type="button"
                className={`conversation-item${c.id === selectedId ? ' selected' : ''}${unread ? ' unread' : ''}`}
                aria-current={c.id === selectedId ? 'true' : undefined}
                data-conversation-id={c.id}
                onClick={() => onSelect(c.id)}
              >
                <Avatar name={name} />
                <span className="item-body">
                  <span className="item-top">
                    <span className="item-name">{name}</span>
                    <time className="item-time" dateTime={new Date(c.lastMessageAt).toISOString()}>
                      {time(c.lastMessageAt)}
                    </time>
                  </span>
                  {preview && <span className="item-preview">{preview}</span>}
                  <span className="item-meta">
                    <span className="chip">{t(`channel_${c.channelKind}`)}</span>
                    {c.status === 'pending' && <span className="chip chip-warn">{t('conv_pending')}</span>}
                    <span className="item-assignee">
                      {c.assigneeId === null ? t('unassigned') : c.assigneeId === me.id ? t('you') : t('assignedToOther')}
                    </span>
                  </span>
                </span>
                {unread && <span className="unread-dot" aria-label={t('unread')} />}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
