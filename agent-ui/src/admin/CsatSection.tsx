// Satisfaction surveys: per channel account, whether a resolved conversation's customer is asked for a
// score, how long the answer is waited for, and the question; then the scores by agent.
import { useMemo, useState, type FormEvent } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import type { CsatSettings } from '../../../server/domain/crm/csat.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { OUTBOUND_STRINGS } from '../crm/outbound-strings';
import { outboundApi, type OutboundApi } from '../crm/outbound-api';
import { adminApi } from './admin-api';
import { ErrorBanner, Field, FormActions, useSubmit } from './form-kit';
import { useLoaded } from './useLoaded';
import '../crm/outbound.css';

const SURVEYED = new Set(['web_chat', 'email', 'sms', 'line', 'messenger']);

export function CsatSection({ api, canEdit }: { api: Api; canEdit: boolean }) {
  const s = useStrings(OUTBOUND_STRINGS);
  const outbound = useMemo(() => outboundApi(api), [api]);
  const admin = useMemo(() => adminApi(api), [api]);
  const loaded = useLoaded(async () => {
    const [accounts, settings, agents] = await Promise.all([
      admin.accounts(),
      canEdit ? outbound.csatSettings() : Promise.resolve({ settings: [] as CsatSettings[] }),
      outbound.csatByAgent(),
    ]);
    return { accounts: accounts.accounts, settings: settings.settings, agents: agents.agents };
  });
  const data = loaded.data;
  return (
    <div className="admin-detail csat-admin">
      <div className="admin-detail-inner">
        <h2 className="detail-title">{s('csatTitle')}</h2>
        <p className="muted">{s('csatIntro')}</p>
        <ErrorBanner error={loaded.error} />
        {canEdit &&
          data?.accounts.map((a) => (
            <CsatAccountForm
              key={a.id}
              outbound={outbound}
              account={a}
              settings={data.settings.find((x) => x.channelAccountId === a.id)}
              onSaved={(saved) =>
                loaded.set((d) => ({ ...d, settings: [...d.settings.filter((x) => x.channelAccountId !== a.id), saved] }))
              }
            />
          ))}
        {data && (
          <section className="admin-card" aria-label={s('csatByAgent')}>
            <h3>{s('csatByAgent')}</h3>
            {data.agents.length === 0 ? (
              <p className="muted">{s('csatNoScores')}</p>
            ) : (
              <table className="recipient-table csat-agents">
                <thead>
                  <tr>
                    <th>{s('csatAgent')}</th>
                    <th>{s('csatAnswers')}</th>
                    <th>{s('csatAverage')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.agents.map((a) => (
                    <tr key={a.agentId} data-agent-id={a.agentId}>
                      <td>{a.name ?? a.agentId}</td>
                      <td>{a.count}</td>
                      <td>{a.average?.toFixed(2) ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}
      </div>
    </div>
  );
}

function CsatAccountForm({
  outbound,
  account,
  settings,
  onSaved,
}: {
  outbound: OutboundApi;
  account: ChannelAccount;
  settings: CsatSettings | undefined;
  onSaved: (s: CsatSettings) => void;
}) {
  const s = useStrings(OUTBOUND_STRINGS);
  const { t } = useI18n();
  const [form, setForm] = useState(() => ({
    enabled: settings?.enabled ?? false,
    replyWindowHours: settings?.replyWindowHours ?? 24,
    questions: settings?.questions ?? {},
  }));
  const [saved, setSaved] = useState<string | null>(null);
  const submit = useSubmit();
  const offered = SURVEYED.has(account.kind);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const result = await submit.run(() => outbound.putCsatSettings(account.id, form));
    if (result) {
      onSaved(result.settings);
      setSaved(s('csatSaved'));
    }
  };
  return (
    <form className="admin-card admin-form csat-account" onSubmit={save} aria-label={account.name} data-account-id={account.id}>
      <h3>
        {account.name} <span className="chip">{t(`channel_${account.kind}`)}</span>
      </h3>
      {!offered ? (
        <p className="muted">{s('csatNotOffered')}</p>
      ) : (
        <>
          <fieldset className="form-body">
            <label className="check">
              <input type="checkbox" checked={form.enabled} onChange={(e) => setForm((f) => ({ ...f, enabled: e.target.checked }))} />
              {s('csatEnabled')}
            </label>
            <div className="field-row">
              <Field label={s('csatWindow')} error={submit.fieldError('replyWindowHours')}>
                {(a11y) => (
                  <input
                    {...a11y}
                    type="number"
                    min={1}
                    max={336}
                    value={form.replyWindowHours}
                    onChange={(e) => setForm((f) => ({ ...f, replyWindowHours: Number(e.target.value) }))}
                  />
                )}
              </Field>
              <Field label={s('csatQuestionEn')} hint={s('csatDefaultQuestion')}>
                {(a11y) => (
                  <input
                    {...a11y}
                    maxLength={300}
                    value={form.questions.en ?? ''}
                    onChange={(e) => setForm((f) => ({ ...f, questions: { ...f.questions, en: e.target.value } }))}
                  />
                )}
              </Field>
              <Field label={s('csatQuestionTh')}>
                {(a11y) => (
                  <input
                    {...a11y}
                    maxLength={300}
                    value={form.questions.th ?? ''}
                    onChange={(e) => setForm((f) => ({ ...f, questions: { ...f.questions, th: e.target.value } }))}
                  />
                )}
              </Field>
            </div>
          </fieldset>
          <FormActions submit={submit} label={s('saveCampaign')} saved={saved} />
        </>
      )}
    </form>
  );
}
