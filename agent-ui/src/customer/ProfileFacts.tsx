// The profile as read: identities on every channel (phone and email addable), language, tags, consent
// per channel (recordable) and custom attributes.
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { ConsentEditor } from './ConsentEditor';
import type { CustomerProfile } from './customer-api';
import { IdentityEditor } from './IdentityEditor';
import { attributeText, humanize } from './profile';
import { CUSTOMER_STRINGS } from './strings';

export function languageName(locale: string | null, s: (key: 'lang_th' | 'lang_en' | 'noLanguage') => string): string {
  if (!locale) return s('noLanguage');
  const base = locale.slice(0, 2);
  return base === 'th' || base === 'en' ? `${s(`lang_${base}`)}${locale.length > 2 ? ` (${locale})` : ''}` : locale;
}

interface Props {
  api: Api;
  customer: CustomerProfile;
  /** Supervisors remove wrongly linked identities. */
  mayRemoveIdentity: boolean;
  /** Something here changed the profile: read it again. */
  onChanged: () => void;
  /** The profile was linked into another one. */
  onLinked: (targetId: string) => void;
}

export function ProfileFacts({ api, customer, mayRemoveIdentity, onChanged, onLinked }: Props) {
  const { t } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const attributes = Object.entries(customer.attributes);
  const tags = customer.tags ?? [];
  return (
    <>
      <IdentityEditor
        api={api}
        customerId={customer.id}
        identities={customer.identities}
        mayRemove={mayRemoveIdentity}
        onChanged={onChanged}
        onLinked={onLinked}
      />
      <section className="panel-section" aria-labelledby="customer-profile">
        <h3 id="customer-profile">{s('profile')}</h3>
        <dl className="facts">
          <div>
            <dt>{s('language')}</dt>
            <dd>{languageName(customer.locale, s)}</dd>
          </div>
          <div>
            <dt>{s('tags')}</dt>
            <dd>
              {tags.length === 0 ? (
                <span className="muted">{s('noTags')}</span>
              ) : (
                <ul className="tag-list" aria-label={s('tags')}>
                  {tags.map((tag) => (
                    <li key={tag} className="tag-chip">
                      {tag}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
          <div>
            <dt>{s('consent')}</dt>
            <dd>
              <ConsentEditor api={api} customerId={customer.id} consents={customer.consents ?? []} onChanged={onChanged} />
            </dd>
          </div>
        </dl>
      </section>
      <section className="panel-section" aria-labelledby="customer-attributes">
        <h3 id="customer-attributes">{t('attributes')}</h3>
        {attributes.length === 0 ? (
          <p className="muted">{t('noAttributes')}</p>
        ) : (
          <dl className="facts">
            {attributes.map(([key, value]) => (
              <div key={key} data-attribute={key}>
                <dt>{humanize(key)}</dt>
                <dd>{attributeText(value)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </>
  );
}
