// Customers whose name or identity (phone, email, channel id) matches the search, above the
// conversations whose messages match it. Picking one shows their profile and only their conversations.
import { useEffect, useMemo, useState } from 'react';
import type { Customer } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { customerApi } from '../customer/customer-api';
import { displayName } from '../hooks/useCustomers';
import { TierBadges } from '../customer/TierBadges';
import { Avatar } from '../components/Avatar';
import { INBOX_STRINGS } from './strings';

interface Props {
  api: Api;
  text: string;
  onPick: (customer: Customer) => void;
}

export function CustomerMatches({ api, text, onPick }: Props) {
  const { t, time } = useI18n();
  const s = useStrings(INBOX_STRINGS);
  const customers = useMemo(() => customerApi(api), [api]);
  const [found, setFound] = useState<{ text: string; customers: Customer[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    customers.search(text).then(
      (page) => !cancelled && setFound({ text, customers: page.customers }),
      (err: unknown) => !cancelled && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [customers, text]);

  const current = found?.text === text ? found.customers : null;
  return (
    <section className="customer-matches" aria-label={s('customersFound')} aria-busy={current === null}>
      <h3>{s('customersFound')}</h3>
      {error ? (
        <p className="banner banner-error">{error}</p>
      ) : current === null ? (
        <p className="muted">{s('searchingCustomers')}</p>
      ) : current.length === 0 ? (
        <p className="muted">{s('noCustomersFound', { q: text })}</p>
      ) : (
        <ul>
          {current.map((c) => {
            const name = displayName(c, c.id, t('visitor'));
            return (
              <li key={c.id}>
                <button type="button" className="customer-match" data-customer-id={c.id} onClick={() => onPick(c)}>
                  <Avatar name={name} size="small" />
                  <span className="customer-match-name">{name}</span>
                  <TierBadges customer={c} />
                  {c.lastContactAt && <span className="customer-match-time">{time(c.lastContactAt)}</span>}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
