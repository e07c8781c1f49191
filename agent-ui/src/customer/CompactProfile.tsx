// Who is on the line, at a glance (the offer pop-up): name, value tier and VIP, identities, and how
// often they have been in touch before.
import { useI18n, useStrings } from '../i18n';
import { displayName } from '../hooks/useCustomers';
import type { ProfileWithHistory } from './customer-api';
import { isUnknown } from './profile';
import { CUSTOMER_STRINGS } from './strings';
import { TierBadges } from './TierBadges';

const SHOWN_IDENTITIES = 3;

export function CompactProfile({ profile, conversationId }: { profile: ProfileWithHistory; conversationId: string }) {
  const { t } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const { customer, conversations } = profile;
  const earlier = conversations.filter((c) => c.id !== conversationId).length;
  return (
    <div className="compact-profile" data-customer-id={customer.id}>
      <p className="offer-name">
        {displayName(customer, customer.id, t('visitor'))}
        <TierBadges customer={customer} />
      </p>
      {isUnknown(customer) && <p className="chip chip-warn compact-unknown">{s('notIdentified')}</p>}
      <dl className="compact-identities" aria-label={s('compactIdentities')}>
        {customer.identities.slice(0, SHOWN_IDENTITIES).map((identity) => (
          <div key={identity.id}>
            <dt>{t(`identity_${identity.kind}`)}</dt>
            <dd className={identity.scope ? 'channel-id' : undefined} title={identity.value}>
              {identity.value}
            </dd>
          </div>
        ))}
      </dl>
      <p className="compact-history">
        {earlier === 0 ? s('firstContact') : earlier === 1 ? s('earlierOne') : s('earlier', { n: String(earlier) })}
      </p>
    </div>
  );
}
