// Tags as removable chips and a field that adds one on Enter (or the Add button).
import { useId, useState } from 'react';
import { useStrings } from '../i18n';
import { TAG_PATTERN } from './profile';
import { CUSTOMER_STRINGS } from './strings';

export function TagEditor({ tags, onChange }: { tags: string[]; onChange: (tags: string[]) => void }) {
  const s = useStrings(CUSTOMER_STRINGS);
  const id = useId();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState(false);

  const add = () => {
    const tag = text.trim().toLowerCase();
    if (!tag) return;
    if (!TAG_PATTERN.test(tag)) {
      setInvalid(true);
      return;
    }
    if (!tags.includes(tag)) onChange([...tags, tag]);
    setText('');
    setInvalid(false);
  };

  return (
    <div className="tag-editor">
      {tags.length > 0 && (
        <ul className="tag-list">
          {tags.map((tag) => (
            <li key={tag} className="tag-chip">
              {tag}
              <button
                type="button"
                className="tag-remove"
                aria-label={s('removeTag', { tag })}
                onClick={() => onChange(tags.filter((t) => t !== tag))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="inline-row">
        <input
          id={`${id}-tag`}
          type="text"
          value={text}
          aria-label={s('addTag')}
          aria-invalid={invalid}
          aria-describedby={`${id}-hint`}
          placeholder={s('addTag')}
          onChange={(e) => {
            setText(e.target.value);
            setInvalid(false);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault(); // not the form's submit
              add();
            }
          }}
        />
        <button type="button" className="btn btn-small" onClick={add}>
          {s('addTagButton')}
        </button>
      </div>
      <p id={`${id}-hint`} className={invalid ? 'field-hint field-error' : 'field-hint'} role={invalid ? 'alert' : undefined}>
        {invalid ? s('tagInvalid') : s('tagHint')}
      </p>
    </div>
  );
}
