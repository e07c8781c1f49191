// What a closed queue does: keep conversations waiting quietly, or answer once per closed period in
// the customer's language ({{opensAt}} is filled with the next opening).
import { useId } from 'react';
import { useStrings } from '../i18n';
import { Field } from './form-kit';
import type { QueueDraft } from './queue-draft';
import { ADMIN_STRINGS } from './strings';

type AfterHours = QueueDraft['afterHours'];

const LANGUAGE_NAMES: Record<string, 'languageEn' | 'languageTh'> = { en: 'languageEn', th: 'languageTh' };

interface Props {
  value: AfterHours;
  onChange: (value: AfterHours) => void;
  fieldError: (path: string) => string | undefined;
}

export function AfterHoursEditor({ value, onChange, fieldError }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const name = useId();
  // English and Thai always; any other language a queue already has stays editable.
  const languages = [...new Set(['en', 'th', ...Object.keys(value.message)])];
  const messageError = fieldError('afterHours.message');
  return (
    <div className="after-hours">
      <div className="choice-row" role="radiogroup" aria-label={s('afterHours')}>
        <label className="check">
          <input
            type="radio"
            name={name}
            checked={value.action === 'keep_queued'}
            onChange={() => onChange({ ...value, action: 'keep_queued' })}
          />
          {s('keepQueued')}
        </label>
        <label className="check">
          <input
            type="radio"
            name={name}
            checked={value.action === 'auto_reply'}
            onChange={() => onChange({ ...value, action: 'auto_reply' })}
          />
          {s('autoReply')}
        </label>
      </div>
      {value.action === 'auto_reply' && (
        <>
          {languages.map((lang) => (
            <Field
              key={lang}
              label={s('autoReplyIn', { language: LANGUAGE_NAMES[lang] ? s(LANGUAGE_NAMES[lang]) : lang })}
              error={fieldError(`afterHours.message.${lang}`)}
            >
              {(a11y) => (
                <textarea
                  {...a11y}
                  lang={lang}
                  rows={2}
                  value={value.message[lang] ?? ''}
                  onChange={(e) => onChange({ ...value, message: { ...value.message, [lang]: e.target.value } })}
                />
              )}
            </Field>
          ))}
          <p className="field-hint">{s('autoReplyHint')}</p>
          {messageError && !languages.some((l) => fieldError(`afterHours.message.${l}`)) && <p className="field-error">{messageError}</p>}
        </>
      )}
    </div>
  );
}
