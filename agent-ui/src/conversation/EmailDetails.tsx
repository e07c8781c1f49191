// What an email adds to a message bubble: who it was from, to and Cc'd, its subject, whether it was
// an automatic reply or a bounce, and the quoted history folded away under a toggle.
import { useState } from 'react';
import type { EmailAddress, MessageMeta } from '../../../server/domain/email.js';
import { useStrings } from '../i18n';
import { CONVERSATION_STRINGS } from './strings';

const who = (a: EmailAddress) => (a.name ? `${a.name} <${a.address}>` : a.address);

export function EmailHeader({ meta }: { meta: MessageMeta }) {
  const s = useStrings(CONVERSATION_STRINGS);
  const email = meta.email;
  return (
    <>
      {meta.autoReply && <p className="email-mark email-mark-auto">{s('autoReplyMark')}</p>}
      {meta.bounce && <p className="email-mark email-mark-bounce">{s('bounceMark')}</p>}
      {email && (
        <dl className="email-header">
          {email.from && (
            <div>
              <dt>{s('emailFrom')}</dt>
              <dd>{who(email.from)}</dd>
            </div>
          )}
          {email.to.length > 0 && (
            <div>
              <dt>{s('emailTo')}</dt>
              <dd>{email.to.map(who).join(', ')}</dd>
            </div>
          )}
          {email.cc.length > 0 && (
            <div>
              <dt>{s('emailCc')}</dt>
              <dd>{email.cc.map(who).join(', ')}</dd>
            </div>
          )}
          {email.subject && (
            <div>
              <dt>{s('emailSubject')}</dt>
              <dd>{email.subject}</dd>
            </div>
          )}
        </dl>
      )}
    </>
  );
}

export function QuotedHistory({ quoted }: { quoted: string }) {
  const s = useStrings(CONVERSATION_STRINGS);
  const [open, setOpen] = useState(false);
  return (
    <div className="email-quoted">
      <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? s('hideQuoted') : s('showQuoted')}
      </button>
      {open && <pre className="email-quoted-text">{quoted}</pre>}
    </div>
  );
}

/** For a mail whose new text was taken apart from its history: the HTML as sent, on request. */
export function FullEmailToggle({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  const s = useStrings(CONVERSATION_STRINGS);
  return (
    <button type="button" className="link-button email-full-toggle" aria-expanded={open} onClick={onToggle}>
      {open ? s('hideFullEmail') : s('showFullEmail')}
    </button>
  );
}
