// For a customer nothing identifies yet: give them details on this profile, or look for them among
// existing customers. Phone and email go into the attributes `phone` and `email` (the API cannot add
// identities yet); linking to a match would merge two profiles, which is not available yet, so a
// match is only shown, never faked.
import { useId, useMemo, useState, type FormEvent } from 'react';
import type { Customer } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { displayName } from '../hooks/useCustomers';
import { customerApi, type CustomerPatch } from './customer-api';
import { CUSTOMER_STRINGS } from './strings';
import { TierBadges } from './TierBadges';

interface Props {
  api: Api;
  customerId: string;
  onSave: (patch: CustomerPatch) => Promise<unknown>;
  onView: (customerId: string) => void;
}

export function IdentifyCustomer({ api, customerId, onSave, onView }: Props) {
  const s = useStrings(CUSTOMER_STRINGS);
  const id = useId();
  const [mode, setMode] = useState<'create' | 'link'>('create');
  return (
    <section className="panel-section identify" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{s('unknownTitle')}</h3>
      <p className="muted identify-hint">{s('unknownHint')}</p>
      <div className="segmented identify-modes" role="group" aria-label={s('unknownTitle')}>
        <button type="button" aria-pressed={mode === 'create'} onClick={() => setMode('create')}>
          {s('createMode')}
        </button>
        <button type="button" aria-pressed={mode === 'link'} onClick={() => setMode('link')}>
          {s('linkMode')}
        </button>
      </div>
      {mode === 'create' ? <DetailsForm onSave={onSave} /> : <FindExisting api={api} exclude={customerId} onView={onView} />}
    </section>
  );
}

function DetailsForm({ onSave }: { onSave: (patch: CustomerPatch) => Promise<unknown> }) {
  const s = useStrings(CUSTOMER_STRINGS);
  const id = useId();
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const patch: CustomerPatch = {};
    if (name.trim()) patch.name = name.trim();
    const attributes: Record<string, string> = {};
    if (phone.trim()) attributes.phone = phone.trim();
    if (email.trim()) attributes.email = email.trim();
    if (Object.keys(attributes).length) patch.attributes = attributes;
    if (Object.keys(patch).length === 0) {
      setError(s('needDetails'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(patch);
    } catch (err) {
      setError(s('saveFailed', { error: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="identify-form" onSubmit={submit} aria-describedby={`${id}-note`}>
      <label className="stack-field">
        <span>{s('name')}</span>
        <input type="text" value={name} maxLength={200} autoComplete="off" onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="stack-field">
        <span>{s('phone')}</span>
        <input type="tel" value={phone} maxLength={40} autoComplete="off" onChange={(e) => setPhone(e.target.value)} />
      </label>
      <label className="stack-field">
        <span>{s('email')}</span>
        <input type="email" value={email} maxLength={320} autoComplete="off" onChange={(e) => setEmail(e.target.value)} />
      </label>
      <p id={`${id}-note`} className="field-hint">
        {s('detailsNote')}
      </p>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? s('saving') : s('saveDetails')}
        </button>
      </div>
    </form>
  );
}

function FindExisting({ api, exclude, onView }: { api: Api; exclude: string; onView: (customerId: string) => void }) {
  const { t, time } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const customers = useMemo(() => customerApi(api), [api]);
  const [text, setText] = useState('');
  const [found, setFound] = useState<Customer[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const search = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      setFound((await customers.search(text.trim())).customers.filter((c) => c.id !== exclude));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="identify-form">
      <form className="inline-row" role="search" onSubmit={search}>
        <input
          type="search"
          value={text}
          aria-label={s('findCustomer')}
          placeholder={s('findCustomer')}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="btn btn-small" disabled={busy}>
          {busy ? s('searching') : s('search')}
        </button>
      </form>
      {error && <p className="banner banner-error">{error}</p>}
      {found && found.length === 0 && <p className="muted">{s('noMatch')}</p>}
      {found && found.length > 0 && (
        <>
          <ul className="match-list" aria-label={s('possibleMatch')}>
            {found.map((c) => (
              <li key={c.id} className="match-item" data-customer-id={c.id}>
                <span className="match-name">{displayName(c, c.id, t('visitor'))}</span>
                <TierBadges customer={c} />
                {c.lastContactAt && <span className="muted match-time">{time(c.lastContactAt)}</span>}
                <button type="button" className="btn btn-small" onClick={() => onView(c.id)}>
                  {s('viewProfile')}
                </button>
              </li>
            ))}
          </ul>
          <p className="banner merge-note" role="note">
            {s('mergeUnavailable')}
          </p>
        </>
      )}
    </div>
  );
}
