// Consent per channel: whether the customer may be contacted there, how it was given or withdrawn,
// and when. Agents record what the customer tells them (with the source, for the record).
import { useId, useMemo, useState, type FormEvent } from 'react';
import type { Consent, ConsentStatus } from '../../../server/domain/customer-merge.js';
import { CHANNEL_KINDS, type ChannelKind } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { customerApi } from './customer-api';
import { CUSTOMER_STRINGS } from './strings';
import { errorText, useCustomerAction } from './useCustomerAction';
import { OUTBOUND_STRINGS } from '../crm/outbound-strings';

interface Props {
  api: Api;
  customerId: string;
  consents: Consent[];
  onChanged: () => void;
}

export function ConsentEditor({ api, customerId, consents, onChanged }: Props) {
  const { t, time } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const o = useStrings(OUTBOUND_STRINGS);
  const id = useId();
  const customers = useMemo(() => customerApi(api), [api]);
  const [open, setOpen] = useState(false);
  const [channel, setChannel] = useState<ChannelKind>('sms');
  const [status, setStatus] = useState<ConsentStatus>('opted_in');
  const [source, setSource] = useState('');
  const record = useCustomerAction(
    (c: ChannelKind, st: ConsentStatus, src: string) => customers.setConsent(customerId, c, st, src),
    onChanged,
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!source.trim()) return;
    if (await record.act(channel, status, source.trim())) {
      setSource('');
      setOpen(false);
    }
  };

  return (
    <div className="consent">
      {consents.length === 0 ? (
        <span className="muted">{s('consentNotRecorded')}</span>
      ) : (
        <ul className="consent-list" aria-label={s('consent')}>
          {consents.map((c) => (
            <li key={c.channel} className={`consent-item consent-${c.status}`} data-channel={c.channel} data-consent={c.status}>
              <span className="consent-state">
                {t(`channel_${c.channel}`)}: {s(c.status === 'opted_in' ? 'optedIn' : 'optedOut')}
              </span>
              <span className="muted consent-source">
                {c.source} · {time(c.updatedAt)}
              </span>
              {/* The decision before this one is kept: how they had opted in before opting out, and the reverse. */}
              {c.status === 'opted_out' && c.optedInAt != null && (
                <span className="muted consent-earlier" data-consent-earlier="opted_in">
                  {o('consentEarlierIn', { source: c.optedInSource ?? '', time: time(c.optedInAt) })}
                </span>
              )}
              {c.status === 'opted_in' && c.optedOutAt != null && (
                <span className="muted consent-earlier" data-consent-earlier="opted_out">
                  {o('consentEarlierOut', { source: c.optedOutSource ?? '', time: time(c.optedOutAt) })}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {open ? (
        <form className="identify-form consent-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
          <span id={`${id}-title`} className="visually-hidden">
            {s('recordConsent')}
          </span>
          <div className="inline-row">
            <select aria-label={s('consentChannel')} value={channel} onChange={(e) => setChannel(e.target.value as ChannelKind)}>
              {CHANNEL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`channel_${k}`)}
                </option>
              ))}
            </select>
            <select aria-label={s('consentStatus')} value={status} onChange={(e) => setStatus(e.target.value as ConsentStatus)}>
              <option value="opted_in">{s('optedIn')}</option>
              <option value="opted_out">{s('optedOut')}</option>
            </select>
          </div>
          <label className="stack-field">
            <span>{s('consentSource')}</span>
            <input
              type="text"
              value={source}
              maxLength={200}
              required
              placeholder={s('consentSourceHint')}
              onChange={(e) => setSource(e.target.value)}
            />
          </label>
          {record.error !== null && (
            <p className="field-hint field-error" role="alert">
              {errorText(record.error)}
            </p>
          )}
          <div className="form-actions">
            <button type="button" className="btn btn-small btn-quiet" onClick={() => setOpen(false)}>
              {s('cancel')}
            </button>
            <button type="submit" className="btn btn-small btn-primary" disabled={record.busy || !source.trim()}>
              {record.busy ? s('saving') : s('save')}
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="link-button" onClick={() => setOpen(true)}>
          {s('recordConsent')}
        </button>
      )}
    </div>
  );
}
