// A LINE account's own part of the channel account forms: the channel ID (a setting), the channel
// secret and channel access token (write-only: typed here, sealed by the server, never shown again),
// and the API bases for an egress proxy. The forms in ChannelAccountForms.tsx keep the name, the queue
// and the submit; `useLineAccount` adds settings only when changed (a rename does not ask LINE again)
// and credentials only when both are typed (empty fields keep the stored ones).
import { useState } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { Field, type Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

/** The settings as the form edits them (channels/line/account.ts, LineSettings). */
export interface LineDraft {
  channelId: string;
  apiBaseUrl: string;
  dataApiBaseUrl: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function lineDraftOf(stored: Record<string, unknown> | null): LineDraft {
  return { channelId: text(stored?.channelId), apiBaseUrl: text(stored?.apiBaseUrl), dataApiBaseUrl: text(stored?.dataApiBaseUrl) };
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
  const editing = account !== null;
  const [saved, setSaved] = useState(() => lineDraftOf(account?.settings ?? null));
  const [draft, setDraft] = useState(saved);
  const [channelSecret, setChannelSecret] = useState('');
  const [channelAccessToken, setChannelAccessToken] = useState('');

  /** Runs the request with what changed; returns its answer, or undefined when it was refused (the form keeps what was typed). */
  const save = async <T,>(submit: Submit, request: (payload: LinePayload) => Promise<T>): Promise<T | undefined> => {
    const settings = lineSettingsOf(draft);
    const changed = !editing || JSON.stringify(settings) !== JSON.stringify(lineSettingsOf(saved));
    const typed = channelSecret.trim() || channelAccessToken.trim();
    const sent = draft;
    const result = await submit.run(() =>
      request({
        ...(changed && { settings }),
        ...(typed && { credentials: { channelSecret: channelSecret.trim(), channelAccessToken: channelAccessToken.trim() } }),
      }),
    );
    if (result !== undefined) {
      setSaved(sent);
      setChannelSecret('');
      setChannelAccessToken('');
    }
    return result;
  };

  return { editing, draft, setDraft, channelSecret, setChannelSecret, channelAccessToken, setChannelAccessToken, save };
}

export type LineAccount = ReturnType<typeof useLineAccount>;

/** The LINE section of the account form, inside its form body (the webhook URL is shown with the account's URLs). */
export function LineAccountFields({ line, submit }: { line: LineAccount; submit: Submit }) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft } = line;
  const set = (patch: Partial<LineDraft>) => line.setDraft((d) => ({ ...d, ...patch }));
  const keep = line.editing ? 'lineSecretKeepHint' : 'passwordNewHint';
  return (
    <>
      <fieldset className="form-section">
        <legend>{s('lineChannel')}</legend>
        <div className="field-row two">
          <Field label={s('lineChannelId')} hint={s('lineChannelIdHint')} error={f('channelId')}>
            {(a11y) => (
              <input
                {...a11y}
                inputMode="numeric"
                autoComplete="off"
                placeholder="1657…"
                value={draft.channelId}
                onChange={(e) => set({ channelId: e.target.value })}
              />
            )}
          </Field>
          <Field label={s('lineChannelSecret')} hint={s(keep)} error={f('channelSecret') ?? f('credentials')}>
            {(a11y) => (
              <input
                {...a11y}
                type="password"
                autoComplete="new-password"
                value={line.channelSecret}
                onChange={(e) => line.setChannelSecret(e.target.value)}
              />
            )}
          </Field>
        </div>
        <Field
          label={s('lineAccessToken')}
          hint={s(line.editing ? 'lineSecretKeepHint' : 'lineAccessTokenHint')}
          error={f('channelAccessToken')}
        >
          {(a11y) => (
            <input
              {...a11y}
              type="password"
              autoComplete="new-password"
              value={line.channelAccessToken}
              onChange={(e) => line.setChannelAccessToken(e.target.value)}
            />
          )}
        </Field>
        <div className="field-row two">
          <Field label={s('apiBaseUrl')} hint={s('lineApiBaseUrlHint')} error={f('apiBaseUrl')}>
            {(a11y) => (
              <input
                {...a11y}
                type="url"
                autoComplete="off"
                spellCheck={false}
                placeholder="https://api.line.me"
                value={draft.apiBaseUrl}
                onChange={(e) => set({ apiBaseUrl: e.target.value })}
              />
            )}
          </Field>
          <Field label={s('lineDataApiBaseUrl')} hint={s('lineDataApiBaseUrlHint')} error={f('dataApiBaseUrl')}>
            {(a11y) => (
              <input
                {...a11y}
                type="url"
                autoComplete="off"
                spellCheck={false}
                placeholder="https://api-data.line.me"
                value={draft.dataApiBaseUrl}
                onChange={(e) => set({ dataApiBaseUrl: e.target.value })}
              />
            )}
          </Field>
        </div>
      </fieldset>
      <p className="field-hint">{s('lineSaveHint')}</p>
    </>
  );
}
