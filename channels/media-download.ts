// Downloading a file a provider holds for a customer's message (an MMS picture, a Messenger
// attachment, LINE content), with a cap on its size. Where a webhook names the address, its contents
// are the sender's to influence, so the channel checks every hop (redirects included) before a byte
// is sent; its check also says which credentials, if any, go with the request.

export type MediaFetchResult =
  | { ok: true; bytes: Buffer; contentType: string | null }
  /** refused: not the provider's address; too_large: over the cap; failed: the provider or the network failed (`temporary`: worth another try). */
  | { ok: false; reason: 'refused' | 'too_large' | 'failed'; message: string; temporary: boolean };

export interface MediaFetchOptions {
  maxBytes: number;
  timeoutMs?: number;
}

/** How a channel's failures name the provider and the file: "Meta answered 404 for the attachment". */
export interface MediaWording {
  provider: string;
  /** The file: 'attachment', 'media'. */
  noun: string;
  /** What a download cut off on the way is called: 'the download', 'the media download'. */
  download: string;
}

/** One hop the channel allows: the address to fetch (possibly rewritten) and the headers to send it. */
export interface MediaHop {
  href: string;
  headers?: Record<string, string>;
}

const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The bytes of `body`, or undefined as soon as they pass `maxBytes` (leaving the loop cancels the rest). */
export async function readCapped(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readResponse(res: Response, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    return undefined;
  }
  return res.body ? readCapped(res.body, maxBytes) : Buffer.alloc(0);
}

/**
 * Downloads `rawUrl`, following at most three redirects; `hopOf` checks each address (`hop` 0 is the
 * one given) and answers null to refuse it.
 */
export async function fetchMedia(
  rawUrl: string,
  options: MediaFetchOptions,
  words: MediaWording,
  hopOf: (url: URL, hop: number) => MediaHop | null,
): Promise<MediaFetchResult> {
  const { provider, noun } = words;
  const refused = (what: string): MediaFetchResult => ({
    ok: false,
    reason: 'refused',
    message: `${what} is not a ${provider} media address`,
    temporary: false,
  });
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return refused(`the ${noun} URL`);
  }
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const allowed = hopOf(url, hop);
    if (!allowed) return refused(url.host || `the ${noun} URL`);
    let res: Response;
    try {
      res = await fetch(allowed.href, {
        headers: allowed.headers ?? {},
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name ?? String(err);
      return { ok: false, reason: 'failed', message: `could not download the ${noun} (${cause})`, temporary: true };
    }
    if (REDIRECTS.has(res.status)) {
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location)
        return { ok: false, reason: 'failed', message: `${provider} answered ${res.status} without a Location`, temporary: false };
      try {
        url = new URL(location, allowed.href);
      } catch {
        return refused('the redirect');
      }
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      const temporary = res.status >= 500 || res.status === 429;
      return { ok: false, reason: 'failed', message: `${provider} answered ${res.status} for the ${noun}`, temporary };
    }
    let bytes: Buffer | undefined;
    try {
      bytes = await readResponse(res, options.maxBytes);
    } catch (err) {
      return { ok: false, reason: 'failed', message: `${words.download} broke off (${(err as Error).message})`, temporary: true };
    }
    if (!bytes)
      return { ok: false, reason: 'too_large', message: `the ${noun} is larger than ${options.maxBytes} bytes`, temporary: false };
    return { ok: true, bytes, contentType: res.headers.get('content-type') };
  }
  return { ok: false, reason: 'failed', message: `more than ${MAX_REDIRECTS} redirects`, temporary: false };
}
