// A customer's value tier and VIP flag as small badges (nothing when they have neither).
import type { Customer } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { CUSTOMER_STRINGS } from './strings';
import './customer.css';

export function TierBadges({ customer }: { customer: Pick<Customer, 'valueTier' | 'vip'> }) {
  const s = useStrings(CUSTOMER_STRINGS);
  if (!customer.valueTier && !customer.vip) return null;
  return (
    <span className="tier-badges">
      {customer.valueTier && (
        <span className={`tier-badge tier-${customer.valueTier}`} title={s('tierLabel')}>
          {s(`tier_${customer.valueTier}`)}
        </span>
      )}
      {customer.vip && (
        <span className="tier-badge tier-vip" title={s('vipLabel')}>
          {s('vip')}
        </span>
      )}
    </span>
  );
}
