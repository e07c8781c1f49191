// Every conversation of the customer on every channel, newest first. Each opens in place (its
// messages, read-only) and can be opened in the inbox.
import { useId, useState } from 'react';
import type { Conversation } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { CUSTOMER_STRINGS } from './strings';
import { Transcript } from './Transcript';

interface Props {
  api: Api;
  conversations: Conversation[];
  /** The conversation open in the main view, marked in the list. */
  openId: string | null;
  onOpen: (conversationId: string) => void;
}

export function CustomerHistory({ api, conversations, openId, onOpen }: Props) {
  const { t, time } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const id = useId();
  const [expanded, setExpanded] = useState<string | null>(null);
  return (
    <section className="panel-section history" aria-labelledby={`${id}-title`}>
      <div className="history-head">
        <h3 id={`${id}-title`}>{s('history')}</h3>
        <span className="history-count">
          {conversations.length === 1 ? s('historyOne') : s('historyCount', { n: String(conversations.length) })}
        </span>
      </div>
      {conversations.length === 0 ? (
        <p className="muted">{s('noHistory')}</p>
      ) : (
        <ol className="history-list">
          {conversations.map((c) => {
            const open = expanded === c.id;
            const transcriptId = `${id}-${c.id}`;
            const when = time(c.lastMessageAt);
            return (
              <li key={c.id} className={`history-item${c.id === openId ? ' is-current' : ''}`} data-conversation-id={c.id}>
                <button
                  type="button"
                  className="history-toggle"
                  aria-expanded={open}
                  aria-controls={open ? transcriptId : undefined}
                  onClick={() => setExpanded(open ? null : c.id)}
                >
                  <span className="history-line">
                    <span className="chip">{t(`channel_${c.channelKind}`)}</span>
                    <span className={`chip chip-status-${c.status}`}>{t(`conv_${c.status}`)}</span>
                    <time className="history-time" dateTime={new Date(c.lastMessageAt).toISOString()}>
                      {when}
                    </time>
                  </span>
                  {(c.subject || c.tags.length > 0 || c.id === openId) && (
                    <span className="history-line history-detail">
                      {c.subject && <span className="history-subject">{c.subject}</span>}
                      {c.tags.map((tag) => (
                        <span key={tag} className="tag-chip tag-chip-small">
                          {tag}
                        </span>
                      ))}
                      {c.id === openId && <span className="history-current">{s('openNow')}</span>}
                    </span>
                  )}
                  <span className="visually-hidden">{open ? s('hideTranscript') : s('showTranscript')}</span>
                </button>
                {open && (
                  <div className="history-open">
                    <Transcript api={api} conversationId={c.id} id={transcriptId} label={s('transcriptOf', { time: when })} />
                    {c.id !== openId && (
                      <button type="button" className="btn btn-small" onClick={() => onOpen(c.id)}>
                        {s('openInInbox')}
                      </button>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
