// A LINE account's own part of the channel account forms: the channel ID (a setting), the channel
// secret and channel access token (write-only: typed here, sealed by the server, never shown again),
// and the API bases for an egress proxy. The forms in ChannelAccountForms.tsx keep the name, the queue
// and the submit; `useLineAccount` adds settings only when changed (a rename does not ask LINE again)
// and credentials only when both are typed (empty fields keep the stored ones).
import { useState } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { SecretField, SettingField, textOf, UrlField, useAccountDraft } from './account-form-kit';
import type { Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

/** The settings as the form edits them (channels/line/account.ts, LineSettings). */
export interface LineDraft {
  channelId: string;
  apiBaseUrl: string;
  dataApiBaseUrl: string;
}

export function lineDraftOf(stored: Record<string, unknown> | null): LineDraft {
  return { channelId: textOf(stored?.channelId), apiBaseUrl: textOf(stored?.apiBaseUrl), dataApiBaseUrl: textOf(stored?.dataApiBaseUrl) };
}

export function lineSettingsOf(d: LineDraft): Record<string, unknown> {
  return {
    channelId: d.channelId.trim(),
    ...(d.apiBaseUrl.trim() && { apiBaseUrl: d.apiBaseUrl.trim() }),
    ...(d.dataApiBaseUrl.trim() && { dataApiBaseUrl: d.dataApiBaseUrl.trim() }),
  };
}

export interface LinePayload {
  settings?: Record<string, unknown>;
  credentials?: { channelSecret: string; channelAccessToken: string };
}

/** The draft and the typed secrets of a LINE account's form (`account` null: a new one). */
export function useLineAccount(account: ChannelAccount | null) {
  const form = useAccountDraft(account, lineDraftOf, lineSettingsOf);
  const [channelSecret, setChannelSecret] = useState('');
  const [channelAccessToken, setChannelAccessToken] = useState('');

  /** Runs the request with what changed; returns its answer, or undefined when it was refused (the form keeps what was typed). */
  const save = <T,>(submit: Submit, request: (payload: LinePayload) => Promise<T>): Promise<T | undefined> => {
    const typed = channelSecret.trim() || channelAccessToken.trim();
    return form.save(
      submit,
      (settings) =>
        request({
          ...(settings && { settings }),
          ...(typed && { credentials: { channelSecret: channelSecret.trim(), channelAccessToken: channelAccessToken.trim() } }),
        }),
      () => {
        setChannelSecret('');
        setChannelAccessToken('');
      },
    );
  };

  return { ...form, channelSecret, setChannelSecret, channelAccessToken, setChannelAccessToken, save };
}

export type LineAccount = ReturnType<typeof useLineAccount>;

/** The LINE section of the account form, inside its form body (the webhook URL is shown with the account's URLs). */
export function LineAccountFields({ line, submit }: { line: LineAccount; submit: Submit }) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft, set } = line;
  const keep = line.editing ? 'lineSecretKeepHint' : 'passwordNewHint';
  return (
    <>
      <fieldset className="form-section">
        <legend>{s('lineChannel')}</legend>
        <div className="field-row two">
          <SettingField
            label={s('lineChannelId')}
            hint={s('lineChannelIdHint')}
            error={f('channelId')}
            inputMode="numeric"
            placeholder="1657…"
            value={draft.channelId}
            onChange={(channelId) => set({ channelId })}
          />
          <SecretField
            label={s('lineChannelSecret')}
            hint={s(keep)}
            error={f('channelSecret') ?? f('credentials')}
            value={line.channelSecret}
            onChange={line.setChannelSecret}
          />
        </div>
        <SecretField
          label={s('lineAccessToken')}
          hint={s(line.editing ? 'lineSecretKeepHint' : 'lineAccessTokenHint')}
          error={f('channelAccessToken')}
          value={line.channelAccessToken}
          onChange={line.setChannelAccessToken}
        />
        <div className="field-row two">
          <UrlField
            label={s('apiBaseUrl')}
            hint={s('lineApiBaseUrlHint')}
            error={f('apiBaseUrl')}
            placeholder="https://api.line.me"
            value={draft.apiBaseUrl}
            onChange={(apiBaseUrl) => set({ apiBaseUrl })}
          />
          <UrlField
            label={s('lineDataApiBaseUrl')}
            hint={s('lineDataApiBaseUrlHint')}
            error={f('dataApiBaseUrl')}
            placeholder="https://api-data.line.me"
            value={draft.dataApiBaseUrl}
            onChange={(dataApiBaseUrl) => set({ dataApiBaseUrl })}
          />
        </div>
      </fieldset>
      <p className="field-hint">{s('lineSaveHint')}</p>
    </>
  );
}
