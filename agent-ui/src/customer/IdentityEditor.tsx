// The customer's identities on every channel, and a field to add the phone number or email address
// they give the agent. One that belongs to another customer offers to link the two profiles (this one
// joins theirs). Supervisors remove a wrongly linked phone or email.
import { useId, useMemo, useState, type FormEvent } from 'react';
import type { CustomerIdentity } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { customerApi, identityOwner, type TypedIdentityKind } from './customer-api';
import { CUSTOMER_STRINGS } from './strings';
import { errorText, useCustomerAction } from './useCustomerAction';

interface Props {
  api: Api;
  customerId: string;
  identities: CustomerIdentity[];
  mayRemove: boolean;
  onChanged: () => void;
  /** This profile was linked into `targetId`. */
  onLinked: (targetId: string) => void;
}

export function IdentityEditor({ api, customerId, identities, mayRemove, onChanged, onLinked }: Props) {
  const { t } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const id = useId();
  const customers = useMemo(() => customerApi(api), [api]);
  const [kind, setKind] = useState<TypedIdentityKind>('phone');
  const [value, setValue] = useState('');
  const add = useCustomerAction((k: TypedIdentityKind, v: string) => customers.addIdentity(customerId, k, v), onChanged);
  const remove = useCustomerAction((identityId: string) => customers.removeIdentity(customerId, identityId), onChanged);
  const link = useCustomerAction(
    (targetId: string) => customers.merge(targetId, customerId),
    () => undefined,
  );
  const owner = identityOwner(add.error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() && (await add.act(kind, value.trim()))) setValue('');
  };

  return (
    <section className="panel-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('identities')}</h3>
      <dl className="facts identity-facts">
        {identities.map((identity) => (
          <div key={identity.id} data-identity-kind={identity.kind}>
            <dt>{t(`identity_${identity.kind}`)}</dt>
            <dd className={identity.scope ? 'channel-id' : undefined}>
              {identity.value}
              {mayRemove && (identity.kind === 'phone' || identity.kind === 'email') && (
                <button
                  type="button"
                  className="tag-remove"
                  aria-label={s('removeIdentity', { value: identity.value })}
                  disabled={remove.busy}
                  onClick={() => void remove.act(identity.id)}
                >
                  ×
                </button>
              )}
            </dd>
          </div>
        ))}
      </dl>
      <form className="inline-row identity-add" onSubmit={submit} aria-label={s('addIdentity')}>
        <select aria-label={s('identityKind')} value={kind} onChange={(e) => setKind(e.target.value as TypedIdentityKind)}>
          <option value="phone">{t('identity_phone')}</option>
          <option value="email">{t('identity_email')}</option>
        </select>
        <input
          type={kind === 'phone' ? 'tel' : 'email'}
          value={value}
          maxLength={320}
          autoComplete="off"
          aria-label={kind === 'phone' ? s('phoneToAdd') : s('emailToAdd')}
          placeholder={kind === 'phone' ? '081 234 5678' : 'name@example.com'}
          aria-invalid={Boolean(add.error) && !owner}
          onChange={(e) => {
            setValue(e.target.value);
            add.clearError();
          }}
        />
        <button type="submit" className="btn btn-small" disabled={add.busy || !value.trim()}>
          {s('addTagButton')}
        </button>
      </form>
      {owner ? (
        <div className="banner link-offer" role="alert">
          <p>{s('identityTaken', { name: owner.name ?? s('anotherCustomer') })}</p>
          <button type="button" className="btn btn-small btn-primary" disabled={link.busy} onClick={() => void linkTo(owner.customerId)}>
            {s('linkProfiles')}
          </button>
        </div>
      ) : (
        add.error !== null && (
          <p className="field-hint field-error" role="alert">
            {errorText(add.error)}
          </p>
        )
      )}
      {(remove.error !== null || link.error !== null) && (
        <p className="field-hint field-error" role="alert">
          {errorText(remove.error ?? link.error)}
        </p>
      )}
    </section>
  );

  async function linkTo(targetId: string) {
    if (await link.act(targetId)) onLinked(targetId);
  }
}
