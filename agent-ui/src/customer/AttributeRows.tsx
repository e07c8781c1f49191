// Custom attributes as name/value rows: change a value, rename, remove, or add a row.
import { useStrings } from '../i18n';
import type { ProfileDraft } from './profile';
import { humanize } from './profile';
import { CUSTOMER_STRINGS } from './strings';

type Row = ProfileDraft['attributes'][number];

export function AttributeRows({ rows, onChange }: { rows: Row[]; onChange: (rows: Row[]) => void }) {
  const s = useStrings(CUSTOMER_STRINGS);
  const update = (index: number, patch: Partial<Row>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <div className="attribute-rows">
      {rows.map((row, i) => {
        const label = row.key.trim() ? humanize(row.key.trim()) : String(i + 1);
        return (
          <div key={i} className="attribute-row">
            <input
              type="text"
              value={row.key}
              aria-label={s('attributeNameOf', { n: String(i + 1) })}
              placeholder={s('attributeName')}
              onChange={(e) => update(i, { key: e.target.value })}
            />
            <input
              type="text"
              value={row.value}
              aria-label={s('attributeValueOf', { name: label })}
              placeholder={s('attributeValue')}
              onChange={(e) => update(i, { value: e.target.value })}
            />
            <button
              type="button"
              className="btn btn-small btn-quiet icon-button"
              aria-label={s('removeAttribute', { name: label })}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </div>
        );
      })}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { key: '', value: '', original: null }])}>
        + {s('addAttribute')}
      </button>
    </div>
  );
}
