// The URLs a channel account gives out (webhooks, the widget snippet, an email account's support
// address), each with a copy button, to paste into the provider's console or a website. Credentials
// are never part of them.
import type { ChannelKind } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import type { AccountUrls as Urls } from './admin-api';
import { CopyButton } from './form-kit';
import { ADMIN_STRINGS } from './strings';

const KNOWN = {
  embedSnippet: 'url_embedSnippet',
  widgetScript: 'url_widgetScript',
  demoPage: 'url_demoPage',
  sessions: 'url_sessions',
  uploads: 'url_uploads',
  webhook: 'url_webhook',
  supportAddress: 'url_supportAddress',
  imap: 'url_imap',
  inbound: 'url_inbound',
  incoming: 'url_incoming',
  status: 'url_status',
  events: 'url_events',
} as const;
const ORDER = Object.keys(KNOWN);
/** Where a kind's URL goes by another name in the provider's console (Twilio's voice settings). */
const BY_KIND: Partial<Record<ChannelKind, Partial<Record<keyof typeof KNOWN, 'url_callStatus'>>>> = {
  voice: { status: 'url_callStatus' },
};

export function AccountUrls({ urls, kind }: { urls: Urls; kind?: ChannelKind }) {
  const s = useStrings(ADMIN_STRINGS);
  const entries = Object.entries(urls).sort(([a], [b]) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
  if (entries.length === 0) return <p className="muted">{s('noUrls')}</p>;
  return (
    <dl className="url-list">
      {entries.map(([name, value]) => {
        const known = name in KNOWN ? (name as keyof typeof KNOWN) : null;
        const label = known ? s((kind && BY_KIND[kind]?.[known]) ?? KNOWN[known]) : name;
        const id = `account-url-${name}`;
        return (
          <div key={name} className="url-row">
            <dt>
              <label htmlFor={id}>{label}</label>
            </dt>
            <dd>
              {value.startsWith('<') ? (
                <textarea id={id} readOnly rows={2} value={value} onFocus={(e) => e.target.select()} />
              ) : (
                <input id={id} readOnly value={value} onFocus={(e) => e.target.select()} />
              )}
              <CopyButton text={value} label={label} />
              {name === 'demoPage' && (
                <a className="btn btn-small" href={value} target="_blank" rel="noreferrer">
                  {s('open')}
                </a>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
