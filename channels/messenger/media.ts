// Downloading the attachments of a Messenger message. The webhook names the URL, and a webhook's
// contents are the sender's to influence, so only Meta's CDN is fetched: *.fbcdn.net and *.fbsbx.com
// over https (signed URLs: no credentials are sent), plus the Graph base origin set for the account (an
// egress proxy, or a local fake in tests). Anything else is refused before a byte is sent, redirects
// included: each hop is checked.
import { fetchMedia, type MediaFetchOptions, type MediaFetchResult, type MediaWording } from '../media-download.js';
import { graphBaseOf, type MessengerSettings } from './account.js';

const META_CDN = /^([a-z0-9-]+\.)*(fbcdn\.net|fbsbx\.com)$/i;
const WORDS = { provider: 'Meta', noun: 'attachment', download: 'the download' } satisfies MediaWording;

/** Whether `url` is one Meta serves attachments from (or the account's configured Graph origin). */
export function isMessengerMediaUrl(url: URL, settings: Pick<MessengerSettings, 'graphBaseUrl'>): boolean {
  if (url.username || url.password) return false;
  if (settings.graphBaseUrl && url.origin === new URL(graphBaseOf(settings)).origin) return true;
  if (url.protocol !== 'https:' || (url.port !== '' && url.port !== '443')) return false;
  return META_CDN.test(url.hostname);
}

/** Downloads one attachment from Meta's CDN, following at most three redirects, each checked. */
export async function fetchMessengerMedia(
  settings: Pick<MessengerSettings, 'graphBaseUrl'>,
  rawUrl: string,
  options: MediaFetchOptions,
): Promise<MediaFetchResult> {
  return fetchMedia(rawUrl, options, WORDS, (url) => (isMessengerMediaUrl(url, settings) ? { href: url.href } : null));
}
