// The conversation's tags: chips to remove, a box to add (Enter or comma). The server stores them
// lower-cased; the same rule is checked here first so a mistake is explained before any request.
// Changes show at once and are saved one after another, each with the whole list as the agent left
// it, so tags added quickly in a row are all kept.
import { useRef, useState, type Ref } from 'react';
import { useStrings } from '../i18n';
import { CONVERSATION_STRINGS } from './strings';

const TAG = /^[\p{L}\p{M}\p{N}_-]{1,32}$/u;
const MAX_TAGS = 20;

interface Props {
  tags: string[];
  /** Saves the whole list; false when the server refused (the pane shows why). */
  onChange: (tags: string[]) => Promise<boolean>;
  inputRef?: Ref<HTMLInputElement>;
}

export function TagEditor({ tags: stored, onChange, inputRef }: Props) {
  const s = useStrings(CONVERSATION_STRINGS);
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  // The list the agent asked for while it is being saved (null: the stored list is current).
  const [wanted, setWanted] = useState<string[] | null>(null);
  const latest = useRef<string[] | null>(null);
  const saving = useRef(Promise.resolve());
  const tags = wanted ?? stored;

  const save = (next: string[]) => {
    latest.current = next;
    setWanted(next);
    saving.current = saving.current.then(async () => {
      if (latest.current !== next) return; // a later change carries this one too
      await onChange(next);
      if (latest.current !== next) return;
      latest.current = null;
      setWanted(null);
    });
  };

  const add = () => {
    const tag = value.trim().replace(/^#/, '').toLowerCase();
    if (!tag) return;
    if (!TAG.test(tag)) return setProblem(s('badTag', { tag }));
    setValue('');
    if (tags.includes(tag)) return;
    if (tags.length >= MAX_TAGS) return setProblem(s('tooManyTags'));
    setProblem(null);
    save([...tags, tag]);
  };

  return (
    <div className="conv-tags" role="group" aria-label={s('tags')}>
      <span className="conv-tags-label" aria-hidden="true">
        #
      </span>
      <ul className="conv-tag-list">
        {tags.map((tag) => (
          <li key={tag} className="conv-tag">
            {tag}
            <button
              type="button"
              className="conv-tag-remove"
              aria-label={s('removeTag', { tag })}
              onClick={() => save(tags.filter((x) => x !== tag))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <input
        ref={inputRef}
        className="conv-tag-input"
        value={value}
        placeholder={s('addTagPlaceholder')}
        aria-label={s('addTag')}
        aria-invalid={problem !== null}
        title="Alt+G"
        onChange={(e) => {
          setValue(e.target.value);
          setProblem(null);
        }}
        onKeyDown={(e) => {
          if (e.nativeEvent.isComposing) return;
          if (e.key === 'Enter' || e.key === ',') {
            e.preventDefault();
            add();
          } else if (e.key === 'Backspace' && value === '' && tags.length) {
            save(tags.slice(0, -1));
          }
        }}
      />
      {problem && (
        <span className="conv-tag-problem" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
