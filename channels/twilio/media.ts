// Downloading media Twilio holds for an account (MMS pictures, call recordings). A webhook names the
// URL, and a webhook's contents are the sender's to choose, so only Twilio's own media hosts are
// fetched: its API (with the account's credentials, as "Enforce HTTP Auth on Media URLs" requires),
// its CDN (*.twiliocdn.com: short-lived signed URLs, fetched without credentials), and the API base
// set for the account (an egress proxy, or a local fake in tests). Anything else is refused before a
// single byte is sent, redirects included: each hop is checked, and credentials go to the API alone.
import { fetchMedia, type MediaFetchOptions, type MediaFetchResult, type MediaWording } from '../media-download.js';
import { apiBaseOf, type TwilioCredentials, type TwilioSettings } from './account.js';
import { rewriteTwilioUrl } from './client.js';

const WORDS = { provider: 'Twilio', noun: 'media', download: 'the media download' } satisfies MediaWording;
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

/** Downloads one media file Twilio holds for the account, following at most three redirects, each checked. */
export async function fetchTwilioMedia(
  settings: TwilioSettings,
  credentials: TwilioCredentials,
  rawUrl: string,
  options: MediaFetchOptions,
): Promise<MediaFetchResult> {
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${credentials.authToken}`).toString('base64')}`;
  return fetchMedia(rawUrl, options, WORDS, (url, hop) => {
    const kind = twilioMediaHost(url, settings, hop > 0);
    if (!kind) return null;
    return kind === 'api' ? { href: rewriteTwilioUrl(url.href, settings.apiBaseUrl), headers: { authorization } } : { href: url.href };
  });
}
