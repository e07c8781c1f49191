// Downloading the attachments of a Messenger message. The webhook names the URL, and a webhook's
// contents are the sender's to influence, so only Meta's CDN is fetched: *.fbcdn.net and *.fbsbx.com
// over https (signed URLs: no credentials are sent), plus the Graph base origin set for the account (an
// egress proxy, or a local fake in tests). Anything else is refused before a byte is sent, redirects
// included: each hop is checked.
import { graphBaseOf, type MessengerSettings } from './account.js';

export type MediaFetchResult =
  | { ok: true; bytes: Buffer; contentType: string | null }
  /** refused: not a Meta CDN address; too_large: over the cap; failed: Meta or the network failed (`temporary`: worth another try). */
  | { ok: false; reason: 'refused' | 'too_large' | 'failed'; message: string; temporary: boolean };

const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const META_CDN = /^([a-z0-9-]+\.)*(fbcdn\.net|fbsbx\.com)$/i;

/** Whether `url` is one Meta serves attachments from (or the account's configured Graph origin). */
export function isMessengerMediaUrl(url: URL, settings: Pick<MessengerSettings, 'graphBaseUrl'>): boolean {
  if (url.username || url.password) return false;
  if (settings.graphBaseUrl && url.origin === new URL(graphBaseOf(settings)).origin) return true;
  if (url.protocol !== 'https:' || (url.port !== '' && url.port !== '443')) return false;
  return META_CDN.test(url.hostname);
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

/** Downloads one attachment from Meta's CDN, following at most three redirects, each checked. */
export async function fetchMessengerMedia(
  settings: Pick<MessengerSettings, 'graphBaseUrl'>,
  rawUrl: string,
  options: { maxBytes: number; timeoutMs?: number },
): Promise<MediaFetchResult> {
  const refused = (what: string): MediaFetchResult => ({
    ok: false,
    reason: 'refused',
    message: `${what} is not a Meta media address`,
    temporary: false,
  });
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return refused('the attachment URL');
  }
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (!isMessengerMediaUrl(url, settings)) return refused(url.host || 'the attachment URL');
    let res: Response;
    try {
      res = await fetch(url.href, { redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name ?? String(err);
      return { ok: false, reason: 'failed', message: `could not download the attachment (${cause})`, temporary: true };
    }
    if (REDIRECTS.has(res.status)) {
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location) return { ok: false, reason: 'failed', message: `Meta answered ${res.status} without a Location`, temporary: false };
      try {
        url = new URL(location, url);
      } catch {
        return refused('the redirect');
      }
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      return {
        ok: false,
        reason: 'failed',
        message: `Meta answered ${res.status} for the attachment`,
        temporary: res.status >= 500 || res.status === 429,
      };
    }
    let bytes: Buffer | undefined;
    try {
      bytes = await readCapped(res, options.maxBytes);
    } catch (err) {
      return { ok: false, reason: 'failed', message: `the download broke off (${(err as Error).message})`, temporary: true };
    }
    if (!bytes)
      return { ok: false, reason: 'too_large', message: `the attachment is larger than ${options.maxBytes} bytes`, temporary: false };
    return { ok: true, bytes, contentType: res.headers.get('content-type') };
  }
  return { ok: false, reason: 'failed', message: `more than ${MAX_REDIRECTS} redirects`, temporary: false };
}
