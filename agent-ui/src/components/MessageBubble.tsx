// One stored message: who sent it, its text (or an email's HTML body) and attachments, and a line with
// the time, the channel and (for replies) the delivery state, which changes live. A reply that failed
// says why in words, with the error's code and the provider's own reason. Internal notes look
// different on purpose: yellow, labelled, locked.
import { useState } from 'react';
import type { MessageMeta } from '../../../server/domain/email.js';
import type { ChannelKind, Message, MessagePart, MessageStatus } from '../../../server/domain/types.js';
import { EmailHeader, FullEmailToggle, QuotedHistory } from '../conversation/EmailDetails';
import { useInlineImages } from '../conversation/useInlineImages';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { CONVERSATION_STRINGS, type ConversationKey } from '../conversation/strings';
import { FileAttachment, ImageAttachment } from './Attachment';
import { EmailHtml } from './EmailHtml';
import { CallDetails } from '../voice/CallDetails';
import { AudioAttachment } from '../voice/AudioAttachment';
import { OutboundMarks } from '../crm/OutboundMarks';

interface Props {
  api: Api;
  message: Message;
  /** The conversation's channel (every message of a conversation travels on it). */
  channel: ChannelKind;
  /** "You", the customer's name, "Agent"… */
  senderName: string;
  /** Place in the feed, for screen readers (the timeline renders only part of it). */
  position?: { index: number; count: number };
  /** Offered on a reply the channel failed to deliver: sends its content again as a new message. */
  onSendAgain?: () => void;
}

/** Failure codes in words: the outbox's (channels/types.ts), an email's bounce, Twilio's later reports. */
const FAILURE_WORDS: Partial<Record<string, { title: ConversationKey; hint?: ConversationKey }>> = {
  TEMPORARY: { title: 'failure_TEMPORARY', hint: 'failureHint_TEMPORARY' },
  RATE_LIMITED: { title: 'failure_RATE_LIMITED', hint: 'failureHint_RATE_LIMITED' },
  AUTH: { title: 'failure_AUTH', hint: 'failureHint_AUTH' },
  INVALID_PAYLOAD: { title: 'failure_INVALID_PAYLOAD', hint: 'failureHint_INVALID_PAYLOAD' },
  PERMANENT: { title: 'failure_PERMANENT', hint: 'failureHint_PERMANENT' },
  BOUNCED: { title: 'failure_BOUNCED', hint: 'failureHint_BOUNCED' },
  UNDELIVERED: { title: 'failure_UNDELIVERED', hint: 'failureHint_UNDELIVERED' },
  FAILED: { title: 'failure_FAILED' },
  CANCELED: { title: 'failure_CANCELED' },
};

const DELIVERY_ICON: Record<MessageStatus, string> = {
  received: '',
  queued: '◷',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '!',
};

/** A delivery problem's facts: its code and the provider's own words. */
function DeliveryFacts({ code, reason }: { code: string | null; reason: string | null }) {
  const s = useStrings(CONVERSATION_STRINGS);
  return (
    <dl className="delivery-failure-facts">
      {code && (
        <div>
          <dt>{s('failureCode')}</dt>
          <dd>
            <code className="delivery-failure-code">{code}</code>
          </dd>
        </div>
      )}
      {reason && (
        <div>
          <dt>{s('failureReason')}</dt>
          <dd className="delivery-failure-reason">{reason}</dd>
        </div>
      )}
    </dl>
  );
}

export function MessageBubble({ api, message: m, channel, senderName, position, onSendAgain }: Props) {
  const { t, time } = useI18n();
  const s = useStrings(CONVERSATION_STRINGS);
  const side = m.direction === 'inbound' ? 'inbound' : 'outbound';
  const kind = m.private ? 'note' : side;
  const at = time(m.createdAt);
  const channelName = t(`channel_${channel}`);
  const failure = side === 'outbound' && !m.private && m.status === 'failed' ? failureWords(m, s) : null;
  // The outbox keeps the provider's last answer on a queued reply while it tries again.
  const retrying = side === 'outbound' && !m.private && m.status === 'queued' && m.errorCode !== null;
  const status = failure
    ? failure.code
      ? s('failedLabel', { code: failure.code, reason: failure.title })
      : failure.title
    : retrying
      ? s('retryingLabel', { code: m.errorCode! })
      : t(`status_${m.status}`);
  const label = m.private
    ? s('noteLabel', { name: senderName, time: at })
    : side === 'inbound'
      ? s('inboundLabel', { name: senderName, time: at, channel: channelName })
      : s('outboundLabel', { name: senderName, time: at, channel: channelName, status });

  return (
    <article
      className={`message message-${side}${m.private ? ' message-note' : ''}${m.parts.some((p) => p.type === 'html') ? ' message-email' : ''}`}
      data-message-id={m.id}
      data-status={m.status}
      aria-label={label}
      aria-posinset={position ? position.index + 1 : undefined}
      aria-setsize={position?.count}
    >
      <div className="message-sender">{senderName}</div>
      <div className={`bubble bubble-${kind}`}>
        {m.private && (
          <div className="note-label">
            <span aria-hidden="true">🔒 </span>
            {t('internalNote')}
          </div>
        )}
        <MessageParts api={api} parts={m.parts} meta={m.meta} />
      </div>
      {failure && (
        <div className="delivery-failure" data-error-code={failure.code ?? ''}>
          <p className="delivery-failure-title">
            <span className="delivery-failure-icon" aria-hidden="true">
              !
            </span>
            <span>{failure.title}</span>
          </p>
          <DeliveryFacts code={failure.code} reason={m.errorMessage} />
          {failure.hint && <p className="delivery-failure-hint">{failure.hint}</p>}
        </div>
      )}
      {retrying && (
        <div className="delivery-retrying" role="status" data-error-code={m.errorCode}>
          <p className="delivery-retrying-title">
            <span className="delivery-retrying-icon" aria-hidden="true">
              ↻
            </span>
            <span>{s('retryingTitle', { channel: channelName })}</span>
          </p>
          <DeliveryFacts code={m.errorCode} reason={m.errorMessage} />
        </div>
      )}
      <div className="message-meta">
        <time dateTime={new Date(m.createdAt).toISOString()} title={new Date(m.createdAt).toLocaleString()}>
          {at}
        </time>
        {!m.private && <span className="message-channel">{s('via', { channel: channelName })}</span>}
        {side === 'outbound' && !m.private && (
          <span
            className={`delivery delivery-${m.status}`}
            data-delivery={m.status}
            title={m.status === 'failed' || m.status === 'received' ? undefined : s(`deliveryHint_${m.status}`, { channel: channelName })}
          >
            {DELIVERY_ICON[m.status] && (
              <span className="delivery-icon" aria-hidden="true">
                {DELIVERY_ICON[m.status]}
              </span>
            )}
            {t(`status_${m.status}`)}
          </span>
        )}
        {m.status === 'failed' && onSendAgain && (
          <button type="button" className="conv-link" aria-label={s('sendAgainLabel')} onClick={onSendAgain}>
            {s('sendAgain')}
          </button>
        )}
      </div>
    </article>
  );
}

/** A failed reply in words: what happened (by its code), what the agent can do about it. */
function failureWords(m: Message, s: (key: ConversationKey) => string): { code: string | null; title: string; hint: string | null } {
  const words = (m.errorCode && FAILURE_WORDS[m.errorCode]) || { title: 'failure_OTHER' };
  return { code: m.errorCode, title: s(words.title), hint: words.hint ? s(words.hint) : null };
}

export function MessageParts({ api, parts, meta }: { api: Api; parts: MessagePart[]; meta?: MessageMeta | null }) {
  // A mail's text part is the plain alternative of its HTML body: shown only when there is no HTML.
  // When the new text was taken apart from the quoted history, the new text leads and the HTML as sent
  // (history and all) opens on request.
  const quoted = meta?.email?.quoted ?? null;
  const [full, setFull] = useState(false);
  const inlined = useInlineImages(api, parts);
  const hasHtml = parts.some((p) => p.type === 'html');
  const showHtml = hasHtml && (!quoted || full);
  return (
    <>
      {meta && <EmailHeader meta={meta} />}
      {meta?.call && <CallDetails call={meta.call} />}
      <OutboundMarks meta={meta} />
      {parts.map((part, i) => {
        switch (part.type) {
          case 'text':
            return showHtml ? null : (
              <p key={i} className="bubble-text">
                {part.text}
              </p>
            );
          case 'image':
            return <ImageAttachment key={i} api={api} part={part} />;
          case 'file':
            return part.contentType.startsWith('audio/') ? (
              <AudioAttachment key={i} api={api} part={part} />
            ) : (
              <FileAttachment key={i} api={api} part={part} />
            );
          case 'html':
            return showHtml ? <EmailHtml key={i} html={inlined ?? part.html} /> : null;
        }
      })}
      {meta?.line?.sticker && (
        // The sticker's picture, from LINE's sticker shop (the URL is built from its numeric id at ingest).
        <img
          className="line-sticker"
          src={meta.line.sticker.url}
          alt="LINE sticker"
          width={120}
          loading="lazy"
          referrerPolicy="no-referrer"
        />
      )}
      {quoted && !showHtml && <QuotedHistory quoted={quoted} />}
      {quoted && hasHtml && <FullEmailToggle open={full} onToggle={() => setFull((f) => !f)} />}
    </>
  );
}
