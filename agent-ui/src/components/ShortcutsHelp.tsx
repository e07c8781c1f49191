// The keyboard shortcuts, listed on `?` (pressed outside a text field) in a modal dialog; Escape closes.
import { useEffect, useRef, useState } from 'react';
import { useI18n, useStrings } from '../i18n';
import { CONVERSATION_SHORTCUTS } from '../conversation/shortcuts';
import { CONVERSATION_STRINGS } from '../conversation/strings';

const typingInto = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export function ShortcutsHelp() {
  const { t } = useI18n();
  const s = useStrings(CONVERSATION_STRINGS);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && !e.ctrlKey && !e.altKey && !e.metaKey && !typingInto(e.target)) {
        e.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const dialog = ref.current;
    if (open && dialog && !dialog.open) dialog.showModal();
  }, [open]);

  if (!open) return null;
  return (
    <dialog ref={ref} className="shortcuts-help" aria-labelledby="shortcuts-title" onClose={() => setOpen(false)}>
      <h2 id="shortcuts-title">{t('shortcutsTitle')}</h2>
      <h3>{s('shortcutsTitle')}</h3>
      <dl>
        {CONVERSATION_SHORTCUTS.map((k) => (
          <div key={k.keys}>
            <dt>
              <kbd>{k.keys}</kbd>
            </dt>
            <dd>{s(k.label)}</dd>
          </div>
        ))}
        <div>
          <dt>
            <kbd>?</kbd>
          </dt>
          <dd>{t('shortcutsShow')}</dd>
        </div>
        <div>
          <dt>
            <kbd>Esc</kbd>
          </dt>
          <dd>{t('shortcutsClose')}</dd>
        </div>
      </dl>
      <form method="dialog">
        <button type="submit" className="btn">
          {t('close')}
        </button>
      </form>
    </dialog>
  );
}
