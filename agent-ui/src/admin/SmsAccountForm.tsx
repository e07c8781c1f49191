// An SMS account's own part of the channel account forms: the Twilio project and number, the auth
// token (write-only: typed here, sealed by the server, never shown again), and the keyword answers.
// The forms in ChannelAccountForms.tsx keep the name, the queue and the submit; `useSmsAccount` adds
// the settings and credentials to their request (settings only when changed, so a rename does not
// ask Twilio again; the token only when typed, so an empty field keeps the stored one).
import { useState } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { textOf, TwilioProjectFields, useAccountDraft } from './account-form-kit';
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

export function smsDraftOf(stored: Record<string, unknown> | null): SmsDraft {
  return {
    accountSid: textOf(stored?.accountSid),
    phoneNumber: textOf(stored?.phoneNumber),
    apiBaseUrl: textOf(stored?.apiBaseUrl),
    helpText: textOf(stored?.helpText),
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
  const form = useAccountDraft(account, smsDraftOf, smsSettingsOf);
  const [authToken, setAuthToken] = useState('');

  /** Runs the request with what changed; returns its answer, or undefined when it was refused (the form keeps what was typed). */
  const save = <T,>(submit: Submit, request: (payload: SmsPayload) => Promise<T>): Promise<T | undefined> =>
    form.save(
      submit,
      (settings) => request({ ...(settings && { settings }), ...(authToken && { credentials: { authToken } }) }),
      () => setAuthToken(''),
    );

  return { ...form, authToken, setAuthToken, save };
}

export type SmsAccount = ReturnType<typeof useSmsAccount>;

/** The SMS sections of the account form, inside its form body. */
export function SmsAccountFields({ sms, submit }: { sms: SmsAccount; submit: Submit }) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft, set } = sms;
  return (
    <>
      <TwilioProjectFields
        account={sms}
        authToken={sms.authToken}
        onAuthToken={sms.setAuthToken}
        numberLabel={s('smsNumber')}
        submit={submit}
      />
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
