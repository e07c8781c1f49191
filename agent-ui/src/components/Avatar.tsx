// A round badge with a person's initials.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const firstGrapheme = (word: string) => graphemes.segment(word)[Symbol.iterator]().next().value?.segment ?? '';

/** Avatar letters: first and last initials for "Jane Doe", one letter for a Thai name. */
function initials(name: string): string {
  const words = name
    .trim()
    .split(/\s+/)
    .filter((w) => /^\p{L}/u.test(w)); // "Visitor #5355" → V
  if (words.length === 0) return '?';
  if (/[\u0E00-\u0E7F]/.test(words[0]!) || words.length === 1) return firstGrapheme(words[0]!).toUpperCase();
  return (firstGrapheme(words[0]!) + firstGrapheme(words.at(-1)!)).toUpperCase();
}

export function Avatar({ name, size }: { name: string; size?: 'small' | 'large' }) {
  return (
    <span className={size ? `avatar avatar-${size}` : 'avatar'} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
