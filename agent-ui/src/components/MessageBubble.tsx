import type { Message } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import { FileAttachment, ImageAttachment } from './Attachment';

export function MessageBubble({ api, message: m }: { api: Api; message: Message }) {
  const { t, time } = useI18n();
  const side = m.direction === 'inbound' ? 'inbound' : 'outbound';
  const kind = m.private ? 'note' : side;
  return (
    <article className={`message message-${side}`} data-message-id={m.id} data-status={m.status}>
      <div className={`bubble bubble-${kind}`}>
        {m.private && <div className="note-label">{t('internalNote')}</div>}
        {m.parts.map((part, i) => {
          switch (part.type) {
            case 'text':
              return (
                <p key={i} className="bubble-text">
                  {part.text}
                </p>
              );
            case 'image':
              return <ImageAttachment key={i} api={api} part={part} />;
            case 'file':
              return <FileAttachment key={i} api={api} part={part} />;
          }
        })}
      </div>
      <div className="message-meta">
        <time dateTime={new Date(m.createdAt).toISOString()}>{time(m.createdAt)}</time>
        {side === 'outbound' && !m.private && (
          <span className={`delivery delivery-${m.status}`} data-delivery={m.status}>
            {t(`status_${m.status}`)}
            {m.status === 'failed' && m.errorMessage && <span className="delivery-error">: {m.errorMessage}</span>}
          </span>
        )}
      </div>
    </article>
  );
}
