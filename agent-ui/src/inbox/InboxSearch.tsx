// One search box over customers (name and identities) and message text. Typing pauses briefly
// before searching; Escape clears.
import { useEffect, useRef, useState } from 'react';
import { useStrings } from '../i18n';
import { INBOX_STRINGS } from './strings';

const DELAY_MS = 300;

export function InboxSearch({ value, onSearch }: { value: string; onSearch: (text: string) => void }) {
  const s = useStrings(INBOX_STRINGS);
  const [text, setText] = useState(value);
  const latest = useRef(onSearch);
  latest.current = onSearch;

  // Follows the search when it is cleared from outside (a customer picked from the matches).
  useEffect(() => setText(value), [value]);

  useEffect(() => {
    if (text.trim() === value.trim()) return;
    const timer = setTimeout(() => latest.current(text.trim()), DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, value]);

  return (
    <div className="inbox-search" role="search">
      <input
        type="search"
        value={text}
        aria-label={s('searchLabel')}
        placeholder={s('searchPlaceholder')}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') latest.current(text.trim());
          if (e.key === 'Escape' && text) {
            e.preventDefault();
            setText('');
            latest.current('');
          }
        }}
      />
    </div>
  );
}
