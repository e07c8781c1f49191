// An SMS account's own part of the channel account forms: the Twilio project and number, the auth
// token (write-only: typed here, sealed by the server, never shown again), and the keyword answers.
// The forms in ChannelAccountForms.tsx keep the name, the queue and the submit; `useSmsAccount` adds
// the settings and credentials to their request (settings only when changed, so a rename does not
// ask Twilio again; the token only when typed, so an empty field keeps the stored one).
import { useState } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { Field, type Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

/** The settings as the form edits them (channels/sms/account.ts, SmsSettings). */
export interface SmsDraft {
  accountSid: string;
  phoneNumber: string;
  apiBaseUrl: string;
  helpText: string;
  keywordReplies: boolean;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function smsDraftOf(stored: Record<string, unknown> | null): SmsDraft {
  return {
    accountSid: text(stored?.accountSid),
    phoneNumber: text(stored?.phoneNumber),
    apiBaseUrl: text(stored?.apiBaseUrl),
    helpText: text(stored?.helpText),
    keywordReplies: stored?.keywordReplies === true,
  };
}

export function smsSettingsOf(d: SmsDraft): Record<string, unknown> {
  return {
    accountSid: d.accountSid.trim(),
    phoneNumber: d.phoneNumber.replace(/[\s-]/g, ''),
    ...(d.apiBaseUrl.trim() && { apiBaseUrl: d.apiBaseUrl.trim() }),
    ...(d.helpText.trim() && { helpText: d.helpText.trim() }),
    keywordReplies: d.keywordReplies,
  };
}

export interface SmsPayload {
  settings?: Record<string, unknown>;
  credentials?: { authToken: string };
}

/** The draft and the typed token of an SMS account's form (`account` null: a new one). */
export function useSmsAccount(account: ChannelAccount | null) {
  const editing = account !== null;
  const [saved, setSaved] = useState(() => smsDraftOf(account?.settings ?? null));
  const [draft, setDraft] = useState(saved);
  const [authToken, setAuthToken] = useState('');

  /** Runs the request with what changed; returns its answer, or undefined when it was refused (the form keeps what was typed). */
  const save = async <T,>(submit: Submit, request: (payload: SmsPayload) => Promise<T>): Promise<T | undefined> => {
    const settings = smsSettingsOf(draft);
    const changed = !editing || JSON.stringify(settings) !== JSON.stringify(smsSettingsOf(saved));
    const sent = draft;
    const result = await submit.run(() => request({ ...(changed && { settings }), ...(authToken && { credentials: { authToken } }) }));
    if (result !== undefined) {
      setSaved(sent);
      setAuthToken('');
    }
    return result;
  };

  return { editing, draft, setDraft, authToken, setAuthToken, save };
}

export type SmsAccount = ReturnType<typeof useSmsAccount>;

/** The SMS sections of the account form, inside its form body. */
export function SmsAccountFields({ sms, submit }: { sms: SmsAccount; submit: Submit }) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft } = sms;
  const set = (patch: Partial<SmsDraft>) => sms.setDraft((d) => ({ ...d, ...patch }));
  return (
    <>
      <fieldset className="form-section">
        <legend>{s('smsTwilio')}</legend>
        <div className="field-row two">
          <Field label={s('accountSid')} hint={s('accountSidHint')} error={f('accountSid')}>
            {(a11y) => (
              <input
                {...a11y}
                autoComplete="off"
                spellCheck={false}
                placeholder="AC…"
                value={draft.accountSid}
                onChange={(e) => set({ accountSid: e.target.value })}
              />
            )}
          </Field>
          <Field
            label={s('authToken')}
            hint={s(sms.editing ? 'authTokenKeepHint' : 'passwordNewHint')}
            error={f('authToken') ?? f('credentials')}
          >
            {(a11y) => (
              <input
                {...a11y}
                type="password"
                autoComplete="new-password"
                value={sms.authToken}
                onChange={(e) => sms.setAuthToken(e.target.value)}
              />
            )}
          </Field>
        </div>
        <div className="field-row two">
          <Field label={s('smsNumber')} hint={s('smsNumberHint')} error={f('phoneNumber')}>
            {(a11y) => (
              <input
                {...a11y}
                type="tel"
                autoComplete="off"
                placeholder="+66…"
                value={draft.phoneNumber}
                onChange={(e) => set({ phoneNumber: e.target.value })}
              />
            )}
          </Field>
          <Field label={s('apiBaseUrl')} hint={s('apiBaseUrlHint')} error={f('apiBaseUrl')}>
            {(a11y) => (
              <input
                {...a11y}
                type="url"
                autoComplete="off"
                spellCheck={false}
                placeholder="https://api.twilio.com"
                value={draft.apiBaseUrl}
                onChange={(e) => set({ apiBaseUrl: e.target.value })}
              />
            )}
          </Field>
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend>{s('smsKeywords')}</legend>
        <Field label={s('helpText')} hint={s('helpTextHint')} error={f('helpText')}>
          {(a11y) => <textarea {...a11y} rows={3} value={draft.helpText} onChange={(e) => set({ helpText: e.target.value })} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={draft.keywordReplies} onChange={(e) => set({ keywordReplies: e.target.checked })} />
          {s('keywordReplies')}
        </label>
        <p className="field-hint">{s('keywordRepliesHint')}</p>
      </fieldset>
      <p className="field-hint">{s('smsSaveHint')}</p>
    </>
  );
}
