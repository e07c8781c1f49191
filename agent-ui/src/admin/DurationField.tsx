// A duration typed as an amount and a unit (the API stores milliseconds).
import { useStrings } from '../i18n';
import { Field } from './form-kit';
import { ADMIN_STRINGS } from './strings';

export type DurationUnit = 's' | 'min' | 'h' | 'd';
export interface Duration {
  amount: string;
  unit: DurationUnit;
}

const UNIT_MS: Record<DurationUnit, number> = { s: 1_000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const UNITS: DurationUnit[] = ['s', 'min', 'h', 'd'];

/** The largest unit that shows `ms` as a whole number (0 shows in `fallback`). */
export function durationOf(ms: number, fallback: DurationUnit = 's'): Duration {
  if (ms === 0) return { amount: '0', unit: fallback };
  const unit = [...UNITS].reverse().find((u) => ms % UNIT_MS[u] === 0) ?? 's';
  return { amount: String(ms / UNIT_MS[unit]), unit };
}

/** Milliseconds, or NaN when the amount is not a number (the API then names the field). */
export function msOf(d: Duration): number {
  const amount = d.amount.trim() === '' ? NaN : Number(d.amount);
  return Math.round(amount * UNIT_MS[d.unit]);
}

interface Props {
  label: string;
  value: Duration;
  onChange: (value: Duration) => void;
  error?: string;
  hint?: string;
}

export function DurationField({ label, value, onChange, error, hint }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  return (
    <Field label={label} error={error} hint={hint}>
      {(a11y) => (
        <div className="duration">
          <input
            {...a11y}
            type="number"
            min={0}
            step="any"
            inputMode="decimal"
            value={value.amount}
            onChange={(e) => onChange({ ...value, amount: e.target.value })}
          />
          <select
            aria-label={s('unitOf', { what: label })}
            value={value.unit}
            onChange={(e) => onChange({ ...value, unit: e.target.value as DurationUnit })}
          >
            {UNITS.map((u) => (
              <option key={u} value={u}>
                {s(`unit_${u}`)}
              </option>
            ))}
          </select>
        </div>
      )}
    </Field>
  );
}
