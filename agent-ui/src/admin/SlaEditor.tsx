// SLA targets by priority band: the highest band not above a conversation's priority applies.
import { useStrings } from '../i18n';
import { DurationField } from './DurationField';
import { SLA_BANDS, type SlaBand, type SlaDraft } from './queue-draft';
import { ADMIN_STRINGS } from './strings';

interface Props {
  value: Record<SlaBand, SlaDraft>;
  onChange: (value: Record<SlaBand, SlaDraft>) => void;
  fieldError: (path: string) => string | undefined;
}

export function SlaEditor({ value, onChange, fieldError }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const set = (band: SlaBand, patch: Partial<SlaDraft>) => onChange({ ...value, [band]: { ...value[band], ...patch } });
  const policyError = fieldError('sla') && !SLA_BANDS.some((b) => fieldError(`sla.${b}`)) ? fieldError('sla') : undefined;
  return (
    <div className="sla">
      <p className="field-hint">{s('slaHint')}</p>
      {SLA_BANDS.map((band) => {
        const target = value[band];
        const name = s(`band_${band}`);
        return (
          <fieldset key={band} className={`sla-band${target.on ? ' on' : ''}`}>
            <legend>{name}</legend>
            <label className="check">
              <input type="checkbox" checked={target.on} onChange={(e) => set(band, { on: e.target.checked })} />
              {s('slaTargetFor', { band: name })}
            </label>
            {target.on && (
              <div className="sla-fields">
                <DurationField
                  label={s('firstResponse')}
                  value={target.firstResponse}
                  onChange={(firstResponse) => set(band, { firstResponse })}
                  error={fieldError(`sla.${band}.firstResponseMs`)}
                />
                <DurationField
                  label={s('resolution')}
                  value={target.resolution}
                  onChange={(resolution) => set(band, { resolution })}
                  error={fieldError(`sla.${band}.resolutionMs`)}
                />
              </div>
            )}
          </fieldset>
        );
      })}
      {policyError && <p className="field-error">{policyError}</p>}
    </div>
  );
}
