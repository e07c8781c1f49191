// The customer panel's value section: RFM scores, tier and VIP (marked when a supervisor set them),
// spend, and the latest orders. Read again when `version` changes (the profile was saved or updated).
import { useEffect, useMemo, useState } from 'react';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { TierBadges } from '../customer/TierBadges';
import { valueApi, type CustomerValue as Value, type OrderView } from './value-api';
import { VALUE_STRINGS } from './value-strings';
import './value.css';

export function CustomerValue({ api, customerId, version }: { api: Api; customerId: string; version: unknown }) {
  const s = useStrings(VALUE_STRINGS);
  const { time } = useI18n();
  const crm = useMemo(() => valueApi(api), [api]);
  const [data, setData] = useState<{ value: Value; orders: OrderView[] } | null>(null);
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
        {(value.tierOverride || value.vipOverride !== null) && <span className="muted value-override">{s('overridden')}</span>}
      </div>
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
