import type { CustomerWithIdentities } from '../api';
import { useI18n } from '../i18n';
import { displayName } from '../hooks/useCustomers';
import { Avatar } from './Avatar';

export function CustomerPanel({ customer }: { customer: CustomerWithIdentities | null }) {
  const { t, time } = useI18n();
  if (!customer) return <aside className="customer-column" aria-label={t('customer')} />;
  const name = displayName(customer, customer.id, t('visitor'));
  const attributes = Object.entries(customer.attributes);
  return (
    <aside className="customer-column" aria-label={t('customer')}>
      <div className="customer-card">
        <Avatar name={name} size="large" />
        <h2 className="customer-name">{name}</h2>
        {customer.lastContactAt && (
          <p className="muted">
            {t('lastContact')}: {time(customer.lastContactAt)}
          </p>
        )}
      </div>
      <section className="panel-section">
        <h3>{t('identities')}</h3>
        <dl className="facts">
          {customer.identities.map((identity) => (
            <div key={identity.id}>
              <dt>{t(`identity_${identity.kind}`)}</dt>
              <dd className={identity.scope ? 'channel-id' : undefined}>{identity.value}</dd>
            </div>
          ))}
          {customer.locale && (
            <div>
              <dt>{t('languageLabel')}</dt>
              <dd>{customer.locale}</dd>
            </div>
          )}
        </dl>
      </section>
      <section className="panel-section">
        <h3>{t('attributes')}</h3>
        {attributes.length === 0 ? (
          <p className="muted">{t('noAttributes')}</p>
        ) : (
          <dl className="facts">
            {attributes.map(([key, value]) => (
              <div key={key}>
                <dt>{humanize(key)}</dt>
                <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </aside>
  );
}

/** `unverifiedEmail` → `Unverified email`. */
function humanize(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
