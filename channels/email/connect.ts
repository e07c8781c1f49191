// Opening the account's IMAP and SMTP connections, and checking them when an admin saves the account:
// a failure says which service and which step failed (the host, TLS or the login), never the password.
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { AppError } from '../../server/domain/errors.js';
import type { EmailCredentials, EmailSettings } from './account.js';

export const CONNECT_TIMEOUT_MS = 15_000;

/** A new client each time: an ImapFlow instance cannot be reconnected once closed. */
export function imapClient(settings: EmailSettings, credentials: EmailCredentials): ImapFlow {
  const { imap } = settings;
  return new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.tls === 'implicit',
    doSTARTTLS: imap.tls === 'starttls' ? true : imap.tls === 'none' ? false : undefined,
    auth: { user: imap.user, pass: credentials.imapPassword },
    logger: false,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    // IDLE soon after a pass (imapflow's default waits 15 s), so new mail is heard within a second.
    autoIdleDelay: 500,
  });
}

export function smtpTransport(settings: EmailSettings, credentials: EmailCredentials) {
  const { smtp } = settings;
  const options: SMTPTransport.Options = {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'implicit',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    auth: smtp.user ? { user: smtp.user, pass: credentials.smtpPassword ?? credentials.imapPassword } : undefined,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    // A pooled transport per account would hold connections open; sends are spread out, so one per send.
    pool: false,
  };
  return nodemailer.createTransport(options);
}

export type FailedStep = 'host' | 'tls' | 'login' | 'mailbox' | 'other';

const TLS_CODES = /^(ERR_SSL|ERR_TLS|EPROTO|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ClosedAfterConnectTLS|STARTTLS|UPGRADE_TIMEOUT)/;
const HOST_CODES =
  /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|CONNECT_TIMEOUT|GREETING_TIMEOUT|ECONNECTION|EDNS|ESOCKET|NoConnection)$/;

/** Which step a connection error says failed. */
export function failedStep(err: unknown): FailedStep {
  const e = err as { code?: string; authenticationFailed?: boolean; responseCode?: number; message?: string };
  if (e?.authenticationFailed || e?.code === 'EAUTH' || e?.responseCode === 535) return 'login';
  if (e?.code && TLS_CODES.test(e.code)) return 'tls';
  if (e?.message && /certificate|ssl|tls|wrong version number/i.test(e.message)) return 'tls';
  if (e?.code && HOST_CODES.test(e.code)) return 'host';
  return 'other';
}

function describe(service: 'IMAP' | 'SMTP', host: string, port: number, step: FailedStep, err: unknown): string {
  const detail = (err as { code?: string; message?: string })?.code ?? (err as Error)?.message ?? String(err);
  switch (step) {
    case 'host':
      return `${service}: could not reach ${host}:${port} (${detail}); check the host name and port`;
    case 'tls':
      return `${service}: the TLS handshake with ${host}:${port} failed (${detail}); check the TLS mode (implicit on 993/465, starttls on 143/587)`;
    case 'login':
      return `${service}: ${host} refused the login; check the user name and password`;
    case 'mailbox':
      return `${service}: the mailbox was not found on ${host} (${detail})`;
    default:
      return `${service}: ${host}:${port} failed: ${detail}`;
  }
}

/** Logs in to IMAP (and opens the mailbox) and to SMTP; throws a VALIDATION error naming what failed. */
export async function checkEmailAccount(settings: EmailSettings, credentials: EmailCredentials): Promise<void> {
  const client = imapClient(settings, credentials);
  client.on('error', () => undefined); // reported through connect()'s rejection
  try {
    await client.connect();
  } catch (err) {
    const step = failedStep(err);
    throw new AppError('VALIDATION', describe('IMAP', settings.imap.host, settings.imap.port, step, err), { service: 'imap', step });
  }
  try {
    await client.mailboxOpen(settings.imap.mailbox, { readOnly: true });
    if (settings.imap.afterImport === 'move' && settings.imap.moveTo) {
      const list = await client.list();
      if (!list.some((m) => m.path === settings.imap.moveTo)) {
        throw new AppError('VALIDATION', `IMAP: the folder "${settings.imap.moveTo}" to move imported mail to does not exist`, {
          service: 'imap',
          step: 'mailbox',
        });
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('VALIDATION', describe('IMAP', settings.imap.host, settings.imap.port, 'mailbox', err), {
      service: 'imap',
      step: 'mailbox',
    });
  } finally {
    await client.logout().catch(() => client.close());
  }
  const transport = smtpTransport(settings, credentials);
  try {
    await transport.verify();
  } catch (err) {
    const step = failedStep(err);
    throw new AppError('VALIDATION', describe('SMTP', settings.smtp.host, settings.smtp.port, step, err), { service: 'smtp', step });
  } finally {
    transport.close();
  }
}
