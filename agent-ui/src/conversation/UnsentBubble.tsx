// A reply or note the server has not stored yet: "sending…", or "not sent" with Retry, Edit (back into
// the composer) and Discard. It never disappears on its own unless the server has it.
import type { MessagePart } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import type { UnsentMessage } from '../session';
import { MessageParts } from '../components/MessageBubble';
import { CONVERSATION_STRINGS } from './strings';

interface Props {
  api: Api;
  message: UnsentMessage;
  onRetry: () => void;
  onEdit: () => void;
  onDiscard: () => void;
}

export function UnsentBubble({ api, message: m, onRetry, onEdit, onDiscard }: Props) {
  const { t } = useI18n();
  const s = useStrings(CONVERSATION_STRINGS);
  const parts: MessagePart[] = [
    ...(m.text.trim() ? [{ type: 'text' as const, text: m.text }] : []),
    ...m.attachments.map((a) => ({
      type: a.contentType.startsWith('image/') ? ('image' as const) : ('file' as const),
      attachmentId: a.id,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
    })),
  ];
  const failed = m.state === 'failed';
  const note = m.mode === 'note';
  return (
    <article className={`message message-outbound message-unsent${note ? ' message-note' : ''}`} data-unsent={m.state}>
      <div className="message-sender">{s('fromYou')}</div>
      <div className={`bubble bubble-${note ? 'note' : 'outbound'}${failed ? ' bubble-failed' : ' bubble-sending'}`}>
        {note && (
          <div className="note-label">
            <span aria-hidden="true">🔒 </span>
            {t('internalNote')}
          </div>
        )}
        <MessageParts api={api} parts={parts} />
      </div>
      <div className="message-meta">
        {failed ? (
          <span className="unsent-failed" role="alert">
            <span className="delivery-icon" aria-hidden="true">
              !
            </span>
            {m.error === null ? s('notSentOffline') : s('notSentError', { error: m.error })}
          </span>
        ) : (
          <span className="unsent-sending">{s('sending')}</span>
        )}
        {failed && (
          <span className="unsent-actions">
            <button type="button" className="conv-link" onClick={onRetry}>
              {s('retry')}
            </button>
            <button type="button" className="conv-link" onClick={onEdit}>
              {s('editAgain')}
            </button>
            <button type="button" className="conv-link conv-link-quiet" onClick={onDiscard}>
              {s('discard')}
            </button>
          </span>
        )}
      </div>
    </article>
  );
}
