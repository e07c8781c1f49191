// Downloading media Twilio holds for an account (MMS pictures, call recordings). A webhook names the
// URL, and a webhook's contents are the sender's to choose, so only Twilio's own media hosts are
// fetched: its API (with the account's credentials, as "Enforce HTTP Auth on Media URLs" requires),
// its CDN (*.twiliocdn.com: short-lived signed URLs, fetched without credentials), and the API base
// set for the account (an egress proxy, or a local fake in tests). Anything else is refused before a
// single byte is sent, redirects included: each hop is checked, and credentials go to the API alone.
import { apiBaseOf, type TwilioCredentials, type TwilioSettings } from './account.js';
import { rewriteTwilioUrl } from './client.js';

export type MediaFetchResult =
  | { ok: true; bytes: Buffer; contentType: string | null }
  /** refused: not a Twilio media address; too_large: over the cap; failed: Twilio or the network failed (`temporary`: worth another try). */
  | { ok: false; reason: 'refused' | 'too_large' | 'failed'; message: string; temporary: boolean };

export interface MediaFetchOptions {
  maxBytes: number;
  timeoutMs?: number;
}

const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Twilio's API hosts: api.twilio.com and its regional forms (api.sydney.au1.twilio.com). */
const API_HOST = /^api(\.[a-z0-9-]+){0,2}\.twilio\.com$/i;
/** Media without HTTP auth enabled lives in Twilio's S3 bucket named media.twiliocdn.com, reached by a redirect from the API. */
const LEGACY_S3_HOSTS = new Set(['s3-external-1.amazonaws.com', 's3.amazonaws.com']);

/**
 * Which kind of Twilio media address `url` is: 'api' (credentials go with the request), 'cdn'
 * (signed URL, no credentials), or null: not Twilio's, refused. `redirected`: reached through a
 * redirect from Twilio, which may also point into Twilio's legacy S3 bucket.
 */
export function twilioMediaHost(url: URL, settings: Pick<TwilioSettings, 'apiBaseUrl'>, redirected = false): 'api' | 'cdn' | null {
  if (url.username || url.password) return null;
  if (settings.apiBaseUrl && url.origin === new URL(apiBaseOf(settings)).origin) return 'api';
  if (url.protocol !== 'https:' || (url.port !== '' && url.port !== '443')) return null;
  const host = url.hostname.toLowerCase();
  if (API_HOST.test(host)) return 'api';
  if (host === 'twiliocdn.com' || host.endsWith('.twiliocdn.com')) return 'cdn';
  if (redirected && LEGACY_S3_HOSTS.has(host) && url.pathname.startsWith('/media.twiliocdn.com/')) return 'cdn';
  return null;
}

async function readCapped(res: Response, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Downloads one media file Twilio holds for the account, following at most three redirects, each checked. */
export async function fetchTwilioMedia(
  settings: TwilioSettings,
  credentials: TwilioCredentials,
  rawUrl: string,
  options: MediaFetchOptions,
): Promise<MediaFetchResult> {
  const refused = (what: string): MediaFetchResult => ({
    ok: false,
    reason: 'refused',
    message: `${what} is not a Twilio media address`,
    temporary: false,
  });
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return refused('the media URL');
  }
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${credentials.authToken}`).toString('base64')}`;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const kind = twilioMediaHost(url, settings, hop > 0);
    if (!kind) return refused(url.host || 'the media URL');
    const target = kind === 'api' ? rewriteTwilioUrl(url.href, settings.apiBaseUrl) : url.href;
    let res: Response;
    try {
      res = await fetch(target, {
        headers: kind === 'api' ? { authorization } : {},
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name ?? String(err);
      return { ok: false, reason: 'failed', message: `could not download the media (${cause})`, temporary: true };
    }
    if (REDIRECTS.has(res.status)) {
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location) return { ok: false, reason: 'failed', message: `Twilio answered ${res.status} without a Location`, temporary: false };
      try {
        url = new URL(location, target);
      } catch {
        return refused('the redirect');
      }
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      const temporary = res.status >= 500 || res.status === 429;
      return { ok: false, reason: 'failed', message: `Twilio answered ${res.status} for the media`, temporary };
    }
    let bytes: Buffer | undefined;
    try {
      bytes = await readCapped(res, options.maxBytes);
    } catch (err) {
      return { ok: false, reason: 'failed', message: `the media download broke off (${(err as Error).message})`, temporary: true };
    }
    if (!bytes) return { ok: false, reason: 'too_large', message: `the media is larger than ${options.maxBytes} bytes`, temporary: false };
    return { ok: true, bytes, contentType: res.headers.get('content-type') };
  }
  return { ok: false, reason: 'failed', message: `more than ${MAX_REDIRECTS} redirects`, temporary: false };
}
