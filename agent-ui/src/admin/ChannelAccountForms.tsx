// Adding a channel account and changing one. Credentials are write-only: typed here, sealed by the
// server, never shown again (a change replaces them). An email account's settings and passwords come
// from EmailAccountForm.tsx, an SMS account's from SmsAccountForm.tsx, a Messenger page's from
// MessengerAccountForm.tsx, a voice number's from VoiceAccountForm.tsx, inside the same form.
import { useId, useState, type FormEvent } from 'react';
import { CHANNEL_KINDS, type ChannelAccount, type ChannelKind } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import type { AccountUrls, AdminApi, Queue } from './admin-api';
import { EmailAccountFields, useEmailAccount } from './EmailAccountForm';
import { SmsAccountFields, useSmsAccount } from './SmsAccountForm';
import { LineAccountFields, useLineAccount } from './LineAccountForm';
import { MessengerAccountFields, useMessengerAccount } from './MessengerAccountForm';
import { VoiceAccountFields, useVoiceAccount } from './VoiceAccountForm';
import { FormActions, Field, useSubmit } from './form-kit';
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
  const email = useEmailAccount(null);
  const sms = useSmsAccount(null);
  const line = useLineAccount(null);
  const messenger = useMessengerAccount(null);
  const voice = useVoiceAccount(null);
  const submit = useSubmit();
  const f = submit.fieldError;
  const credentialsId = useId();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = { kind, name, queueId: queueId || null };
    const credentials = credentialsOf(secrets);
    const created =
      kind === 'email'
        ? await email.save(submit, (payload) => admin.createAccount({ ...body, ...payload }))
        : kind === 'sms'
          ? await sms.save(submit, (payload) => admin.createAccount({ ...body, ...payload }))
          : kind === 'line'
            ? await line.save(submit, (payload) => admin.createAccount({ ...body, ...payload }))
            : kind === 'messenger'
              ? await messenger.save(submit, (payload) => admin.createAccount({ ...body, ...payload }))
              : kind === 'voice'
                ? await voice.save(submit, (payload) => admin.createAccount({ ...body, queueId: null, ...payload }))
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
        {kind !== 'voice' && <QueueSelect kind={kind} queues={queues} value={queueId} onChange={setQueueId} error={f('queueId')} />}
        {kind === 'email' && <EmailAccountFields email={email} submit={submit} />}
        {kind === 'sms' && <SmsAccountFields sms={sms} submit={submit} />}
        {kind === 'line' && <LineAccountFields line={line} submit={submit} />}
        {kind === 'messenger' && <MessengerAccountFields messenger={messenger} submit={submit} />}
        {kind === 'voice' && <VoiceAccountFields voice={voice} submit={submit} admin={admin} queues={queues} />}
        {kind !== 'web_chat' && kind !== 'email' && kind !== 'sms' && kind !== 'line' && kind !== 'messenger' && kind !== 'voice' && (
          <div className="admin-field" role="group" aria-labelledby={credentialsId}>
            <span className="label" id={credentialsId}>
              {s('credentials')}
            </span>
            <CredentialRows rows={secrets} onChange={setSecrets} error={f('credentials')} />
          </div>
        )}
      </div>
      <FormActions submit={kind === 'email' ? email.footer(submit) : submit} label={s('createAccount')} onCancel={onCancel} />
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
  const email = useEmailAccount(account);
  const sms = useSmsAccount(account);
  const line = useLineAccount(account);
  const messenger = useMessengerAccount(account);
  const voice = useVoiceAccount(account);
  const isEmail = account.kind === 'email';
  const isSms = account.kind === 'sms';
  const isLine = account.kind === 'line';
  const isMessenger = account.kind === 'messenger';
  const isVoice = account.kind === 'voice';
  const submit = useSubmit();
  const f = submit.fieldError;
  const credentialsId = useId();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const patch = { name, queueId: queueId || null, active };
    const credentials = credentialsOf(secrets);
    const result = isEmail
      ? await email.save(submit, (payload) => admin.updateAccount(account.id, { ...patch, ...payload }))
      : isSms
        ? await sms.save(submit, (payload) => admin.updateAccount(account.id, { ...patch, ...payload }))
        : isLine
          ? await line.save(submit, (payload) => admin.updateAccount(account.id, { ...patch, ...payload }))
          : isMessenger
            ? await messenger.save(submit, (payload) => admin.updateAccount(account.id, { ...patch, ...payload }))
            : isVoice
              ? await voice.save(submit, (payload) => admin.updateAccount(account.id, { ...patch, ...payload }))
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
        {/* A call's queue is the IVR flow's to choose; shown only to clear one set before. */}
        {(!isVoice || account.queueId) && (
          <QueueSelect kind={account.kind} queues={queues} value={queueId} onChange={setQueueId} error={f('queueId')} />
        )}
        <label className="check">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          {s('accountActive')}
        </label>
        {isEmail && <EmailAccountFields email={email} submit={submit} />}
        {isSms && <SmsAccountFields sms={sms} submit={submit} />}
        {isLine && <LineAccountFields line={line} submit={submit} />}
        {isMessenger && <MessengerAccountFields messenger={messenger} submit={submit} />}
        {isVoice && <VoiceAccountFields voice={voice} submit={submit} admin={admin} queues={queues} />}
        {account.kind !== 'web_chat' && !isEmail && !isSms && !isLine && !isMessenger && !isVoice && (
          <div className="admin-field" role="group" aria-labelledby={credentialsId}>
            <span className="label" id={credentialsId}>
              {s('replaceCredentials')}
            </span>
            <CredentialRows rows={secrets} onChange={setSecrets} error={f('credentials')} />
          </div>
        )}
      </fieldset>
      {canEdit && (
        <FormActions submit={isEmail ? email.footer(submit) : submit} label={s('saveChanges')} saved={saved ? s('accountSaved') : null} />
      )}
    </form>
  );
}
