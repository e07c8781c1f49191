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
import { SecretField, SettingField, textOf, TwilioProjectFields, UrlField, useAccountDraft } from './account-form-kit';
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

type SecretKey = 'authToken' | 'apiKeySecret' | 'apiKeySid';

export function voiceDraftOf(stored: Record<string, unknown> | null): VoiceDraft {
  return {
    accountSid: textOf(stored?.accountSid),
    phoneNumber: textOf(stored?.phoneNumber),
    apiBaseUrl: textOf(stored?.apiBaseUrl),
    flow: textOf(stored?.flow),
    holdMusicUrl: textOf(stored?.holdMusicUrl),
    voicemailQueueId: textOf(stored?.voicemailQueueId),
    apiKeySid: textOf(stored?.apiKeySid),
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
  const form = useAccountDraft(account, voiceDraftOf, voiceSettingsOf);
  const { editing, saved, draft } = form;
  const [secrets, setSecrets] = useState<VoiceSecrets>({ authToken: '', apiKeySecret: '' });
  const [secretError, setSecretError] = useState<{ field: SecretKey; message: string } | null>(null);

  /** What is missing for the credentials to be sent whole; null when nothing is. */
  const secretProblem = (): { field: SecretKey; message: string } | null => {
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
    const credentials = secrets.authToken
      ? { authToken: secrets.authToken, ...(draft.apiKeySid.trim() && secrets.apiKeySecret && { apiKeySecret: secrets.apiKeySecret }) }
      : undefined;
    return form.save(
      submit,
      (settings) => request({ ...(settings && { settings }), ...(credentials && { credentials }) }),
      () => setSecrets({ authToken: '', apiKeySecret: '' }),
    );
  };

  return { ...form, secrets, setSecrets, secretError, save };
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
          <select {...a11y} value={chosen} onChange={(e) => voice.set({ flow: e.target.value })}>
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
  const { draft, set, secrets, secretError } = voice;
  const local = (field: SecretKey) => (secretError?.field === field ? secretError.message : undefined);
  const setSecret = (patch: Partial<VoiceSecrets>) => voice.setSecrets((v) => ({ ...v, ...patch }));
  const voiceQueues = queues.filter((q) => q.channels.includes('voice') || q.id === draft.voicemailQueueId);
  return (
    <>
      <TwilioProjectFields
        account={voice}
        authToken={secrets.authToken}
        onAuthToken={(authToken) => setSecret({ authToken })}
        authTokenError={local('authToken')}
        numberLabel={s('voiceNumber')}
        submit={submit}
      />
      <fieldset className="form-section">
        <legend>{s('voiceAnswering')}</legend>
        <FlowField admin={admin} queues={queues} voice={voice} error={f('flow') ?? f('settings.flow')} />
        <div className="field-row two">
          <UrlField
            label={s('holdMusicUrl')}
            hint={s('holdMusicUrlHint')}
            error={f('holdMusicUrl')}
            placeholder="https://…/hold.mp3"
            value={draft.holdMusicUrl}
            onChange={(holdMusicUrl) => set({ holdMusicUrl })}
          />
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
          <SettingField
            label={s('apiKeySid')}
            hint={s('apiKeySidHint')}
            error={local('apiKeySid') ?? f('apiKeySid')}
            spellCheck={false}
            placeholder="SK…"
            value={draft.apiKeySid}
            onChange={(apiKeySid) => set({ apiKeySid })}
          />
          <SecretField
            label={s('apiKeySecret')}
            hint={s(voice.editing ? 'apiKeySecretKeepHint' : 'passwordNewHint')}
            error={local('apiKeySecret') ?? f('apiKeySecret')}
            value={secrets.apiKeySecret}
            onChange={(apiKeySecret) => setSecret({ apiKeySecret })}
          />
        </div>
      </fieldset>
      <p className="field-hint">{s('voiceSaveHint')}</p>
    </>
  );
}
