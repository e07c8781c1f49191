// What the channel kinds' parts of the account form share: the settings draft and when it is sent
// (a new account's always; a saved one's only when changed, so a rename does not ask the provider
// again), one-line setting fields, write-only secret fields, and the Twilio project rows of SMS and voice.
import { useState, type InputHTMLAttributes } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { Field, type Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

/** A stored setting as the form edits it: a string, or '' for anything else. */
export const textOf = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * The draft of an account's settings and the settings last saved (`account` null: a new one). `save`
 * runs `send` with the settings to send (undefined when unchanged) and returns its answer, or
 * undefined when it was refused (the form keeps what was typed); `onSaved` clears what was typed.
 */
export function useAccountDraft<D, S>(
  account: ChannelAccount | null,
  draftOf: (stored: Record<string, unknown> | null) => D,
  settingsOf: (draft: D) => S,
) {
  const editing = account !== null;
  const [saved, setSaved] = useState(() => draftOf(account?.settings ?? null));
  const [draft, setDraft] = useState(saved);
  const set = (patch: Partial<D>) => setDraft((d) => ({ ...d, ...patch }));

  const save = async <T,>(submit: Submit, send: (settings: S | undefined) => Promise<T>, onSaved?: () => void): Promise<T | undefined> => {
    const settings = settingsOf(draft);
    const changed = !editing || JSON.stringify(settings) !== JSON.stringify(settingsOf(saved));
    const sent = draft;
    const result = await submit.run(() => send(changed ? settings : undefined));
    if (result !== undefined) {
      setSaved(sent);
      onSaved?.();
    }
    return result;
  };

  return { editing, saved, draft, setDraft, set, save };
}

interface TextFieldProps extends Pick<InputHTMLAttributes<HTMLInputElement>, 'type' | 'inputMode' | 'placeholder' | 'spellCheck'> {
  label: string;
  hint?: string;
  error?: string;
  value: string;
  onChange: (value: string) => void;
}

/** A one-line setting (no autocomplete: these are ids and addresses, not the admin's own details). */
export function SettingField({ label, hint, error, value, onChange, ...input }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(a11y) => <input {...a11y} autoComplete="off" {...input} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/** An address setting (an API base for an egress proxy, a sound file). */
export function UrlField(props: Omit<TextFieldProps, 'type' | 'spellCheck' | 'inputMode'>) {
  return <SettingField {...props} type="url" spellCheck={false} />;
}

/** A write-only secret: typed here, sealed by the server, never shown again. */
export function SecretField({
  label,
  hint,
  error,
  value,
  onChange,
}: Omit<TextFieldProps, 'type' | 'inputMode' | 'placeholder' | 'spellCheck'>) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(a11y) => <input {...a11y} type="password" autoComplete="new-password" value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/** The settings of a Twilio project and number, as SMS accounts and voice numbers both have them. */
interface TwilioDraft {
  accountSid: string;
  phoneNumber: string;
  apiBaseUrl: string;
}

interface TwilioProps {
  account: { editing: boolean; draft: TwilioDraft; set: (patch: Partial<TwilioDraft>) => void };
  authToken: string;
  onAuthToken: (value: string) => void;
  /** A problem found before sending (the token needed again), shown ahead of the server's. */
  authTokenError?: string;
  numberLabel: string;
  submit: Submit;
}

/** The Twilio section: Account SID, auth token, number and API base. */
export function TwilioProjectFields({ account, authToken, onAuthToken, authTokenError, numberLabel, submit }: TwilioProps) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft, set } = account;
  return (
    <fieldset className="form-section">
      <legend>{s('smsTwilio')}</legend>
      <div className="field-row two">
        <SettingField
          label={s('accountSid')}
          hint={s('accountSidHint')}
          error={f('accountSid')}
          spellCheck={false}
          placeholder="AC…"
          value={draft.accountSid}
          onChange={(accountSid) => set({ accountSid })}
        />
        <SecretField
          label={s('authToken')}
          hint={s(account.editing ? 'authTokenKeepHint' : 'passwordNewHint')}
          error={authTokenError ?? f('authToken') ?? f('credentials')}
          value={authToken}
          onChange={onAuthToken}
        />
      </div>
      <div className="field-row two">
        <SettingField
          label={numberLabel}
          hint={s('smsNumberHint')}
          error={f('phoneNumber')}
          type="tel"
          placeholder="+66…"
          value={draft.phoneNumber}
          onChange={(phoneNumber) => set({ phoneNumber })}
        />
        <UrlField
          label={s('apiBaseUrl')}
          hint={s('apiBaseUrlHint')}
          error={f('apiBaseUrl')}
          placeholder="https://api.twilio.com"
          value={draft.apiBaseUrl}
          onChange={(apiBaseUrl) => set({ apiBaseUrl })}
        />
      </div>
    </fieldset>
  );
}
