// A Messenger account's own part of the channel account forms: the Facebook page ID (a setting), the
// app secret, page access token and verify token (write-only: typed here, sealed by the server, never
// shown again), and the Graph API base for an egress proxy. A new account's verify token is made up
// here and shown with a copy button, as it must also be pasted into the Meta app's webhook settings
// (with the webhook URL the account returns). `useMessengerAccount` sends settings only when changed
// (a rename does not ask Meta again) and credentials only when typed (empty fields keep the stored ones).
import { useState } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { SecretField, SettingField, textOf, UrlField, useAccountDraft } from './account-form-kit';
import { CopyButton, Field, type Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

/** The settings as the form edits them (channels/messenger/account.ts, MessengerSettings). */
export interface MessengerDraft {
  pageId: string;
  graphBaseUrl: string;
}

export function messengerDraftOf(stored: Record<string, unknown> | null): MessengerDraft {
  return { pageId: textOf(stored?.pageId), graphBaseUrl: textOf(stored?.graphBaseUrl) };
}

export function messengerSettingsOf(d: MessengerDraft): Record<string, unknown> {
  return { pageId: d.pageId.trim(), ...(d.graphBaseUrl.trim() && { graphBaseUrl: d.graphBaseUrl.trim() }) };
}

export interface MessengerPayload {
  settings?: Record<string, unknown>;
  credentials?: { appSecret: string; pageAccessToken: string; verifyToken: string };
}

/** 24 random bytes as hex: a verify token nobody guesses. */
export function newVerifyToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The draft and the typed secrets of a Messenger account's form (`account` null: a new one). */
export function useMessengerAccount(account: ChannelAccount | null) {
  const form = useAccountDraft(account, messengerDraftOf, messengerSettingsOf);
  const { editing } = form;
  const [appSecret, setAppSecret] = useState('');
  const [pageAccessToken, setPageAccessToken] = useState('');
  const [verifyToken, setVerifyToken] = useState(() => (editing ? '' : newVerifyToken()));

  /** Runs the request with what changed; returns its answer, or undefined when it was refused (the form keeps what was typed). */
  const save = <T,>(submit: Submit, request: (payload: MessengerPayload) => Promise<T>): Promise<T | undefined> => {
    const typed = appSecret.trim() || pageAccessToken.trim() || (editing && verifyToken.trim());
    return form.save(
      submit,
      (settings) =>
        request({
          ...(settings && { settings }),
          ...(typed && {
            credentials: { appSecret: appSecret.trim(), pageAccessToken: pageAccessToken.trim(), verifyToken: verifyToken.trim() },
          }),
        }),
      () => {
        setAppSecret('');
        setPageAccessToken('');
        if (editing) setVerifyToken('');
      },
    );
  };

  return { ...form, appSecret, setAppSecret, pageAccessToken, setPageAccessToken, verifyToken, setVerifyToken, save };
}

export type MessengerAccount = ReturnType<typeof useMessengerAccount>;

/** The Messenger section of the account form, inside its form body (the webhook URL is shown with the account's URLs). */
export function MessengerAccountFields({ messenger, submit }: { messenger: MessengerAccount; submit: Submit }) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft, set } = messenger;
  const keep = messenger.editing ? 'messengerSecretsKeepHint' : 'passwordNewHint';
  return (
    <>
      <fieldset className="form-section">
        <legend>{s('messengerPage')}</legend>
        <div className="field-row two">
          <SettingField
            label={s('messengerPageId')}
            hint={s('messengerPageIdHint')}
            error={f('pageId')}
            inputMode="numeric"
            spellCheck={false}
            value={draft.pageId}
            onChange={(pageId) => set({ pageId })}
          />
          <UrlField
            label={s('messengerGraphBaseUrl')}
            hint={s('messengerGraphBaseUrlHint')}
            error={f('graphBaseUrl')}
            placeholder="https://graph.facebook.com/v21.0"
            value={draft.graphBaseUrl}
            onChange={(graphBaseUrl) => set({ graphBaseUrl })}
          />
        </div>
        <div className="field-row two">
          <SecretField
            label={s('messengerAppSecret')}
            hint={s(keep)}
            error={f('appSecret') ?? f('credentials')}
            value={messenger.appSecret}
            onChange={messenger.setAppSecret}
          />
          <SecretField
            label={s('messengerPageToken')}
            hint={s('messengerPageTokenHint')}
            error={f('pageAccessToken')}
            value={messenger.pageAccessToken}
            onChange={messenger.setPageAccessToken}
          />
        </div>
        <Field label={s('messengerVerifyToken')} hint={s('messengerVerifyTokenHint')} error={f('verifyToken')}>
          {(a11y) => (
            <div className="input-with-actions">
              <input
                {...a11y}
                autoComplete="off"
                spellCheck={false}
                value={messenger.verifyToken}
                onChange={(e) => messenger.setVerifyToken(e.target.value)}
              />
              {messenger.verifyToken && <CopyButton text={messenger.verifyToken} label={s('messengerVerifyToken')} />}
              <button type="button" className="btn btn-small" onClick={() => messenger.setVerifyToken(newVerifyToken())}>
                {s('messengerNewVerifyToken')}
              </button>
            </div>
          )}
        </Field>
      </fieldset>
      <p className="field-hint">{s('messengerSaveHint')}</p>
    </>
  );
}
