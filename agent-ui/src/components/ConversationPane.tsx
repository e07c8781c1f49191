import { useEffect, useRef, useState } from 'react';
import type { Conversation, User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import type { OpenConversation } from '../hooks/useOpenConversation';
import { displayName, type CustomerDirectory } from '../hooks/useCustomers';
import type { AgentSocket } from '../socket';
import { MessageBubble } from './MessageBubble';
import { Composer } from './Composer';

interface Props {
  api: Api;
  socket: AgentSocket | null;
  me: User;
  open: OpenConversation;
  conversation: Conversation | null;
  customers: CustomerDirectory;
}

export function ConversationPane({ api, socket, me, open, conversation, customers }: Props) {
  const { t } = useI18n();
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const lastId = open.messages.at(-1)?.id;

  useEffect(() => setActionError(null), [conversation?.id]);
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lastId, open.customerTyping]);

  if (!conversation) {
    return (
      <main className="pane pane-empty">
        <p>{open.error ?? (open.loading ? t('loading') : t('selectConversation'))}</p>
      </main>
    );
  }

  const act = async (work: () => Promise<{ conversation: Conversation }>) => {
    setBusy(true);
    setActionError(null);
    try {
      open.setConversation((await work()).conversation);
    } catch (err) {
      setActionError(t('actionFailed', { error: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  const name = displayName(customers.get(conversation.customerId), conversation.customerId, t('visitor'));
  const resolved = conversation.status === 'resolved';
  return (
    <main className="pane" aria-label={name}>
      <div className="pane-header">
        <div className="pane-title">
          <h2>{name}</h2>
          <div className="pane-subtitle">
            <span className="chip">{t(`channel_${conversation.channelKind}`)}</span>
            <span className={`chip chip-status-${conversation.status}`}>{t(`conv_${conversation.status}`)}</span>
            <span className="muted">
              {conversation.assigneeId === null
                ? t('unassigned')
                : conversation.assigneeId === me.id
                  ? t('assignedToYou')
                  : t('assignedToOther')}
            </span>
          </div>
        </div>
        <div className="pane-actions">
          {conversation.assigneeId !== me.id && (
            <button type="button" className="btn" disabled={busy} onClick={() => act(() => api.assign(conversation.id, me.id))}>
              {t('assignToMe')}
            </button>
          )}
          <button
            type="button"
            className={resolved ? 'btn' : 'btn btn-success'}
            disabled={busy}
            onClick={() => act(() => api.setStatus(conversation.id, resolved ? 'open' : 'resolved'))}
          >
            {resolved ? t('reopen') : t('resolve')}
          </button>
        </div>
      </div>
      {actionError && (
        <p className="banner banner-error pane-note" role="alert">
          {actionError}
        </p>
      )}
      <div className="messages" ref={scroller} aria-live="polite">
        {open.messages.map((m) => (
          <MessageBubble key={m.id} api={api} message={m} />
        ))}
        {open.customerTyping && <p className="typing">{t('customerTyping')}</p>}
      </div>
      <Composer key={conversation.id} api={api} socket={socket} conversationId={conversation.id} onSent={open.addMessages} />
    </main>
  );
}
