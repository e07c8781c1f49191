// A Slack account's own part of the channel account forms: the conversations channel and the queues
// whose conversations are posted there, the supervisors' channel and its queue alerts, the bot token
// and signing secret (write-only: typed here, sealed by the server, never shown again), and the Web
// API base for an egress proxy. Settings are sent only when changed (a rename does not ask Slack
// again); credentials only when both are typed (empty fields keep the stored ones).
import { useState } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { SecretField, SettingField, textOf, UrlField, useAccountDraft } from './account-form-kit';
import type { Queue } from './admin-api';
import type { Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

/** The settings as the form edits them (channels/slack/account.ts, SlackSettings). */
export interface SlackDraft {
  channelId: string;
  queueIds: string[];
  supervisorsChannelId: string;
  waitingAtLeast: string;
  longestWaitMinutes: string;
  serviceLevelBelowTarget: boolean;
  apiBaseUrl: string;
}

const numberText = (v: unknown) => (typeof v === 'number' ? String(v) : '');

export function slackDraftOf(stored: Record<string, unknown> | null): SlackDraft {
  const alerts = (stored?.alerts ?? {}) as Record<string, unknown>;
  const longest = typeof alerts.longestWaitSeconds === 'number' ? alerts.longestWaitSeconds / 60 : undefined;
  return {
    channelId: textOf(stored?.channelId),
    queueIds: Array.isArray(stored?.queueIds) ? stored.queueIds.filter((q): q is string => typeof q === 'string') : [],
    supervisorsChannelId: textOf(stored?.supervisorsChannelId),
    waitingAtLeast: numberText(alerts.waitingAtLeast),
    longestWaitMinutes: numberText(longest),
    serviceLevelBelowTarget: alerts.serviceLevelBelowTarget === true,
    apiBaseUrl: textOf(stored?.apiBaseUrl),
  };
}

/** A typed whole number, or the text as typed (the server says what is wrong with it). */
const wholeNumber = (text: string): number | string => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim());

export function slackSettingsOf(d: SlackDraft): Record<string, unknown> {
  const minutes = d.longestWaitMinutes.trim();
  return {
    channelId: d.channelId.trim(),
    queueIds: d.queueIds,
    ...(d.supervisorsChannelId.trim() && { supervisorsChannelId: d.supervisorsChannelId.trim() }),
    alerts: {
      ...(d.waitingAtLeast.trim() && { waitingAtLeast: wholeNumber(d.waitingAtLeast) }),
      ...(minutes && { longestWaitSeconds: /^\d+(\.\d+)?$/.test(minutes) ? Math.round(Number(minutes) * 60) : minutes }),
      serviceLevelBelowTarget: d.serviceLevelBelowTarget,
    },
    ...(d.apiBaseUrl.trim() && { apiBaseUrl: d.apiBaseUrl.trim() }),
  };
}

export interface SlackPayload {
  settings?: Record<string, unknown>;
  credentials?: { botToken: string; signingSecret: string };
}

/** The draft and the typed secrets of a Slack account's form (`account` null: a new one). */
export function useSlackAccount(account: ChannelAccount | null) {
  const form = useAccountDraft(account, slackDraftOf, slackSettingsOf);
  const [botToken, setBotToken] = useState('');
  const [signingSecret, setSigningSecret] = useState('');

  const save = <T,>(submit: Submit, request: (payload: SlackPayload) => Promise<T>): Promise<T | undefined> => {
    const typed = botToken.trim() || signingSecret.trim();
    return form.save(
      submit,
      (settings) =>
        request({
          ...(settings && { settings }),
          ...(typed && { credentials: { botToken: botToken.trim(), signingSecret: signingSecret.trim() } }),
        }),
      () => {
        setBotToken('');
        setSigningSecret('');
      },
    );
  };

  return { ...form, botToken, setBotToken, signingSecret, setSigningSecret, save };
}

export type SlackAccount = ReturnType<typeof useSlackAccount>;

/** The Slack section of the account form, inside its form body (the events URL is shown with the account's URLs). */
export function SlackAccountFields({ slack, submit, queues }: { slack: SlackAccount; submit: Submit; queues: Queue[] }) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft, set } = slack;
  const keep = slack.editing ? 'slackSecretKeepHint' : 'passwordNewHint';
  const toggleQueue = (id: string, on: boolean) =>
    set({ queueIds: on ? [...draft.queueIds.filter((q) => q !== id), id] : draft.queueIds.filter((q) => q !== id) });
  return (
    <>
      <fieldset className="form-section">
        <legend>{s('slackApp')}</legend>
        <div className="field-row two">
          <SecretField
            label={s('slackBotToken')}
            hint={s(keep)}
            error={f('botToken') ?? f('credentials')}
            value={slack.botToken}
            onChange={slack.setBotToken}
          />
          <SecretField
            label={s('slackSigningSecret')}
            hint={s('slackSigningSecretHint')}
            error={f('signingSecret')}
            value={slack.signingSecret}
            onChange={slack.setSigningSecret}
          />
        </div>
        <UrlField
          label={s('apiBaseUrl')}
          hint={s('slackApiBaseUrlHint')}
          error={f('apiBaseUrl')}
          placeholder="https://slack.com/api/"
          value={draft.apiBaseUrl}
          onChange={(apiBaseUrl) => set({ apiBaseUrl })}
        />
      </fieldset>
      <fieldset className="form-section">
        <legend>{s('slackConversations')}</legend>
        <SettingField
          label={s('slackChannelId')}
          hint={s('slackChannelIdHint')}
          error={f('channelId')}
          placeholder="C0123ABCD"
          value={draft.channelId}
          onChange={(channelId) => set({ channelId })}
        />
        <div className="admin-field" role="group" aria-label={s('slackQueues')}>
          <span className="label">{s('slackQueues')}</span>
          <div className="check-grid">
            {queues.map((q) => (
              <label key={q.id} className="check">
                <input type="checkbox" checked={draft.queueIds.includes(q.id)} onChange={(e) => toggleQueue(q.id, e.target.checked)} />
                {q.name}
              </label>
            ))}
          </div>
          <p className="field-hint">{s('slackQueuesHint')}</p>
          {f('queueIds') && <p className="field-error">{f('queueIds')}</p>}
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend>{s('slackSupervisors')}</legend>
        <SettingField
          label={s('slackSupervisorsChannelId')}
          hint={s('slackSupervisorsChannelIdHint')}
          error={f('supervisorsChannelId')}
          placeholder="C0456EFGH"
          value={draft.supervisorsChannelId}
          onChange={(supervisorsChannelId) => set({ supervisorsChannelId })}
        />
        <div className="field-row two">
          <SettingField
            label={s('slackAlertWaiting')}
            hint={s('slackAlertWaitingHint')}
            error={f('waitingAtLeast')}
            inputMode="numeric"
            value={draft.waitingAtLeast}
            onChange={(waitingAtLeast) => set({ waitingAtLeast })}
          />
          <SettingField
            label={s('slackAlertLongestWait')}
            hint={s('slackAlertLongestWaitHint')}
            error={f('longestWaitSeconds')}
            inputMode="decimal"
            value={draft.longestWaitMinutes}
            onChange={(longestWaitMinutes) => set({ longestWaitMinutes })}
          />
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.serviceLevelBelowTarget}
            onChange={(e) => set({ serviceLevelBelowTarget: e.target.checked })}
          />
          {s('slackAlertServiceLevel')}
        </label>
      </fieldset>
      <p className="field-hint">{s('slackSaveHint')}</p>
    </>
  );
}
