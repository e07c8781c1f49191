// LINE's Messaging API for one channel account, through the SDK's own clients and their `baseURL`
// option (an egress proxy, or a local fake in tests), and what its failures mean to Omnidesk.
import { createHash } from 'node:crypto';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { AppError } from '../../server/domain/errors.js';
import { readCapped } from '../media-download.js';
import { ChannelError } from '../types.js';
import { LINE_API_BASE, LINE_DATA_API_BASE, type LineCredentials, type LineSettings } from './account.js';

/** Calls to LINE give up after this long (well inside the outbox's lease, so one message is never sent twice at once). */
export const LINE_TIMEOUT_MS = 20_000;

export const lineClient = (settings: LineSettings, credentials: LineCredentials) =>
  new messagingApi.MessagingApiClient({
    channelAccessToken: credentials.channelAccessToken,
    baseURL: settings.apiBaseUrl ?? LINE_API_BASE,
  });

export const lineBlobClient = (settings: LineSettings, credentials: LineCredentials) =>
  new messagingApi.MessagingApiBlobClient({
    channelAccessToken: credentials.channelAccessToken,
    baseURL: settings.dataApiBaseUrl ?? LINE_DATA_API_BASE,
  });

/** The SDK's calls take no timeout; this bounds them (the request itself is left to finish). */
export async function withTimeout<T>(work: Promise<T>, ms = LINE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`LINE did not answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The X-Line-Retry-Key of one of our messages: a UUID (version 5 layout) derived from its id, so every
 * retry of that message carries the same key and LINE delivers it once (a repeat answers 409).
 */
export function retryKeyOf(messageId: string): string {
  const h = createHash('sha1').update(`omnidesk line retry key\n${messageId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** What LINE said in a failure's body: `{message, details: [{message, property}]}`. */
function saidBy(err: HTTPFetchError): string {
  try {
    const body = JSON.parse(err.body) as { message?: unknown; details?: { message?: unknown; property?: unknown }[] };
    const details = (body.details ?? []).map((d) => `${String(d.property ?? '')}: ${String(d.message ?? '')}`).join('; ');
    const message = typeof body.message === 'string' ? body.message : err.statusText;
    return (details ? `${message} (${details})` : message).slice(0, 300);
  } catch {
    return (err.body || err.statusText).slice(0, 300);
  }
}

export const isLineFailure = (err: unknown): err is HTTPFetchError => err instanceof HTTPFetchError;

/** Seconds, as Retry-After gives it; at most an hour. */
function retryAfterMs(value: string | null): number | undefined {
  const seconds = Number(value);
  return value !== null && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 3_600_000) : undefined;
}

/**
 * A LINE failure as a ChannelError the outbox acts on: 429 RATE_LIMITED (after Retry-After), 5xx
 * and network trouble TEMPORARY, 401/403 AUTH, 400 INVALID_PAYLOAD, anything else PERMANENT.
 */
export function lineChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  if (!isLineFailure(err)) {
    const e = err as { code?: string; cause?: { code?: string }; message?: string } | undefined;
    return new ChannelError('TEMPORARY', `could not reach LINE: ${e?.cause?.code ?? e?.code ?? e?.message ?? String(err)}`);
  }
  const text = `LINE ${err.status}: ${saidBy(err)}`;
  if (err.status === 429) return new ChannelError('RATE_LIMITED', text, retryAfterMs(err.headers.get('retry-after')));
  if (err.status >= 500) return new ChannelError('TEMPORARY', text);
  if (err.status === 401 || err.status === 403) return new ChannelError('AUTH', `${text} (check the account's channel access token)`);
  if (err.status === 400) return new ChannelError('INVALID_PAYLOAD', text);
  return new ChannelError('PERMANENT', text);
}

/**
 * Checks an account's token by reading the bot's own profile (GET /v2/bot/info) through the client
 * sends use; throws a VALIDATION AppError that says what failed (details: {service: 'line', step}).
 */
export async function checkLineAccount(settings: LineSettings, credentials: LineCredentials): Promise<{ displayName: string }> {
  const fail = (step: 'host' | 'login' | 'account', message: string) => new AppError('VALIDATION', message, { service: 'line', step });
  try {
    const info = await withTimeout(lineClient(settings, credentials).getBotInfo());
    return { displayName: info.displayName };
  } catch (err) {
    if (!isLineFailure(err)) {
      const e = err as { code?: string; cause?: { code?: string }; message?: string };
      throw fail(
        'host',
        `LINE: could not reach ${settings.apiBaseUrl ?? LINE_API_BASE} (${e.cause?.code ?? e.code ?? e.message ?? String(err)})`,
      );
    }
    if (err.status === 401 || err.status === 403) {
      throw fail(
        'login',
        `LINE refused the channel access token (${err.status}: ${saidBy(err)}); issue a long-lived token in the LINE Developers console (Messaging API tab) and paste it again`,
      );
    }
    throw fail('account', `LINE: reading the bot's profile failed: ${lineChannelError(err).message}`);
  }
}

export interface LineProfile {
  displayName: string;
  pictureUrl?: string;
  language?: string;
}

/** A user's profile as the account sees it (GET /v2/bot/profile/:userId). */
export async function fetchLineProfile(settings: LineSettings, credentials: LineCredentials, userId: string): Promise<LineProfile> {
  const p = await withTimeout(lineClient(settings, credentials).getProfile(userId));
  return { displayName: p.displayName, pictureUrl: p.pictureUrl, language: p.language };
}

export type LineContentResult =
  | { ok: true; bytes: Buffer; contentType: string | null }
  /** too_large: over the cap; failed: LINE or the network failed (`temporary`: worth another try). */
  | { ok: false; reason: 'too_large' | 'failed'; message: string; temporary: boolean };

/**
 * Downloads what a customer sent (image, video, audio, file) from LINE's data API, with the account's
 * token. Only that API is asked: the message id comes from a signed webhook and the host from settings.
 */
export async function fetchLineContent(
  settings: LineSettings,
  credentials: LineCredentials,
  messageId: string,
  maxBytes: number,
): Promise<LineContentResult> {
  try {
    const { httpResponse, body } = await withTimeout(lineBlobClient(settings, credentials).getMessageContentWithHttpInfo(messageId));
    const declared = Number(httpResponse.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      body.destroy();
      return { ok: false, reason: 'too_large', message: `the file is larger than ${maxBytes} bytes`, temporary: false };
    }
    const bytes = await withTimeout(readCapped(body, maxBytes));
    if (!bytes) return { ok: false, reason: 'too_large', message: `the file is larger than ${maxBytes} bytes`, temporary: false };
    return { ok: true, bytes, contentType: httpResponse.headers.get('content-type') };
  } catch (err) {
    const e = lineChannelError(err);
    return { ok: false, reason: 'failed', message: `could not download it from LINE (${e.message})`, temporary: e.retryable };
  }
}
