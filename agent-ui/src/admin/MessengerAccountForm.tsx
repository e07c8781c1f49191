// A Messenger account's own part of the channel account forms: the Facebook page ID (a setting), the
// app secret, page access token and verify token (write-only: typed here, sealed by the server, never
// shown again), and the Graph API base for an egress proxy. A new account's verify token is made up
// here and shown with a copy button, as it must also be pasted into the Meta app's webhook settings
// (with the webhook URL the account returns). `useMessengerAccount` sends settings only when changed
// (a rename does not ask Meta again) and credentials only when typed (empty fields keep the stored ones).
import { useState } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { CopyButton, Field, type Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

/** The settings as the form edits them (channels/messenger/account.ts, MessengerSettings). */
export interface MessengerDraft {
  pageId: string;
  graphBaseUrl: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function messengerDraftOf(stored: Record<string, unknown> | null): MessengerDraft {
  return { pageId: text(stored?.pageId), graphBaseUrl: text(stored?.graphBaseUrl) };
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
  const editing = account !== null;
  const [saved, setSaved] = useState(() => messengerDraftOf(account?.settings ?? null));
  const [draft, setDraft] = useState(saved);
  const [appSecret, setAppSecret] = useState('');
  const [pageAccessToken, setPageAccessToken] = useState('');
  const [verifyToken, setVerifyToken] = useState(() => (editing ? '' : newVerifyToken()));

  /** Runs the request with what changed; returns its answer, or undefined when it was refused (the form keeps what was typed). */
  const save = async <T,>(submit: Submit, request: (payload: MessengerPayload) => Promise<T>): Promise<T | undefined> => {
    const settings = messengerSettingsOf(draft);
    const changed = !editing || JSON.stringify(settings) !== JSON.stringify(messengerSettingsOf(saved));
    const typed = appSecret.trim() || pageAccessToken.trim() || (editing && verifyToken.trim());
    const sent = draft;
    const result = await submit.run(() =>
      request({
        ...(changed && { settings }),
        ...(typed && {
          credentials: { appSecret: appSecret.trim(), pageAccessToken: pageAccessToken.trim(), verifyToken: verifyToken.trim() },
        }),
      }),
    );
    if (result !== undefined) {
      setSaved(sent);
      setAppSecret('');
      setPageAccessToken('');
      if (editing) setVerifyToken('');
    }
    return result;
  };

  return { editing, draft, setDraft, appSecret, setAppSecret, pageAccessToken, setPageAccessToken, verifyToken, setVerifyToken, save };
}

export type MessengerAccount = ReturnType<typeof useMessengerAccount>;

/** The Messenger section of the account form, inside its form body (the webhook URL is shown with the account's URLs). */
export function MessengerAccountFields({ messenger, submit }: { messenger: MessengerAccount; submit: Submit }) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft } = messenger;
  const set = (patch: Partial<MessengerDraft>) => messenger.setDraft((d) => ({ ...d, ...patch }));
  const keep = messenger.editing ? 'messengerSecretsKeepHint' : 'passwordNewHint';
  return (
    <>
      <fieldset className="form-section">
        <legend>{s('messengerPage')}</legend>
        <div className="field-row two">
          <Field label={s('messengerPageId')} hint={s('messengerPageIdHint')} error={f('pageId')}>
            {(a11y) => (
              <input
                {...a11y}
                inputMode="numeric"
                autoComplete="off"
                spellCheck={false}
                value={draft.pageId}
                onChange={(e) => set({ pageId: e.target.value })}
              />
            )}
          </Field>
          <Field label={s('messengerGraphBaseUrl')} hint={s('messengerGraphBaseUrlHint')} error={f('graphBaseUrl')}>
            {(a11y) => (
              <input
                {...a11y}
                type="url"
                autoComplete="off"
                spellCheck={false}
                placeholder="https://graph.facebook.com/v21.0"
                value={draft.graphBaseUrl}
                onChange={(e) => set({ graphBaseUrl: e.target.value })}
              />
            )}
          </Field>
        </div>
        <div className="field-row two">
          <Field label={s('messengerAppSecret')} hint={s(keep)} error={f('appSecret') ?? f('credentials')}>
            {(a11y) => (
              <input
                {...a11y}
                type="password"
                autoComplete="new-password"
                value={messenger.appSecret}
                onChange={(e) => messenger.setAppSecret(e.target.value)}
              />
            )}
          </Field>
          <Field label={s('messengerPageToken')} hint={s('messengerPageTokenHint')} error={f('pageAccessToken')}>
            {(a11y) => (
              <input
                {...a11y}
                type="password"
                autoComplete="new-password"
                value={messenger.pageAccessToken}
                onChange={(e) => messenger.setPageAccessToken(e.target.value)}
              />
            )}
          </Field>
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
