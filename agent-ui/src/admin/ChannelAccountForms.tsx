// Adding a channel account and changing one. Credentials are write-only: typed here, sealed by the
// server, never shown again (a change replaces them). An email account's settings and passwords come
// from EmailAccountForm.tsx, an SMS account's from SmsAccountForm.tsx, a LINE channel's from
// LineAccountForm.tsx, a Messenger page's from MessengerAccountForm.tsx, a voice number's from
// VoiceAccountForm.tsx, inside the same form (their shared pieces are in account-form-kit.tsx).
import { useId, useState, type FormEvent } from 'react';
import { CHANNEL_KINDS, type ChannelAccount, type ChannelKind } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import type { AccountUrls, AdminApi, NewAccountBody, Queue } from './admin-api';
import { EmailAccountFields, useEmailAccount } from './EmailAccountForm';
import { SmsAccountFields, useSmsAccount } from './SmsAccountForm';
import { LineAccountFields, useLineAccount } from './LineAccountForm';
import { MessengerAccountFields, useMessengerAccount } from './MessengerAccountForm';
import { VoiceAccountFields, useVoiceAccount } from './VoiceAccountForm';
import { SlackAccountFields, useSlackAccount } from './SlackAccountForm';
import { FormActions, Field, useSubmit, type Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

interface Secret {
  key: string;
  value: string;
}

/** Key/value rows with masked values; only rows with a key are sent. */
function CredentialRows({ rows, onChange, error }: { rows: Secret[]; onChange: (rows: Secret[]) => void; error?: string }) {
  const s = useStrings(ADMIN_STRINGS);
  const set = (i: number, patch: Partial<Secret>) => onChange(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  return (
    <div className="credential-rows">
      {rows.map((row, i) => (
        <div key={i} className="credential-row">
          <input
            aria-label={`${s('credentialName')} ${i + 1}`}
            placeholder={s('credentialName')}
            value={row.key}
            onChange={(e) => set(i, { key: e.target.value })}
          />
          <input
            aria-label={`${s('credentialValue')} ${i + 1}`}
            placeholder={s('credentialValue')}
            type="password"
            autoComplete="off"
            value={row.value}
            onChange={(e) => set(i, { value: e.target.value })}
          />
          <button
            type="button"
            className="btn btn-quiet btn-small"
            aria-label={s('removeWhat', { what: row.key || `${s('credentialName')} ${i + 1}` })}
            onClick={() => onChange(rows.filter((_, k) => k !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        + {s('addCredential')}
      </button>
      <p className="field-hint">{s('credentialsHint')}</p>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

const credentialsOf = (rows: Secret[]) => {
  const filled = rows.filter((r) => r.key.trim() !== '');
  return filled.length > 0 ? Object.fromEntries(filled.map((r) => [r.key.trim(), r.value])) : undefined;
};

function QueueSelect({
  kind,
  queues,
  value,
  onChange,
  error,
}: {
  kind: ChannelKind;
  queues: Queue[];
  value: string;
  onChange: (id: string) => void;
  error?: string;
}) {
  const s = useStrings(ADMIN_STRINGS);
  const { t } = useI18n();
  const serving = queues.filter((q) => q.channels.includes(kind) || q.id === value);
  return (
    <Field label={s('feedsQueue')} error={error} hint={s('feedsQueueHint', { channel: t(`channel_${kind}`) })}>
      {(a11y) => (
        <select {...a11y} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{s('noQueue')}</option>
          {serving.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** What a kind's own part of the form adds to the create or update request. */
type OwnPayload = Pick<NewAccountBody, 'settings' | 'credentials'>;
type SaveOwn = <T>(submit: Submit, request: (payload: OwnPayload) => Promise<T>) => Promise<T | undefined>;

/** The kinds with their own part of the form (settings and secrets of their own), for one account (null: a new one). */
function useOwnParts(account: ChannelAccount | null) {
  const email = useEmailAccount(account);
  const sms = useSmsAccount(account);
  const line = useLineAccount(account);
  const messenger = useMessengerAccount(account);
  const voice = useVoiceAccount(account);
  const slack = useSlackAccount(account);
  const saves: Partial<Record<ChannelKind, SaveOwn>> = {
    email: email.save,
    sms: sms.save,
    line: line.save,
    messenger: messenger.save,
    voice: voice.save,
    slack: slack.save,
  };
  return { email, sms, line, messenger, voice, slack, saves };
}

type OwnParts = ReturnType<typeof useOwnParts>;

/** A kind's own part, inside the form body; nothing for a kind without one. */
function OwnFields({
  kind,
  parts,
  submit,
  admin,
  queues,
}: {
  kind: ChannelKind;
  parts: OwnParts;
  submit: Submit;
  admin: AdminApi;
  queues: Queue[];
}) {
  switch (kind) {
    case 'email':
      return <EmailAccountFields email={parts.email} submit={submit} />;
    case 'sms':
      return <SmsAccountFields sms={parts.sms} submit={submit} />;
    case 'line':
      return <LineAccountFields line={parts.line} submit={submit} />;
    case 'messenger':
      return <MessengerAccountFields messenger={parts.messenger} submit={submit} />;
    case 'voice':
      return <VoiceAccountFields voice={parts.voice} submit={submit} admin={admin} queues={queues} />;
    case 'slack':
      return <SlackAccountFields slack={parts.slack} submit={submit} queues={queues} />;
    default:
      return null;
  }
}

interface NewProps {
  admin: AdminApi;
  queues: Queue[];
  onCreated: (account: ChannelAccount, urls: AccountUrls) => void;
  onCancel: () => void;
}

export function NewChannelAccountForm({ admin, queues, onCreated, onCancel }: NewProps) {
  const s = useStrings(ADMIN_STRINGS);
  const { t } = useI18n();
  const [kind, setKind] = useState<ChannelKind>('web_chat');
  const [name, setName] = useState('');
  const [queueId, setQueueId] = useState('');
  const [secrets, setSecrets] = useState<Secret[]>([]);
  const parts = useOwnParts(null);
  const own = parts.saves[kind];
  const submit = useSubmit();
  const f = submit.fieldError;
  const credentialsId = useId();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    // A call's queue is the IVR flow's to choose; a Slack account has no conversations of its own.
    const body = { kind, name, queueId: kind === 'voice' || kind === 'slack' ? null : queueId || null };
    const credentials = credentialsOf(secrets);
    const created = own
      ? await own(submit, (payload) => admin.createAccount({ ...body, ...payload }))
      : await submit.run(() => admin.createAccount({ ...body, ...(credentials && { credentials }) }));
    if (created) onCreated(created.account, created.urls);
  };
  return (
    <form className="admin-form" onSubmit={save} noValidate aria-label={s('newAccount')}>
      <div className="form-body">
        <Field label={s('channelKind')} error={f('kind')}>
          {(a11y) => (
            <select
              {...a11y}
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as ChannelKind);
                submit.reset();
              }}
            >
              {CHANNEL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`channel_${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={s('accountName')} error={f('name')} hint={s('accountNameHint')}>
          {(a11y) => <input {...a11y} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        {kind !== 'voice' && kind !== 'slack' && (
          <QueueSelect kind={kind} queues={queues} value={queueId} onChange={setQueueId} error={f('queueId')} />
        )}
        <OwnFields kind={kind} parts={parts} submit={submit} admin={admin} queues={queues} />
        {kind !== 'web_chat' && !own && (
          <div className="admin-field" role="group" aria-labelledby={credentialsId}>
            <span className="label" id={credentialsId}>
              {s('credentials')}
            </span>
            <CredentialRows rows={secrets} onChange={setSecrets} error={f('credentials')} />
          </div>
        )}
      </div>
      <FormActions submit={kind === 'email' ? parts.email.footer(submit) : submit} label={s('createAccount')} onCancel={onCancel} />
    </form>
  );
}

interface EditProps {
  admin: AdminApi;
  account: ChannelAccount;
  queues: Queue[];
  canEdit: boolean;
  onSaved: (account: ChannelAccount, urls: AccountUrls) => void;
}

export function EditChannelAccountForm({ admin, account, queues, canEdit, onSaved }: EditProps) {
  const s = useStrings(ADMIN_STRINGS);
  const [name, setName] = useState(account.name);
  const [queueId, setQueueId] = useState(account.queueId ?? '');
  const [active, setActive] = useState(account.active);
  const [secrets, setSecrets] = useState<Secret[]>([]);
  const [saved, setSaved] = useState(false);
  const parts = useOwnParts(account);
  const own = parts.saves[account.kind];
  const isEmail = account.kind === 'email';
  // A call's queue is the IVR flow's to choose; a Slack account has no conversations of its own.
  const noQueue = account.kind === 'voice' || account.kind === 'slack';
  const submit = useSubmit();
  const f = submit.fieldError;
  const credentialsId = useId();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const patch = { name, queueId: queueId || null, active };
    const credentials = credentialsOf(secrets);
    const result = own
      ? await own(submit, (payload) => admin.updateAccount(account.id, { ...patch, ...payload }))
      : await submit.run(() => admin.updateAccount(account.id, { ...patch, ...(credentials && { credentials }) }));
    if (result) {
      setSecrets([]);
      setSaved(true);
      onSaved(result.account, result.urls);
    }
  };
  return (
    <form className="admin-form" onSubmit={save} noValidate aria-label={s('accountSettings')}>
      <fieldset className="form-body" disabled={!canEdit}>
        <Field label={s('accountName')} error={f('name')}>
          {(a11y) => <input {...a11y} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        {/* Shown to an account without a queue of its own only to clear one set before. */}
        {(!noQueue || account.queueId) && (
          <QueueSelect kind={account.kind} queues={queues} value={queueId} onChange={setQueueId} error={f('queueId')} />
        )}
        <label className="check">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          {s('accountActive')}
        </label>
        <OwnFields kind={account.kind} parts={parts} submit={submit} admin={admin} queues={queues} />
        {account.kind !== 'web_chat' && !own && (
          <div className="admin-field" role="group" aria-labelledby={credentialsId}>
            <span className="label" id={credentialsId}>
              {s('replaceCredentials')}
            </span>
            <CredentialRows rows={secrets} onChange={setSecrets} error={f('credentials')} />
          </div>
        )}
      </fieldset>
      {canEdit && (
        <FormActions
          submit={isEmail ? parts.email.footer(submit) : submit}
          label={s('saveChanges')}
          saved={saved ? s('accountSaved') : null}
        />
      )}
    </form>
  );
}
