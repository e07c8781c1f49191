// A past conversation's messages, read-only, inside the customer panel.
import { useEffect, useMemo, useState } from 'react';
import type { Message } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { customerApi } from './customer-api';
import { CUSTOMER_STRINGS } from './strings';

export function Transcript({ api, conversationId, label, id }: { api: Api; conversationId: string; label: string; id: string }) {
  const { t, time } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const customers = useMemo(() => customerApi(api), [api]);
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    customers.messages(conversationId).then(
      (page) => !cancelled && setMessages(page.messages),
      (err: unknown) => !cancelled && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [customers, conversationId]);

  return (
    <div id={id} className="transcript" role="log" aria-label={label} aria-busy={messages === null && !error}>
      {error ? (
        <p className="banner banner-error">{error}</p>
      ) : messages === null ? (
        <p className="muted">{s('loadingMessages')}</p>
      ) : messages.length === 0 ? (
        <p className="muted">{s('noMessages')}</p>
      ) : (
        messages.map((m) => (
          <div key={m.id} className={`transcript-line from-${m.senderType}${m.private ? ' is-note' : ''}`}>
            <div className="transcript-meta">
              <span>{m.private ? t('internalNote') : s(`from_${m.senderType}`)}</span>
              <time dateTime={new Date(m.createdAt).toISOString()}>{time(m.createdAt)}</time>
            </div>
            {m.text.trim() && <p className="transcript-text">{m.text}</p>}
            {m.parts.map(
              (p, i) =>
                (p.type === 'image' || p.type === 'file') && (
                  <p key={i} className="transcript-file">
                    {s('attachmentLine', { name: p.filename })}
                  </p>
                ),
            )}
          </div>
        ))
      )}
    </div>
  );
}
