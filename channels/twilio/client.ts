// Twilio's REST client for one channel account, and what its failures mean to Omnidesk. Requests go
// through the SDK's own http-client seam: a RequestClient subclass that sends Twilio's API hosts to
// `apiBaseUrl` when one is set (a regional edge, an egress proxy, or a local fake in tests).
import twilio from 'twilio';
import { AppError } from '../../server/domain/errors.js';
import { ChannelError } from '../types.js';
import { apiBaseOf, type TwilioCredentials, type TwilioSettings } from './account.js';

type RequestOptions = Parameters<twilio.RequestClient['request']>[0];
type RequestClientOptions = ConstructorParameters<typeof twilio.RequestClient>[0];
export type TwilioRestClient = twilio.Twilio;

/** Requests to Twilio time out after this long (well inside the outbox's lease, so a slow send is never sent twice at once). */
export const TWILIO_TIMEOUT_MS = 20_000;

/** Twilio's own API hosts (api.twilio.com, messaging.twilio.com, api.sydney.au1.twilio.com…). */
export const isTwilioApiHost = (hostname: string): boolean => /^([a-z0-9-]+\.)+twilio\.com$/i.test(hostname);

/** `uri` with a Twilio API origin replaced by `apiBaseUrl` (its path prefix kept); any other URI unchanged. */
export function rewriteTwilioUrl(uri: string, apiBaseUrl: string | undefined): string {
  if (!apiBaseUrl) return uri;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return uri;
  }
  if (url.protocol !== 'https:' || !isTwilioApiHost(url.hostname)) return uri;
  const base = new URL(apiBaseUrl);
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}${url.pathname}${url.search}`;
}

/** The SDK's RequestClient, pointed at `apiBaseUrl` for Twilio's hosts. */
export class TwilioHttpClient extends twilio.RequestClient {
  constructor(
    readonly apiBaseUrl: string | undefined,
    options: RequestClientOptions = {},
  ) {
    super(options);
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    return super.request<TData>({ ...opts, uri: rewriteTwilioUrl(opts.uri, this.apiBaseUrl) });
  }
}

/**
 * A REST client for one account. Each client has its own http client, so `lastResponse` (read for a
 * 429's Retry-After) belongs to this client's requests; no keep-alive, so nothing lingers between sends.
 * The SDK's own 429 retry stays off: the outbox retries with backoff.
 */
export function twilioClient(settings: TwilioSettings, credentials: TwilioCredentials): TwilioRestClient {
  const httpClient = new TwilioHttpClient(settings.apiBaseUrl, { timeout: TWILIO_TIMEOUT_MS, keepAlive: false, autoRetry: false });
  return twilio(settings.accountSid, credentials.authToken, { httpClient, autoRetry: false });
}

/** What Twilio said, when it answered (RestException, or the RFC 9457 TwilioServiceException). */
interface TwilioFailure {
  status: number;
  code?: number;
  message?: string;
  detail?: string;
  title?: string;
}

const isTwilioFailure = (err: unknown): err is TwilioFailure =>
  typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number';

/** The message's own fault (a bad number, body or media): sending it again cannot help. */
const INVALID_PAYLOAD_CODES = new Set([
  21211, // invalid 'To' phone number
  21214, // 'To' cannot be reached
  21217, // not a valid phone number
  21401, // invalid phone number
  21602, // message body required
  21604, // 'To' required
  21614, // 'To' is not a mobile number
  21617, // body over 1,600 characters
  21619, // body or media required
  21620, // invalid media URL
  21623, // too many media
]);

/** Seconds or an HTTP date, as Retry-After gives it; at most an hour. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(String(value)) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 3_600_000) : undefined;
}

/**
 * A Twilio failure as a ChannelError the outbox acts on: 429 RATE_LIMITED (after Retry-After),
 * 5xx and network trouble TEMPORARY, 401/403 AUTH, a bad number or body INVALID_PAYLOAD, the
 * recipient's STOP (21610) and other refusals PERMANENT. The message keeps Twilio's code.
 * `client`: the client that failed, whose last response carries Retry-After.
 */
export function twilioChannelError(err: unknown, client?: TwilioRestClient): ChannelError {
  if (err instanceof ChannelError) return err;
  if (!isTwilioFailure(err)) {
    const e = err as { code?: string; message?: string } | undefined;
    return new ChannelError('TEMPORARY', `could not reach Twilio: ${e?.code ?? e?.message ?? String(err)}`);
  }
  const said = (err.detail ?? err.message ?? err.title ?? '').slice(0, 300);
  const text = err.code ? `Twilio ${err.code}: ${said}` : `Twilio HTTP ${err.status}: ${said}`;
  if (err.status === 429 || err.code === 20429) {
    const headers = (client?.httpClient as twilio.RequestClient | undefined)?.lastResponse?.headers as Record<string, unknown> | undefined;
    return new ChannelError('RATE_LIMITED', text, retryAfterMs(headers?.['retry-after']));
  }
  if (err.status >= 500) return new ChannelError('TEMPORARY', text);
  if (err.status === 401 || err.status === 403 || err.code === 20003) {
    return new ChannelError('AUTH', `${text} (check the account's Account SID and auth token)`);
  }
  if (err.code === 21610) {
    return new ChannelError(
      'PERMANENT',
      `Twilio 21610: the recipient replied STOP to this number; Twilio delivers nothing to them until they reply START`,
    );
  }
  if (err.code !== undefined && INVALID_PAYLOAD_CODES.has(err.code)) return new ChannelError('INVALID_PAYLOAD', text);
  return new ChannelError('PERMANENT', text);
}

/**
 * Checks an account's settings and token by reading its account resource through the same client
 * sends use; throws a VALIDATION AppError that says what failed (details: {service: 'twilio', step}).
 */
export async function checkTwilioAccount(settings: TwilioSettings, credentials: TwilioCredentials): Promise<void> {
  const client = twilioClient(settings, credentials);
  const fail = (step: 'host' | 'login' | 'account', message: string) => new AppError('VALIDATION', message, { service: 'twilio', step });
  let account;
  try {
    account = await client.api.v2010.accounts(settings.accountSid).fetch();
  } catch (err) {
    if (!isTwilioFailure(err)) {
      const e = err as { code?: string; message?: string };
      throw fail('host', `Twilio: could not reach ${apiBaseOf(settings)} (${e.code ?? e.message ?? String(err)})`);
    }
    if (err.status === 401 || err.status === 403) {
      throw fail('login', `Twilio refused the Account SID and auth token (${err.code ?? err.status}); copy both from the Twilio console`);
    }
    if (err.status === 404) throw fail('account', `Twilio has no account ${settings.accountSid} for this auth token`);
    throw fail('account', `Twilio: reading account ${settings.accountSid} failed: ${twilioChannelError(err).message}`);
  }
  if (account.status !== 'active') {
    throw fail('account', `the Twilio account ${settings.accountSid} is ${account.status}; only an active account can send and receive`);
  }
}
