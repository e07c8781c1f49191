// Editing a profile. Everyone edits name, language, tags and attributes; value tier and VIP are
// shown only to supervisors and admins (the API refuses them to agents). Only changes are sent.
import { useId, useState, type FormEvent } from 'react';
import { VALUE_TIERS, type ValueTier } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import type { CustomerPatch, CustomerProfile } from './customer-api';
import { AttributeRows } from './AttributeRows';
import { draftOf, draftProblem, patchOf, type ProfileDraft } from './profile';
import { CUSTOMER_STRINGS } from './strings';
import { TagEditor } from './TagEditor';

interface Props {
  customer: CustomerProfile;
  mayRank: boolean;
  onSave: (patch: CustomerPatch) => Promise<unknown>;
  onDone: () => void;
}

export function ProfileEditor({ customer, mayRank, onSave, onDone }: Props) {
  const { t } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const id = useId();
  const [draft, setDraft] = useState<ProfileDraft>(() => draftOf(customer));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = <K extends keyof ProfileDraft>(key: K, value: ProfileDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const locales = ['', 'th', 'en', ...(customer.locale && !['th', 'en'].includes(customer.locale) ? [customer.locale] : [])];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = draftProblem(draft);
    if (problem) {
      setError(s(problem));
      return;
    }
    const patch = patchOf(customer, draft, mayRank);
    if (Object.keys(patch).length === 0) {
      onDone();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(patch);
      onDone();
    } catch (err) {
      setError(s('saveFailed', { error: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="profile-editor" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="visually-hidden">
        {s('editProfile', { name: customer.name ?? '' })}
      </h3>
      <label className="stack-field">
        <span>{s('name')}</span>
        <input type="text" value={draft.name} maxLength={200} onChange={(e) => set('name', e.target.value)} autoFocus />
      </label>
      <div className="stack-field">
        <label htmlFor={`${id}-locale`}>{s('language')}</label>
        <select id={`${id}-locale`} value={draft.locale} onChange={(e) => set('locale', e.target.value)}>
          {locales.map((l) => (
            <option key={l} value={l}>
              {l === '' ? s('noLanguage') : l === 'th' || l === 'en' ? s(`lang_${l}`) : l}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="stack-field">
        <legend>{s('tags')}</legend>
        <TagEditor tags={draft.tags} onChange={(tags) => set('tags', tags)} />
      </fieldset>
      <fieldset className="stack-field">
        <legend>{t('attributes')}</legend>
        <AttributeRows rows={draft.attributes} onChange={(rows) => set('attributes', rows)} />
      </fieldset>
      {mayRank && (
        <fieldset className="stack-field rank-fields">
          <legend>{s('rankLegend')}</legend>
          <select
            aria-label={s('tierLabel')}
            value={draft.valueTier ?? ''}
            onChange={(e) => set('valueTier', (e.target.value || null) as ValueTier | null)}
          >
            <option value="">{s('noTier')}</option>
            {VALUE_TIERS.map((tier) => (
              <option key={tier} value={tier}>
                {s(`tier_${tier}`)}
              </option>
            ))}
          </select>
          <label className="check-field">
            <input type="checkbox" checked={draft.vip} onChange={(e) => set('vip', e.target.checked)} />
            {s('vipLabel')}
          </label>
          <p className="field-hint">{s('rankHint')}</p>
        </fieldset>
      )}
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="btn btn-quiet" onClick={onDone} disabled={busy}>
          {s('cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? s('saving') : s('save')}
        </button>
      </div>
    </form>
  );
}
