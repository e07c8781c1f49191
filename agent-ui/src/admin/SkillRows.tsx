// Rows of skill name + level (1-10): a queue's required skills, or an agent's own skills.
import { useId } from 'react';
import { useStrings } from '../i18n';
import { ADMIN_STRINGS } from './strings';

export interface SkillRow {
  skill: string;
  level: string;
}

interface Props {
  rows: SkillRow[];
  onChange: (rows: SkillRow[]) => void;
  /** "Required skill" or "Skill"; rows are numbered from 1 in labels. */
  skillLabel: string;
  levelLabel: string;
  addLabel: string;
  /** Skill names already in use elsewhere, offered as suggestions. */
  known: string[];
  errorFor: (index: number) => string | undefined;
  emptyText: string;
}

export function SkillRows({ rows, onChange, skillLabel, levelLabel, addLabel, known, errorFor, emptyText }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const listId = useId();
  const set = (index: number, patch: Partial<SkillRow>) => onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <div className="skill-rows">
      {rows.length === 0 && <p className="muted">{emptyText}</p>}
      {rows.map((row, i) => {
        const error = errorFor(i);
        const n = String(i + 1);
        return (
          <div key={i} className={`skill-row${error ? ' has-error' : ''}`}>
            <input
              aria-label={`${skillLabel} ${n}`}
              list={listId}
              placeholder={s('skillPlaceholder')}
              value={row.skill}
              aria-invalid={error ? true : undefined}
              onChange={(e) => set(i, { skill: e.target.value })}
            />
            <label className="skill-level">
              <span>{levelLabel}</span>
              <input
                aria-label={`${levelLabel} ${n}`}
                type="number"
                min={1}
                max={10}
                value={row.level}
                onChange={(e) => set(i, { level: e.target.value })}
              />
            </label>
            <button
              type="button"
              className="btn btn-quiet btn-small"
              aria-label={s('removeWhat', { what: row.skill || `${skillLabel} ${n}` })}
              onClick={() => onChange(rows.filter((_, k) => k !== i))}
            >
              ✕
            </button>
            {error && <p className="field-error">{error}</p>}
          </div>
        );
      })}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { skill: '', level: '5' }])}>
        + {addLabel}
      </button>
      <datalist id={listId}>
        {known.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
    </div>
  );
}
