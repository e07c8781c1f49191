// An email account's own part of the channel account forms: incoming mail (IMAP), outgoing mail
// (SMTP), the sender and the acknowledgement, with the two passwords. The forms in
// ChannelAccountForms.tsx keep the name, the queue and the submit; `useEmailAccount` adds the settings
// and credentials to their request and remembers which server refused the login check on save, so
// that section shows the server's reason and takes the focus.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { ApiError } from '../api';
import { useStrings } from '../i18n';
import type { AfterImport, EmailCheckFailure, EmailCredentials, EmailSettings, TlsMode } from './admin-api';
import { useAccountDraft } from './account-form-kit';
import { Field, type Submit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

type Service = EmailCheckFailure['service'];

const MB = 1024 * 1024;
const TLS_MODES: TlsMode[] = ['implicit', 'starttls', 'none'];
const AFTER_IMPORT: AfterImport[] = ['seen', 'move', 'leave'];
/** The usual port of each service in each TLS mode; a port still at its default follows a mode change. */
const DEFAULT_PORT: Record<Service, Record<TlsMode, number>> = {
  imap: { implicit: 993, starttls: 143, none: 143 },
  smtp: { implicit: 465, starttls: 587, none: 25 },
};

interface ServerDraft {
  host: string;
  port: string;
  tls: TlsMode;
  user: string;
}

/** The settings as the form edits them: numbers as typed, the size in MB. */
export interface EmailDraft {
  imap: ServerDraft & { mailbox: string; afterImport: AfterImport; moveTo: string; syncDays: string; maxMb: string };
  smtp: ServerDraft;
  /** The SMTP user copies the IMAP user until it is changed by hand. */
  smtpUserFollows: boolean;
  fromAddress: string;
  fromName: string;
  signature: string;
  acknowledge: { enabled: boolean; text: string };
}

interface Passwords {
  imap: string;
  smtp: string;
  smtpSame: boolean;
}

export function draftOf(stored: Record<string, unknown> | null): EmailDraft {
  const { imap, smtp, ...rest } = (stored ?? {}) as Partial<EmailSettings>;
  return {
    imap: {
      host: imap?.host ?? '',
      port: String(imap?.port ?? DEFAULT_PORT.imap.implicit),
      tls: imap?.tls ?? 'implicit',
      user: imap?.user ?? '',
      mailbox: imap?.mailbox ?? 'INBOX',
      afterImport: imap?.afterImport ?? 'seen',
      moveTo: imap?.moveTo ?? '',
      syncDays: String(imap?.syncDays ?? 7),
      maxMb: String(Math.round(((imap?.maxBytes ?? 25 * MB) / MB) * 100) / 100),
    },
    smtp: {
      host: smtp?.host ?? '',
      port: String(smtp?.port ?? DEFAULT_PORT.smtp.implicit),
      tls: smtp?.tls ?? 'implicit',
      user: smtp?.user ?? '',
    },
    smtpUserFollows: (smtp?.user ?? '') === (imap?.user ?? ''),
    fromAddress: rest.fromAddress ?? '',
    fromName: rest.fromName ?? '',
    signature: rest.signature ?? '',
    acknowledge: { enabled: rest.acknowledge?.enabled ?? false, text: rest.acknowledge?.text ?? '' },
  };
}

/** A number as typed; blank or junk is NaN, which JSON sends as null and the API names the field. */
const numberOf = (text: string) => (text.trim() === '' ? NaN : Number(text));

export function settingsOf(d: EmailDraft): EmailSettings {
  return {
    imap: {
      host: d.imap.host.trim(),
      port: numberOf(d.imap.port),
      tls: d.imap.tls,
      user: d.imap.user.trim(),
      mailbox: d.imap.mailbox.trim(),
      afterImport: d.imap.afterImport,
      ...(d.imap.afterImport === 'move' && { moveTo: d.imap.moveTo.trim() }),
      syncDays: numberOf(d.imap.syncDays),
      maxBytes: Math.round(numberOf(d.imap.maxMb) * MB),
    },
    smtp: {
      host: d.smtp.host.trim(),
      port: numberOf(d.smtp.port),
      tls: d.smtp.tls,
      ...(d.smtp.user.trim() && { user: d.smtp.user.trim() }),
    },
    fromAddress: d.fromAddress.trim(),
    fromName: d.fromName.trim(),
    signature: d.signature,
    acknowledge: { enabled: d.acknowledge.enabled, ...(d.acknowledge.text.trim() && { text: d.acknowledge.text }) },
  };
}

function failureOf(err: unknown): EmailCheckFailure | null {
  if (!(err instanceof ApiError) || err.code !== 'VALIDATION') return null;
  const d = err.details as Partial<EmailCheckFailure> | undefined;
  return d && (d.service === 'imap' || d.service === 'smtp') ? { service: d.service, step: d.step ?? 'other' } : null;
}

/** What an email account adds to the create or update request. */
export interface EmailPayload {
  settings?: EmailSettings;
  credentials?: EmailCredentials;
}

/** The draft, the passwords and the last check failure of an email account's form (`account` null: a new one). */
export function useEmailAccount(account: ChannelAccount | null) {
  const s = useStrings(ADMIN_STRINGS);
  const form = useAccountDraft(account, draftOf, settingsOf);
  const { editing } = form;
  const [passwords, setPasswords] = useState<Passwords>({ imap: '', smtp: '', smtpSame: true });
  const [passwordError, setPasswordError] = useState<{ field: Service; message: string } | null>(null);
  const [failure, setFailure] = useState<EmailCheckFailure | null>(null);

  /** Credentials to send: always for a new account; when changing one, only when typed (both are replaced together). */
  const credentialsOf = (): EmailCredentials | undefined | { problem: Service; message: string } => {
    const { imap, smtp, smtpSame } = passwords;
    const typed = { imapPassword: imap, ...(!smtpSame && { smtpPassword: smtp }) };
    if (!editing) return typed;
    if (imap === '' && (smtpSame || smtp === '')) return undefined;
    if (imap === '') return { problem: 'imap', message: s('passwordsTogether') };
    if (!smtpSame && smtp === '') return { problem: 'smtp', message: s('smtpPasswordMissing', { same: s('smtpSamePassword') }) };
    return typed;
  };

  /**
   * Runs the request with the settings (a new account's, or changed ones: unchanged settings are not
   * sent, so renaming an account does not log in again) and the credentials. Returns its answer, or
   * undefined when it was refused (the form keeps what was typed).
   */
  const save = async <T,>(submit: Submit, request: (payload: EmailPayload) => Promise<T>): Promise<T | undefined> => {
    setFailure(null);
    setPasswordError(null);
    const credentials = credentialsOf();
    if (credentials && 'problem' in credentials) {
      setPasswordError({ field: credentials.problem, message: credentials.message });
      submit.fail(credentials.message);
      return undefined;
    }
    return form.save(
      submit,
      async (settings) => {
        try {
          return await request({ ...(settings && { settings }), ...(credentials && { credentials }) });
        } catch (err) {
          setFailure(failureOf(err));
          throw err;
        }
      },
      () => setPasswords((p) => ({ ...p, imap: '', smtp: '' })),
    );
  };

  /** What the form's footer shows: for a refused login check, where to look (the reason is in that section). */
  const footer = (submit: Submit): Submit =>
    failure && submit.error
      ? { ...submit, error: s('checkFailed', { section: s(failure.service === 'imap' ? 'emailIncoming' : 'emailOutgoing') }) }
      : submit;

  return { ...form, passwords, setPasswords, passwordError, failure, save, footer };
}

export type EmailAccount = ReturnType<typeof useEmailAccount>;

/**
 * A section of the form; when the server's check of its service failed, it says why, is outlined,
 * and its field for the failed step (`data-step` on the control) takes the focus.
 */
function Section({
  title,
  failure,
  message,
  children,
}: {
  title: string;
  failure?: EmailCheckFailure | null;
  message?: string | null;
  children: ReactNode;
}) {
  const ref = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (!failure || !ref.current) return;
    const control = ref.current.querySelector<HTMLElement>(`[data-step~="${failure.step}"]`) ?? ref.current.querySelector('input');
    control?.focus({ preventScroll: true });
    ref.current.scrollIntoView({ block: 'nearest' });
  }, [failure]);
  return (
    <fieldset ref={ref} className={`form-section email-section${failure ? ' failing' : ''}`}>
      <legend>{title}</legend>
      {failure && message && (
        <p className="field-error section-error" role="alert">
          {message}
        </p>
      )}
      {children}
    </fieldset>
  );
}

function ServerRow({
  service,
  value,
  onChange,
  fieldError,
}: {
  service: Service;
  value: ServerDraft;
  onChange: (patch: Partial<ServerDraft>) => void;
  fieldError: Submit['fieldError'];
}) {
  const s = useStrings(ADMIN_STRINGS);
  const setTls = (tls: TlsMode) => {
    // A port left at the old mode's default moves to the new mode's; one typed by hand stays.
    const untouched = value.port.trim() === '' || Number(value.port) === DEFAULT_PORT[service][value.tls];
    onChange({ tls, ...(untouched && { port: String(DEFAULT_PORT[service][tls]) }) });
  };
  return (
    <div className="field-row server-row">
      <Field label={s('server')} error={fieldError(`${service}.host`)}>
        {(a11y) => (
          <input
            {...a11y}
            data-step="host other"
            autoComplete="off"
            spellCheck={false}
            placeholder={s('serverHint', { example: `${service}.example.com` })}
            value={value.host}
            onChange={(e) => onChange({ host: e.target.value })}
          />
        )}
      </Field>
      <Field label={s('port')} error={fieldError(`${service}.port`)}>
        {(a11y) => (
          <input
            {...a11y}
            data-step="host"
            type="number"
            inputMode="numeric"
            min={1}
            max={65535}
            value={value.port}
            onChange={(e) => onChange({ port: e.target.value })}
          />
        )}
      </Field>
      <Field label={s('tlsMode')} error={fieldError(`${service}.tls`)}>
        {(a11y) => (
          <select {...a11y} data-step="tls" value={value.tls} onChange={(e) => setTls(e.target.value as TlsMode)}>
            {TLS_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {s(`tls_${mode}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}

/** The email sections of the account form, inside its form body. */
export function EmailAccountFields({ email, submit }: { email: EmailAccount; submit: Submit }) {
  const s = useStrings(ADMIN_STRINGS);
  const f = submit.fieldError;
  const { draft, set, passwords, passwordError, failure } = email;
  const setImap = (patch: Partial<EmailDraft['imap']>) =>
    email.setDraft((d) => ({
      ...d,
      imap: { ...d.imap, ...patch },
      ...(patch.user !== undefined && d.smtpUserFollows && { smtp: { ...d.smtp, user: patch.user } }),
    }));
  const setSmtp = (patch: Partial<ServerDraft>) =>
    email.setDraft((d) => ({ ...d, smtp: { ...d.smtp, ...patch }, smtpUserFollows: patch.user === undefined && d.smtpUserFollows }));
  const setPassword = (patch: Partial<Passwords>) => email.setPasswords((p) => ({ ...p, ...patch }));
  const passwordHint = s(email.editing ? 'passwordKeepHint' : 'passwordNewHint');
  const failed = (service: Service) => (failure?.service === service ? failure : null);

  return (
    <>
      <Section title={s('emailIncoming')} failure={failed('imap')} message={submit.error}>
        <ServerRow service="imap" value={draft.imap} onChange={setImap} fieldError={f} />
        <div className="field-row two">
          <Field label={s('userName')} error={f('imap.user')}>
            {(a11y) => (
              <input
                {...a11y}
                data-step="login"
                autoComplete="off"
                spellCheck={false}
                value={draft.imap.user}
                onChange={(e) => setImap({ user: e.target.value })}
              />
            )}
          </Field>
          <Field
            label={s('password')}
            hint={passwordHint}
            error={f('imapPassword') ?? (passwordError?.field === 'imap' ? passwordError.message : undefined)}
          >
            {(a11y) => (
              <input
                {...a11y}
                data-step="login"
                type="password"
                autoComplete="new-password"
                value={passwords.imap}
                onChange={(e) => setPassword({ imap: e.target.value })}
              />
            )}
          </Field>
        </div>
        <div className="field-row two">
          <Field label={s('mailbox')} hint={s('mailboxHint')} error={f('imap.mailbox')}>
            {(a11y) => (
              <input
                {...a11y}
                data-step="mailbox"
                autoComplete="off"
                value={draft.imap.mailbox}
                onChange={(e) => setImap({ mailbox: e.target.value })}
              />
            )}
          </Field>
          <Field label={s('afterImport')} error={f('imap.afterImport')}>
            {(a11y) => (
              <select {...a11y} value={draft.imap.afterImport} onChange={(e) => setImap({ afterImport: e.target.value as AfterImport })}>
                {AFTER_IMPORT.map((a) => (
                  <option key={a} value={a}>
                    {s(`afterImport_${a}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {draft.imap.afterImport === 'move' && (
            <Field label={s('moveTo')} error={f('imap.moveTo')}>
              {(a11y) => (
                <input
                  {...a11y}
                  data-step="mailbox"
                  autoComplete="off"
                  value={draft.imap.moveTo}
                  onChange={(e) => setImap({ moveTo: e.target.value })}
                />
              )}
            </Field>
          )}
        </div>
        <div className="field-row two">
          <Field label={s('syncDays')} hint={s('syncDaysHint')} error={f('imap.syncDays')}>
            {(a11y) => (
              <input
                {...a11y}
                type="number"
                inputMode="numeric"
                min={0}
                max={365}
                value={draft.imap.syncDays}
                onChange={(e) => setImap({ syncDays: e.target.value })}
              />
            )}
          </Field>
          <Field label={s('maxSize')} hint={s('maxSizeHint')} error={f('imap.maxBytes')}>
            {(a11y) => (
              <input
                {...a11y}
                type="number"
                inputMode="decimal"
                min={0.0625}
                max={100}
                step="any"
                value={draft.imap.maxMb}
                onChange={(e) => setImap({ maxMb: e.target.value })}
              />
            )}
          </Field>
        </div>
      </Section>

      <Section title={s('emailOutgoing')} failure={failed('smtp')} message={submit.error}>
        <ServerRow service="smtp" value={draft.smtp} onChange={setSmtp} fieldError={f} />
        <div className="field-row two">
          <Field label={s('userName')} hint={s('smtpUserHint')} error={f('smtp.user')}>
            {(a11y) => (
              <input
                {...a11y}
                data-step="login"
                autoComplete="off"
                spellCheck={false}
                value={draft.smtp.user}
                onChange={(e) => setSmtp({ user: e.target.value })}
              />
            )}
          </Field>
          {!passwords.smtpSame && (
            <Field
              label={s('smtpPassword')}
              hint={passwordHint}
              error={f('smtpPassword') ?? (passwordError?.field === 'smtp' ? passwordError.message : undefined)}
            >
              {(a11y) => (
                <input
                  {...a11y}
                  data-step="login"
                  type="password"
                  autoComplete="new-password"
                  value={passwords.smtp}
                  onChange={(e) => setPassword({ smtp: e.target.value })}
                />
              )}
            </Field>
          )}
        </div>
        <label className="check">
          <input type="checkbox" checked={passwords.smtpSame} onChange={(e) => setPassword({ smtpSame: e.target.checked, smtp: '' })} />
          {s('smtpSamePassword')}
        </label>
      </Section>

      <Section title={s('emailSender')}>
        <div className="field-row two">
          <Field label={s('fromAddress')} hint={s('fromAddressHint')} error={f('fromAddress')}>
            {(a11y) => (
              <input
                {...a11y}
                type="email"
                autoComplete="off"
                spellCheck={false}
                value={draft.fromAddress}
                onChange={(e) => set({ fromAddress: e.target.value })}
              />
            )}
          </Field>
          <Field label={s('fromName')} hint={s('fromNameHint')} error={f('fromName')}>
            {(a11y) => <input {...a11y} autoComplete="off" value={draft.fromName} onChange={(e) => set({ fromName: e.target.value })} />}
          </Field>
        </div>
        <Field label={s('signature')} hint={s('signatureHint')} error={f('signature')}>
          {(a11y) => <textarea {...a11y} rows={3} value={draft.signature} onChange={(e) => set({ signature: e.target.value })} />}
        </Field>
      </Section>

      <Section title={s('emailAcknowledge')}>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.acknowledge.enabled}
            onChange={(e) => set({ acknowledge: { ...draft.acknowledge, enabled: e.target.checked } })}
          />
          {s('ackEnabled')}
        </label>
        {draft.acknowledge.enabled && (
          <Field label={s('ackText')} hint={s('ackTextHint')} error={f('acknowledge')}>
            {(a11y) => (
              <textarea
                {...a11y}
                rows={3}
                value={draft.acknowledge.text}
                onChange={(e) => set({ acknowledge: { ...draft.acknowledge, text: e.target.value } })}
              />
            )}
          </Field>
        )}
      </Section>
      <p className="field-hint">{s('emailSaveHint')}</p>
    </>
  );
}
