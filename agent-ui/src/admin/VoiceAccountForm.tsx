// A voice number's own part of the channel account forms: the Twilio project and number, the IVR flow
// it plays (from GET /voice/flows, with its languages and the queues it names that do not exist yet),
// hold music, where voicemails wait, and the API key that signs agents' softphone tokens. The auth token
// and the API key secret are write-only (typed here, sealed by the server, never shown again). The
// server replaces the stored credentials as a whole, so once either secret is typed on a saved number
// both are asked for; otherwise an empty field keeps the stored ones.
import { useState } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import type { AdminApi, Queue, VoiceFlow } from './admin-api';
import { Field, type Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';
import { useLoaded } from './useLoaded';

/** The settings as the form edits them (channels/voice/account.ts, VoiceSettings). */
export interface VoiceDraft {
  accountSid: string;
  phoneNumber: string;
  apiBaseUrl: string;
  flow: string;
  holdMusicUrl: string;
  voicemailQueueId: string;
  apiKeySid: string;
}

interface VoiceSecrets {
  authToken: string;
  apiKeySecret: string;
}

type SecretField = 'authToken' | 'apiKeySecret' | 'apiKeySid';

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function voiceDraftOf(stored: Record<string, unknown> | null): VoiceDraft {
  return {
    accountSid: text(stored?.accountSid),
    phoneNumber: text(stored?.phoneNumber),
    apiBaseUrl: text(stored?.apiBaseUrl),
    flow: text(stored?.flow),
    holdMusicUrl: text(stored?.holdMusicUrl),
    voicemailQueueId: text(stored?.voicemailQueueId),
    apiKeySid: text(stored?.apiKeySid),
  };
}

export function voiceSettingsOf(d: VoiceDraft): Record<string, unknown> {
  return {
    accountSid: d.accountSid.trim(),
    phoneNumber: d.phoneNumber.replace(/[\s-]/g, ''),
    flow: d.flow,
    ...(d.apiBaseUrl.trim() && { apiBaseUrl: d.apiBaseUrl.trim() }),
    ...(d.holdMusicUrl.trim() && { holdMusicUrl: d.holdMusicUrl.trim() }),
    ...(d.voicemailQueueId && { voicemailQueueId: d.voicemailQueueId }),
    ...(d.apiKeySid.trim() && { apiKeySid: d.apiKeySid.trim() }),
  };
}

export interface VoicePayload {
  settings?: Record<string, unknown>;
  credentials?: { authToken: string; apiKeySecret?: string };
}

/** The draft and the typed secrets of a voice number's form (`account` null: a new one). */
export function useVoiceAccount(account: ChannelAccount | null) {
  const s = useStrings(ADMIN_STRINGS);
  const editing = account !== null;
  const [saved, setSaved] = useState(() => voiceDraftOf(account?.settings ?? null));
  const [draft, setDraft] = useState(saved);
  const [secrets, setSecrets] = useState<VoiceSecrets>({ authToken: '', apiKeySecret: '' });
  const [secretError, setSecretError] = useState<{ field: SecretField; message: string } | null>(null);

  /** What is missing for the credentials to be sent whole; null when nothing is. */
  const secretProblem = (): { field: SecretField; message: string } | null => {
    const keySid = draft.apiKeySid.trim();
    const newKey = keySid !== '' && (!editing || keySid !== saved.apiKeySid.trim());
    if (secrets.apiKeySecret && !keySid) return { field: 'apiKeySid', message: s('apiKeySidNeeded') };
    const sending = secrets.authToken !== '' || secrets.apiKeySecret !== '' || newKey;
    if (!sending) return null;
    if (editing && !secrets.authToken) return { field: 'authToken', message: s('voiceTokenAgain') };
    if (keySid && !secrets.apiKeySecret) return { field: 'apiKeySecret', message: s(newKey ? 'apiKeySecretNeeded' : 'apiKeySecretAgain') };
    return null;
  };

  /** Runs the request with what changed; returns its answer, or undefined when it was refused (the form keeps what was typed). */
  const save = async <T,>(submit: Submit, request: (payload: VoicePayload) => Promise<T>): Promise<T | undefined> => {
    const problem = secretProblem();
    setSecretError(problem);
    if (problem) {
      submit.fail(problem.message);
      return undefined;
    }
    const settings = voiceSettingsOf(draft);
    const changed = !editing || JSON.stringify(settings) !== JSON.stringify(voiceSettingsOf(saved));
    const credentials = secrets.authToken
      ? { authToken: secrets.authToken, ...(draft.apiKeySid.trim() && secrets.apiKeySecret && { apiKeySecret: secrets.apiKeySecret }) }
      : undefined;
    const sent = draft;
    const result = await submit.run(() => request({ ...(changed && { settings }), ...(credentials && { credentials }) }));
    if (result !== undefined) {
      setSaved(sent);
      setSecrets({ authToken: '', apiKeySecret: '' });
    }
    return result;
  };

  return { editing, draft, setDraft, secrets, setSecrets, secretError, save };
}

export type VoiceAccount = ReturnType<typeof useVoiceAccount>;

/** "th-TH" → "Thai" in the console's language (the code itself where the browser has no name for it). */
function languageName(code: string, lang: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'language' }).of(code.split('-')[0]!) ?? code;
  } catch {
    return code;
  }
}

/** The flow select: each flow with its languages; under it, the queues the chosen flow names that do not exist yet. */
function FlowField({ admin, queues, voice, error }: { admin: AdminApi; queues: Queue[]; voice: VoiceAccount; error?: string }) {
  const s = useStrings(ADMIN_STRINGS);
  const { locale } = useI18n();
  const flows = useLoaded(async () => (await admin.voiceFlows()).flows);
  const chosen = voice.draft.flow;
  const flow: VoiceFlow | undefined = flows.data?.find((f) => f.name === chosen);
  const missing = flow ? flow.queues.filter((name) => !queues.some((q) => q.name === name)) : [];
  const hint = flows.error
    ? s('flowsFailed', { error: flows.error })
    : flows.data?.length === 0
      ? s('noFlows')
      : flow
        ? s('flowLanguages', { languages: flow.languages.map((l) => `${languageName(l, locale)} (${l})`).join(', ') })
        : s('ivrFlowHint');
  return (
    <>
      <Field label={s('ivrFlow')} hint={hint} error={error}>
        {(a11y) => (
          <select {...a11y} value={chosen} onChange={(e) => voice.setDraft((d) => ({ ...d, flow: e.target.value }))}>
            <option value="">{flows.data ? s('chooseFlow') : s('loading')}</option>
            {(flows.data ?? []).map((f) => (
              <option key={f.name} value={f.name}>
                {f.name} · {f.languages.join(', ')}
              </option>
            ))}
            {chosen && flows.data && !flow && <option value={chosen}>{s('flowNotLoaded', { name: chosen })}</option>}
          </select>
        )}
      </Field>
      {missing.length > 0 && (
        <p className="banner banner-warn flow-queues-missing" role="status">
          {s('flowMissingQueues', { queues: missing.map((n) => `“${n}”`).join(', ') })}
        </p>
      )}
    </>
  );
}

interface FieldsProps {
  voice: VoiceAccount;
  submit: Submit;
  admin: AdminApi;
  queues: Queue[];
}

/** The voice sections of the account form, inside its form body. */
export function VoiceAccountFields({ voice, submit, admin, queues }: FieldsProps) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft, secrets, secretError } = voice;
  const local = (field: SecretField) => (secretError?.field === field ? secretError.message : undefined);
  const set = (patch: Partial<VoiceDraft>) => voice.setDraft((d) => ({ ...d, ...patch }));
  const setSecret = (patch: Partial<VoiceSecrets>) => voice.setSecrets((v) => ({ ...v, ...patch }));
  const voiceQueues = queues.filter((q) => q.channels.includes('voice') || q.id === draft.voicemailQueueId);
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
            hint={s(voice.editing ? 'authTokenKeepHint' : 'passwordNewHint')}
            error={local('authToken') ?? f('authToken') ?? f('credentials')}
          >
            {(a11y) => (
              <input
                {...a11y}
                type="password"
                autoComplete="new-password"
                value={secrets.authToken}
                onChange={(e) => setSecret({ authToken: e.target.value })}
              />
            )}
          </Field>
        </div>
        <div className="field-row two">
          <Field label={s('voiceNumber')} hint={s('smsNumberHint')} error={f('phoneNumber')}>
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
        <legend>{s('voiceAnswering')}</legend>
        <FlowField admin={admin} queues={queues} voice={voice} error={f('flow') ?? f('settings.flow')} />
        <div className="field-row two">
          <Field label={s('holdMusicUrl')} hint={s('holdMusicUrlHint')} error={f('holdMusicUrl')}>
            {(a11y) => (
              <input
                {...a11y}
                type="url"
                autoComplete="off"
                spellCheck={false}
                placeholder="https://…/hold.mp3"
                value={draft.holdMusicUrl}
                onChange={(e) => set({ holdMusicUrl: e.target.value })}
              />
            )}
          </Field>
          <Field label={s('voicemailQueue')} hint={s('voicemailQueueHint')} error={f('voicemailQueueId')}>
            {(a11y) => (
              <select {...a11y} value={draft.voicemailQueueId} onChange={(e) => set({ voicemailQueueId: e.target.value })}>
                <option value="">{s('noVoicemailQueue')}</option>
                {voiceQueues.map((q) => (
                  <option key={q.id} value={q.id}>
                    {q.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend>{s('softphone')}</legend>
        <div className="field-row two">
          <Field label={s('apiKeySid')} hint={s('apiKeySidHint')} error={local('apiKeySid') ?? f('apiKeySid')}>
            {(a11y) => (
              <input
                {...a11y}
                autoComplete="off"
                spellCheck={false}
                placeholder="SK…"
                value={draft.apiKeySid}
                onChange={(e) => set({ apiKeySid: e.target.value })}
              />
            )}
          </Field>
          <Field
            label={s('apiKeySecret')}
            hint={s(voice.editing ? 'apiKeySecretKeepHint' : 'passwordNewHint')}
            error={local('apiKeySecret') ?? f('apiKeySecret')}
          >
            {(a11y) => (
              <input
                {...a11y}
                type="password"
                autoComplete="new-password"
                value={secrets.apiKeySecret}
                onChange={(e) => setSecret({ apiKeySecret: e.target.value })}
              />
            )}
          </Field>
        </div>
      </fieldset>
      <p className="field-hint">{s('voiceSaveHint')}</p>
    </>
  );
}
