// The left column: search, the inbox lists as tabs (with unread counts), filters, and the
// conversations of the chosen list with "load more" at the end.
import { useId, useMemo } from 'react';
import type { Customer, Message, User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import type { ConversationListState } from '../hooks/useConversationList';
import { displayName, type CustomerDirectory } from '../hooks/useCustomers';
import { previewOf } from '../messages';
import { activeFilterCount, type InboxQuery, type InboxTab } from '../inbox/list-query';
import type { InboxQueues } from '../inbox/useQueues';
import { InboxTabs } from '../inbox/InboxTabs';
import { InboxSearch } from '../inbox/InboxSearch';
import { InboxFilters } from '../inbox/InboxFilters';
import { CustomerMatches } from '../inbox/CustomerMatches';
import { INBOX_STRINGS } from '../inbox/strings';
import { Avatar } from './Avatar';
import '../inbox/inbox.css';

interface Props {
  api: Api;
  state: ConversationListState;
  customers: CustomerDirectory;
  tabs: InboxTab[];
  query: InboxQuery;
  onQuery: (query: InboxQuery) => void;
  /** The name of the customer the list is narrowed to (query.customerId). */
  customerFilterName: string | null;
  onPickCustomer: (customer: Customer) => void;
  queues: InboxQueues;
  selectedId: string | null;
  /** The open conversation's newest message: a preview before any live message arrives. */
  openLast: Message | undefined;
  onSelect: (id: string) => void;
  me: User;
}

export function ConversationList(props: Props) {
  const { state, customers, query, onQuery, selectedId, openLast, onSelect, me } = props;
  const { t, time } = useI18n();
  const s = useStrings(INBOX_STRINGS);
  const listId = useId();
  const knownTags = useMemo(() => [...new Set(state.conversations.flatMap((c) => c.tags))].sort(), [state.conversations]);
  const queueNames = useMemo(() => new Map(props.queues.all.map((q) => [q.id, q.name])), [props.queues.all]);
  const filtered = activeFilterCount(query.filters) > 0 || query.text !== '' || query.customerId !== null;
  const noQueues = query.tab === 'queues' && props.queues.mine?.length === 0;

  const empty = noQueues ? s('noQueues') : state.loading ? t('loading') : filtered ? s('noMatches') : t('noConversations');

  return (
    <nav className="list-column inbox" aria-label={t('conversations')}>
      <div className="list-header inbox-header">
        <h2>{t('conversations')}</h2>
        <InboxSearch value={query.text} onSearch={(text) => onQuery({ ...query, text })} />
        <InboxTabs
          tabs={props.tabs}
          value={query.tab}
          unread={state.unreadByTab}
          controls={listId}
          onChange={(tab) => onQuery({ ...query, tab })}
        />
        <InboxFilters
          filters={query.filters}
          queues={props.queues.all}
          knownTags={knownTags}
          onChange={(filters) => onQuery({ ...query, filters })}
        />
        {query.customerId && (
          <p className="inbox-scope">
            <span className="chip chip-scope">{s('onlyCustomer', { name: props.customerFilterName ?? t('visitor') })}</span>
            <button
              type="button"
              className="btn btn-small btn-quiet icon-button"
              aria-label={s('stopOnlyCustomer', { name: props.customerFilterName ?? t('visitor') })}
              onClick={() => onQuery({ ...query, customerId: null })}
            >
              ×
            </button>
          </p>
        )}
      </div>
      <div className="inbox-scroll" aria-busy={state.loading}>
        {state.loading && <div className="inbox-progress" aria-hidden="true" />}
        {query.text && <CustomerMatches api={props.api} text={query.text} onPick={props.onPickCustomer} />}
        {query.text && <p className="inbox-caption">{s('messagesMatching', { q: query.text })}</p>}
        {state.error && <p className="banner banner-error list-note">{state.error}</p>}
        {state.conversations.length === 0 && !state.error && <p className="list-empty">{empty}</p>}
        <ul id={listId} className={`conversation-list${state.loading ? ' is-stale' : ''}`} role="list">
          {state.conversations.map((c) => {
            const name = displayName(
              customers.get(c.customerId) ?? { name: state.names[c.customerId] ?? null },
              c.customerId,
              t('visitor'),
            );
            const last = state.lastMessages[c.id] ?? (openLast?.conversationId === c.id ? openLast : undefined);
            const preview = last ? previewOf(last, t) : c.subject;
            const unread = state.unread.has(c.id);
            const queue = c.queueId ? queueNames.get(c.queueId) : undefined;
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
                    <span className="item-preview">{preview || '\u00a0'}</span>
                    <span className="item-meta">
                      <span className="chip">{t(`channel_${c.channelKind}`)}</span>
                      {c.status !== 'open' && <span className={`chip chip-status-${c.status}`}>{t(`conv_${c.status}`)}</span>}
                      {c.priority > 0 && (
                        <span className="chip chip-priority" title={s('priorityLong', { n: String(c.priority) })}>
                          {s('priorityChip', { n: String(c.priority) })}
                        </span>
                      )}
                      {queue && <span className="chip chip-queue">{queue}</span>}
                      {c.tags.slice(0, 2).map((tag) => (
                        <span key={tag} className="chip chip-tag">
                          {s('tagChip', { tag })}
                        </span>
                      ))}
                      {/* Mine, My queues and Unassigned say whose it is already. */}
                      {query.tab === 'all' && (
                        <span className="item-assignee">
                          {c.assigneeId === null ? t('unassigned') : c.assigneeId === me.id ? t('you') : t('assignedToOther')}
                        </span>
                      )}
                    </span>
                  </span>
                  {unread && <span className="unread-dot" aria-label={t('unread')} />}
                </button>
              </li>
            );
          })}
        </ul>
        {state.hasMore && !state.loading && (
          <div className="load-more">
            <button type="button" className="btn btn-small" onClick={state.loadMore} disabled={state.loadingMore}>
              {state.loadingMore ? s('loadingMore') : s('loadMore')}
            </button>
          </div>
        )}
      </div>
    </nav>
  );
}
