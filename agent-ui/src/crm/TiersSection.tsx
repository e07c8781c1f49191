// The value settings: currency, the scoring window, how RFM cut points are set, the tier thresholds
// and VIP tiers, the refresh schedule; the last refresh and the current quintile cut points.
import { useMemo, useState, type FormEvent } from 'react';
import type { CrmSettings, Cuts, RfmCuts } from '../../../server/domain/crm/rfm.js';
import { VALUE_TIERS, type ValueTier } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { CUSTOMER_STRINGS } from '../customer/strings';
import { ErrorBanner, Field, FormActions, useSubmit } from '../admin/form-kit';
import { useLoaded } from '../admin/useLoaded';
import { valueApi, type RfmStatus } from './value-api';
import { VALUE_STRINGS } from './value-strings';
import './value.css';

const DEFAULT_FIXED: RfmCuts = { recencyDays: [30, 90, 180, 365], frequency: [1, 2, 4, 8], monetary: [500, 2_000, 10_000, 50_000] };
const cutsText = (c: Cuts) => c.join(', ');
const parseCuts = (text: string): Cuts | null => {
  const n = text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number);
  return n.length === 4 && n.every((x) => Number.isFinite(x)) ? [n[0]!, n[1]!, n[2]!, n[3]!] : null;
};

export function TiersSection({ api, canEdit }: { api: Api; canEdit: boolean }) {
  const s = useStrings(VALUE_STRINGS);
  const crm = useMemo(() => valueApi(api), [api]);
  const loaded = useLoaded(() => crm.status());
  return (
    <div className="admin-detail value-admin">
      <div className="admin-detail-inner narrow">
        <h2 className="detail-title">{s('valueTitle')}</h2>
        <p className="muted value-intro">{s('valueIntro')}</p>
        <ErrorBanner error={loaded.error} />
        {loaded.data && (
          <>
            <SettingsForm
              status={loaded.data}
              canEdit={canEdit}
              save={crm.saveSettings}
              onSaved={(settings) => loaded.set((d) => ({ ...d, settings }))}
            />
            <RefreshCard
              status={loaded.data}
              canEdit={canEdit}
              refresh={crm.refresh}
              statusOf={crm.status}
              onStatus={(st) => loaded.set(() => st)}
            />
          </>
        )}
      </div>
    </div>
  );
}

function SettingsForm(props: {
  status: RfmStatus;
  canEdit: boolean;
  save: (s: CrmSettings) => Promise<{ settings: CrmSettings }>;
  onSaved: (s: CrmSettings) => void;
}) {
  const s = useStrings(VALUE_STRINGS);
  const cs = useStrings(CUSTOMER_STRINGS);
  const submit = useSubmit();
  const initial = props.status.settings;
  const [draft, setDraft] = useState<CrmSettings>(initial);
  const fixed = draft.scoring.mode === 'fixed' ? draft.scoring.cuts : DEFAULT_FIXED;
  const [cutText, setCutText] = useState({
    recencyDays: cutsText(fixed.recencyDays),
    frequency: cutsText(fixed.frequency),
    monetary: cutsText(fixed.monetary),
  });
  const [saved, setSaved] = useState<string | null>(null);
  const set = (patch: Partial<CrmSettings>) => setDraft((d) => ({ ...d, ...patch }));
  const disabled = !props.canEdit;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    let settings = draft;
    if (draft.scoring.mode === 'fixed') {
      const cuts = {
        recencyDays: parseCuts(cutText.recencyDays),
        frequency: parseCuts(cutText.frequency),
        monetary: parseCuts(cutText.monetary),
      };
      if (!cuts.recencyDays || !cuts.frequency || !cuts.monetary) return submit.fail(s('cutsHint'));
      settings = { ...draft, scoring: { mode: 'fixed', cuts: cuts as RfmCuts } };
    }
    const r = await submit.run(() => props.save(settings));
    if (r) {
      props.onSaved(r.settings);
      setSaved(s('settingsSaved'));
    }
  };

  return (
    <form className="admin-card value-settings" onSubmit={onSubmit}>
      <div className="value-row">
        <Field label={s('currency')} error={submit.fieldError('currency')}>
          {(a) => (
            <input
              {...a}
              value={draft.currency}
              maxLength={3}
              disabled={disabled}
              onChange={(e) => set({ currency: e.target.value.toUpperCase() })}
            />
          )}
        </Field>
        <Field label={s('windowDays')} error={submit.fieldError('windowDays')}>
          {(a) => (
            <input
              {...a}
              type="number"
              min={1}
              value={draft.windowDays}
              disabled={disabled}
              onChange={(e) => set({ windowDays: Number(e.target.value) })}
            />
          )}
        </Field>
        <Field label={s('refreshEvery')} error={submit.fieldError('refreshEveryHours')}>
          {(a) => (
            <input
              {...a}
              type="number"
              min={1}
              value={draft.refreshEveryHours}
              disabled={disabled}
              onChange={(e) => set({ refreshEveryHours: Number(e.target.value) })}
            />
          )}
        </Field>
      </div>
      <fieldset className="value-fieldset" disabled={disabled}>
        <legend>{s('scoring')}</legend>
        {(['quintiles', 'fixed'] as const).map((mode) => (
          <label key={mode} className="value-radio">
            <input
              type="radio"
              name="scoring"
              checked={draft.scoring.mode === mode}
              onChange={() => set({ scoring: mode === 'fixed' ? { mode, cuts: fixed } : { mode } })}
            />
            {s(`scoring_${mode}`)}
          </label>
        ))}
        {draft.scoring.mode === 'fixed' &&
          (['recencyDays', 'frequency', 'monetary'] as const).map((k) => (
            <Field
              key={k}
              label={s(k === 'recencyDays' ? 'cutsRecency' : k === 'frequency' ? 'cutsFrequency' : 'cutsMonetary')}
              hint={s('cutsHint')}
            >
              {(a) => <input {...a} value={cutText[k]} onChange={(e) => setCutText((c) => ({ ...c, [k]: e.target.value }))} />}
            </Field>
          ))}
      </fieldset>
      <fieldset className="value-fieldset" disabled={disabled}>
        <legend>{s('tierBasis')}</legend>
        {(['monetary', 'rfm'] as const).map((basis) => (
          <label key={basis} className="value-radio">
            <input
              type="radio"
              name="basis"
              checked={draft.tiers.basis === basis}
              onChange={() => set({ tiers: { ...draft.tiers, basis } })}
            />
            {s(`basis_${basis}`)}
          </label>
        ))}
        <div className="value-row">
          {VALUE_TIERS.map((tier) => (
            <Field key={tier} label={s('tierFrom', { tier: cs(`tier_${tier}`) })} error={submit.fieldError(`tiers.thresholds.${tier}`)}>
              {(a) => (
                <input
                  {...a}
                  type="number"
                  min={0}
                  step="any"
                  className={`tier-input tier-input-${tier}`}
                  value={draft.tiers.thresholds[tier]}
                  onChange={(e) =>
                    set({ tiers: { ...draft.tiers, thresholds: { ...draft.tiers.thresholds, [tier]: Number(e.target.value) } } })
                  }
                />
              )}
            </Field>
          ))}
        </div>
        {submit.fieldError('tiers') && <p className="field-error">{submit.fieldError('tiers')}</p>}
      </fieldset>
      <fieldset className="value-fieldset" disabled={disabled}>
        <legend>{s('vipTiers')}</legend>
        {VALUE_TIERS.map((tier: ValueTier) => (
          <label key={tier} className="value-check">
            <input
              type="checkbox"
              checked={draft.vipTiers.includes(tier)}
              onChange={(e) => set({ vipTiers: e.target.checked ? [...draft.vipTiers, tier] : draft.vipTiers.filter((t) => t !== tier) })}
            />
            <span className={`tier-badge tier-${tier}`}>{cs(`tier_${tier}`)}</span>
          </label>
        ))}
      </fieldset>
      {props.canEdit && <FormActions submit={submit} label={s('saveSettings')} saved={saved} />}
    </form>
  );
}

function RefreshCard(props: {
  status: RfmStatus;
  canEdit: boolean;
  refresh: () => Promise<unknown>;
  statusOf: () => Promise<RfmStatus>;
  onStatus: (s: RfmStatus) => void;
}) {
  const s = useStrings(VALUE_STRINGS);
  const { time } = useI18n();
  const submit = useSubmit();
  const { lastRefresh, cuts } = props.status;
  const run = async () => {
    if ((await submit.run(props.refresh)) !== undefined) props.onStatus(await props.statusOf());
  };
  return (
    <section className="admin-card" aria-label={s('refreshNow')}>
      <h3>{s('currentCuts')}</h3>
      {cuts ? (
        <>
          <p className="muted">{s('cutsOf', { when: time(cuts.computedAt), population: String(cuts.population) })}</p>
          <table className="cuts-table">
            <tbody>
              <tr>
                <th>{s('scoreR')}</th>
                <td>{cutsText(cuts.cuts.recencyDays)}</td>
              </tr>
              <tr>
                <th>{s('scoreF')}</th>
                <td>{cutsText(cuts.cuts.frequency)}</td>
              </tr>
              <tr>
                <th>{s('scoreM')}</th>
                <td>{cuts.cuts.monetary.map((m) => (m / 100).toLocaleString()).join(', ')}</td>
              </tr>
            </tbody>
          </table>
        </>
      ) : null}
      <p className="muted">
        {lastRefresh
          ? s('lastRefresh', {
              when: time(lastRefresh.at),
              customers: String(lastRefresh.customers),
              scored: String(lastRefresh.scored),
              changes: String(lastRefresh.tierChanges),
              ms: String(lastRefresh.ms),
            })
          : s('noRefresh')}
      </p>
      <ErrorBanner error={submit.error} />
      {props.canEdit && (
        <button type="button" className="btn" disabled={submit.busy} onClick={() => void run()}>
          {submit.busy ? s('refreshing') : s('refreshNow')}
        </button>
      )}
    </section>
  );
}
