// The customer panel's value section: RFM scores, tier and VIP (marked when a supervisor set them, with
// "Use computed" for supervisors to hand them back to the RFM), spend, and the latest orders. Read again
// when `version` changes (the profile was saved or updated).
import { useEffect, useMemo, useState } from 'react';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { TierBadges } from '../customer/TierBadges';
import { valueApi, type CustomerValue as Value, type OrderView } from './value-api';
import { VALUE_STRINGS } from './value-strings';
import './value.css';

interface Props {
  api: Api;
  customerId: string;
  version: unknown;
  /** Supervisors and admins: they may clear the overrides (which saves the profile). */
  onUseComputed?: () => Promise<unknown>;
}

export function CustomerValue({ api, customerId, version, onUseComputed }: Props) {
  const s = useStrings(VALUE_STRINGS);
  const { time } = useI18n();
  const crm = useMemo(() => valueApi(api), [api]);
  const [data, setData] = useState<{ value: Value; orders: OrderView[] } | null>(null);
  const [clearing, setClearing] = useState<'busy' | 'failed' | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([crm.customerValue(customerId), crm.customerOrders(customerId)]).then(
      ([v, o]) => live && setData({ value: v.value, orders: o.orders }),
      () => live && setData(null),
    );
    return () => {
      live = false;
    };
  }, [crm, customerId, version]);
  if (!data) return null;
  const { value, orders } = data;
  const scores = [
    ['R', s('scoreR'), value.scores.recency],
    ['F', s('scoreF'), value.scores.frequency],
    ['M', s('scoreM'), value.scores.monetary],
  ] as const;
  return (
    <section className="panel-section customer-value" aria-label={s('valueSection')}>
      <h3>{s('valueSection')}</h3>
      <div className="value-head">
        <TierBadges customer={value} />
        {(value.tierOverride || value.vipOverride !== null) && (
          <>
            <span className="muted value-override">{s('overridden')}</span>
            {onUseComputed && (
              <button
                type="button"
                className="btn btn-small"
                disabled={clearing === 'busy'}
                onClick={() => {
                  setClearing('busy');
                  onUseComputed().then(
                    () => setClearing(null),
                    () => setClearing('failed'),
                  );
                }}
              >
                {s('useComputed')}
              </button>
            )}
          </>
        )}
      </div>
      {clearing === 'failed' && (
        <p className="banner banner-error" role="alert">
          {s('useComputedFailed')}
        </p>
      )}
      {value.orderCount === 0 ? (
        <p className="muted">{s('noOrders')}</p>
      ) : (
        <>
          <dl className="rfm-scores" aria-label={s('scoresLabel')}>
            {scores.map(([letter, label, score]) => (
              <div key={letter} className={`rfm-score rfm-${score ?? 'none'}`} title={label}>
                <dt>{letter}</dt>
                <dd>{score ?? '–'}</dd>
              </div>
            ))}
          </dl>
          <p className="muted">
            {s('ordersCount', {
              count: String(value.orderCount),
              total: Number(value.totalSpent).toLocaleString(),
              currency: value.currency,
            })}
          </p>
          <p className="muted">
            {s('windowSpend', {
              days: String(value.windowDays),
              orders: String(value.windowOrders),
              spent: Number(value.windowSpent).toLocaleString(),
              currency: value.currency,
            })}
          </p>
          <h4 className="value-subtitle">{s('recentOrders')}</h4>
          <ul className="order-list">
            {orders.map((o) => (
              <li key={o.id}>
                <span>{time(o.orderedAt)}</span>
                <span className="order-amount">
                  {s('orderLine', {
                    amount: Number(o.amount).toLocaleString(undefined, { minimumFractionDigits: 2 }),
                    currency: o.currency,
                  })}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
