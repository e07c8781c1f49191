// A queue's opening hours: time zone, intervals per weekday (a shift past midnight is two
// intervals, 22:00-24:00 and 00:00-06:00) and closed dates. Off means always open.
import { useId, useMemo, useState } from 'react';
import { useI18n, useStrings } from '../i18n';
import { Field } from './form-kit';
import { OFFICE_WEEK, type HoursDraft, type Interval } from './queue-draft';
import { ADMIN_STRINGS } from './strings';

/** Shown Monday first; the API's week is Sunday first (index 0). */
const DISPLAY_ORDER = [1, 2, 3, 4, 5, 6, 0];

function useWeekdayNames(): string[] {
  const { locale } = useI18n();
  return useMemo(() => {
    const format = new Intl.DateTimeFormat(locale === 'th' ? 'th-TH' : 'en-GB', { weekday: 'long', timeZone: 'UTC' });
    return [0, 1, 2, 3, 4, 5, 6].map((d) => format.format(Date.UTC(2023, 0, 1 + d))); // 1 Jan 2023 was a Sunday
  }, [locale]);
}

const timeZones = (): string[] => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['Asia/Bangkok', 'UTC'];
  }
};

interface Props {
  value: HoursDraft;
  onChange: (value: HoursDraft) => void;
  fieldError: (path: string) => string | undefined;
}

export function BusinessHoursEditor({ value, onChange, fieldError }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const days = useWeekdayNames();
  const zones = useMemo(timeZones, []);
  const [holiday, setHoliday] = useState('');
  const id = useId();

  const setDay = (day: number, intervals: Interval[]) =>
    onChange({ ...value, week: value.week.map((d, i) => (i === day ? intervals : d)) });
  const setInterval = (day: number, index: number, patch: Partial<Interval>) =>
    setDay(
      day,
      value.week[day]!.map((iv, i) => (i === index ? { ...iv, ...patch } : iv)),
    );
  const addHoliday = () => {
    if (!holiday || value.holidays.includes(holiday)) return;
    onChange({ ...value, holidays: [...value.holidays, holiday].sort() });
    setHoliday('');
  };

  return (
    <div className="hours">
      <div className="choice-row" role="radiogroup" aria-label={s('businessHours')}>
        <label className="check">
          <input type="radio" name={`${id}-mode`} checked={!value.on} onChange={() => onChange({ ...value, on: false })} />
          {s('alwaysOpen')}
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={value.on}
            onChange={() => onChange({ ...value, on: true, week: value.week.some((d) => d.length > 0) ? value.week : OFFICE_WEEK })}
          />
          {s('setHours')}
        </label>
      </div>
      {value.on && (
        <>
          <Field label={s('timeZone')} error={fieldError('businessHours.timeZone')} hint={s('timeZoneHint')}>
            {(a11y) => (
              <>
                <input
                  {...a11y}
                  list={`${id}-zones`}
                  value={value.timeZone}
                  onChange={(e) => onChange({ ...value, timeZone: e.target.value })}
                />
                <datalist id={`${id}-zones`}>
                  {zones.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          {fieldError('businessHours.week') && !value.week.some((_, d) => fieldError(`businessHours.week.${d}`)) && (
            <p className="field-error">{fieldError('businessHours.week')}</p>
          )}
          <ul className="week">
            {DISPLAY_ORDER.map((day) => {
              const intervals = value.week[day] ?? [];
              const error = fieldError(`businessHours.week.${day}`);
              return (
                <li key={day} className={`week-day${error ? ' has-error' : ''}`}>
                  <label className="check week-day-name">
                    <input
                      type="checkbox"
                      checked={intervals.length > 0}
                      onChange={(e) => setDay(day, e.target.checked ? [{ from: '09:00', to: '18:00' }] : [])}
                    />
                    {days[day]}
                  </label>
                  <div className="week-intervals">
                    {intervals.length === 0 && <span className="muted">{s('closed')}</span>}
                    {intervals.map((iv, i) => {
                      const which = intervals.length > 1 ? ` (${i + 1})` : '';
                      return (
                        <span key={i} className="interval">
                          <input
                            className="time"
                            aria-label={`${days[day]} ${s('opens')}${which}`}
                            placeholder="09:00"
                            inputMode="numeric"
                            maxLength={5}
                            value={iv.from}
                            onChange={(e) => setInterval(day, i, { from: e.target.value })}
                          />
                          <span aria-hidden="true">–</span>
                          <input
                            className="time"
                            aria-label={`${days[day]} ${s('closes')}${which}`}
                            placeholder="18:00"
                            inputMode="numeric"
                            maxLength={5}
                            value={iv.to}
                            onChange={(e) => setInterval(day, i, { to: e.target.value })}
                          />
                          {intervals.length > 1 && (
                            <button
                              type="button"
                              className="btn btn-quiet btn-small"
                              aria-label={s('removeWhat', { what: `${days[day]} ${iv.from}–${iv.to}` })}
                              onClick={() =>
                                setDay(
                                  day,
                                  intervals.filter((_, k) => k !== i),
                                )
                              }
                            >
                              ✕
                            </button>
                          )}
                        </span>
                      );
                    })}
                    {intervals.length > 0 && (
                      <button
                        type="button"
                        className="btn btn-quiet btn-small"
                        aria-label={s('addIntervalTo', { day: days[day]! })}
                        onClick={() => setDay(day, [...intervals, { from: '', to: '' }])}
                      >
                        + {s('addInterval')}
                      </button>
                    )}
                  </div>
                  {error && <p className="field-error">{error}</p>}
                </li>
              );
            })}
          </ul>
          <p className="field-hint">{s('hoursHint')}</p>
          <div className="admin-field">
            <label htmlFor={`${id}-holiday`}>{s('holidays')}</label>
            <div className="inline-add">
              <input id={`${id}-holiday`} type="date" value={holiday} onChange={(e) => setHoliday(e.target.value)} />
              <button type="button" className="btn btn-small" disabled={!holiday} onClick={addHoliday}>
                {s('addHoliday')}
              </button>
            </div>
            {value.holidays.length > 0 && (
              <ul className="chips" aria-label={s('holidays')}>
                {value.holidays.map((date) => (
                  <li key={date} className="chip chip-removable">
                    {date}
                    <button
                      type="button"
                      aria-label={s('removeWhat', { what: date })}
                      onClick={() => onChange({ ...value, holidays: value.holidays.filter((h) => h !== date) })}
                    >
                      ✕
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {fieldError('businessHours.holidays') && <p className="field-error">{fieldError('businessHours.holidays')}</p>}
          </div>
        </>
      )}
    </div>
  );
}
