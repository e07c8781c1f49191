// For a customer nothing identifies yet (a caller from an unknown number, a new chat visitor): give
// them a name, phone and email on this profile, or link this profile to the existing customer it
// really is. Linking merges this profile into that one (POST /customers/:id/merge): the conversation
// and everything known here move there. A phone or email that already belongs to someone offers the
// same link.
import { useId, useMemo, useState, type FormEvent } from 'react';
import type { Customer } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { displayName } from '../hooks/useCustomers';
import { customerApi, identityOwner, type CustomerPatch } from './customer-api';
import { CUSTOMER_STRINGS } from './strings';
import { TierBadges } from './TierBadges';
import { errorText } from './useCustomerAction';

interface Props {
  api: Api;
  customerId: string;
  onSave: (patch: CustomerPatch) => Promise<unknown>;
  onView: (customerId: string) => void;
  /** Identities were added here: read the profile again. */
  onChanged: () => void;
  /** This profile was linked into `targetId`. */
  onLinked: (targetId: string) => void;
}

type Owner = { customerId: string; name: string | null };

export function IdentifyCustomer({ api, customerId, onSave, onView, onChanged, onLinked }: Props) {
  const s = useStrings(CUSTOMER_STRINGS);
  const id = useId();
  const [mode, setMode] = useState<'create' | 'link'>('create');
  const customers = useMemo(() => customerApi(api), [api]);
  const link = async (target: string) => {
    await customers.merge(target, customerId);
    onLinked(target);
  };
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
      {mode === 'create' ? (
        <DetailsForm api={api} customerId={customerId} onSave={onSave} onChanged={onChanged} onLink={link} />
      ) : (
        <FindExisting api={api} exclude={customerId} onView={onView} onLink={link} />
      )}
    </section>
  );
}

/** "Link this customer to {name}?": the one confirmation before two profiles become one. */
function LinkConfirm({ name, onLink, onCancel }: { name: string; onLink: () => Promise<void>; onCancel?: () => void }) {
  const s = useStrings(CUSTOMER_STRINGS);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onLink();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <div className="banner link-offer" role="alert">
      <p>{s('linkExplain', { name })}</p>
      {error && <p className="field-error">{s('linkFailed', { error })}</p>}
      <div className="form-actions">
        {onCancel && (
          <button type="button" className="btn btn-small btn-quiet" onClick={onCancel}>
            {s('cancel')}
          </button>
        )}
        <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => void confirm()}>
          {busy ? s('linking') : s('linkTo', { name })}
        </button>
      </div>
    </div>
  );
}

interface DetailsProps {
  api: Api;
  customerId: string;
  onSave: (patch: CustomerPatch) => Promise<unknown>;
  onChanged: () => void;
  onLink: (targetId: string) => Promise<void>;
}

function DetailsForm({ api, customerId, onSave, onChanged, onLink }: DetailsProps) {
  const s = useStrings(CUSTOMER_STRINGS);
  const { t } = useI18n();
  const id = useId();
  const customers = useMemo(() => customerApi(api), [api]);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [owner, setOwner] = useState<Owner | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() && !phone.trim() && !email.trim()) {
      setError(s('needDetails'));
      return;
    }
    setBusy(true);
    setError(null);
    setOwner(null);
    try {
      // Phone and email first: one that is already someone else's means this is probably that customer.
      if (phone.trim()) await customers.addIdentity(customerId, 'phone', phone.trim());
      if (email.trim()) await customers.addIdentity(customerId, 'email', email.trim());
      if (name.trim()) await onSave({ name: name.trim() });
      onChanged();
    } catch (err) {
      const taken = identityOwner(err);
      if (taken) setOwner(taken);
      else setError(s('saveFailed', { error: errorText(err) }));
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
      {owner && (
        <>
          <p className="field-hint">{s('identityTaken', { name: owner.name ?? t('visitor') })}</p>
          <LinkConfirm name={owner.name ?? t('visitor')} onLink={() => onLink(owner.customerId)} onCancel={() => setOwner(null)} />
        </>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? s('saving') : s('saveDetails')}
        </button>
      </div>
    </form>
  );
}

interface FindProps {
  api: Api;
  exclude: string;
  onView: (customerId: string) => void;
  onLink: (targetId: string) => Promise<void>;
}

function FindExisting({ api, exclude, onView, onLink }: FindProps) {
  const { t, time } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const customers = useMemo(() => customerApi(api), [api]);
  const [text, setText] = useState('');
  const [found, setFound] = useState<Customer[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [linking, setLinking] = useState<Customer | null>(null);

  const search = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    setLinking(null);
    try {
      setFound((await customers.search(text.trim())).customers.filter((c) => c.id !== exclude));
    } catch (err) {
      setError(errorText(err));
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
        <ul className="match-list" aria-label={s('possibleMatch')}>
          {found.map((c) => {
            const name = displayName(c, c.id, t('visitor'));
            return (
              <li key={c.id} className="match-item" data-customer-id={c.id}>
                <span className="match-name">{name}</span>
                <TierBadges customer={c} />
                {c.lastContactAt && <span className="muted match-time">{time(c.lastContactAt)}</span>}
                <span className="match-actions">
                  <button type="button" className="btn btn-small btn-quiet" onClick={() => onView(c.id)}>
                    {s('viewProfile')}
                  </button>
                  <button type="button" className="btn btn-small" aria-label={s('linkTo', { name })} onClick={() => setLinking(c)}>
                    {s('link')}
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {linking && (
        <LinkConfirm
          name={displayName(linking, linking.id, t('visitor'))}
          onLink={() => onLink(linking.id)}
          onCancel={() => setLinking(null)}
        />
      )}
    </div>
  );
}
