// Attachments need the bearer header, so they are fetched into blob URLs rather than linked: images
// are shown (a click opens them full size), other files download on click.
import { useEffect, useState } from 'react';
import type { MessagePart } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n } from '../i18n';

type FilePart = Extract<MessagePart, { type: 'image' | 'file' }>;

// Images as blob URLs, kept per login (bounded, least recently used first out), so a row that the
// virtualized timeline unmounts and mounts again while scrolling shows its image without a refetch.
const MAX_CACHED_IMAGES = 100;
const imageCache = new WeakMap<Api, Map<string, Promise<string>>>();

function imageUrl(api: Api, id: string): Promise<string> {
  let cache = imageCache.get(api);
  if (!cache) imageCache.set(api, (cache = new Map()));
  let url = cache.get(id);
  if (url)
    cache.delete(id); // re-inserted below as the most recent
  else {
    url = api.attachment(id).then((blob) => URL.createObjectURL(blob));
    url.catch(() => cache.delete(id));
  }
  cache.set(id, url);
  if (cache.size > MAX_CACHED_IMAGES) {
    const [oldest, dropped] = cache.entries().next().value!;
    cache.delete(oldest);
    dropped.then(URL.revokeObjectURL, () => undefined);
  }
  return url;
}

export function ImageAttachment({ api, part }: { api: Api; part: FilePart }) {
  const { t } = useI18n();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    imageUrl(api, part.attachmentId).then(
      (u) => !cancelled && setUrl(u),
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
    };
  }, [api, part.attachmentId]);

  if (failed) return <p className="attachment-error">{t('attachmentFailed')}</p>;
  if (!url) return <div className="image-placeholder" role="img" aria-busy="true" aria-label={part.filename} />;
  return (
    <a className="image-link" href={url} target="_blank" rel="noopener noreferrer" title={part.filename}>
      <img className="bubble-image" src={url} alt={part.filename} />
    </a>
  );
}

export function FileAttachment({ api, part }: { api: Api; part: FilePart }) {
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);

  const download = async () => {
    try {
      const url = URL.createObjectURL(await api.attachment(part.attachmentId));
      const a = document.createElement('a');
      a.href = url;
      a.download = part.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download has started by then
      setFailed(false);
    } catch {
      setFailed(true);
    }
  };

  return (
    <button
      type="button"
      className="file-attachment"
      onClick={download}
      title={t('download')}
      aria-label={`${t('download')} ${part.filename} (${formatSize(part.size)})`}
    >
      <span className="file-icon" aria-hidden="true">
        ⤓
      </span>
      <span className="file-name">{part.filename}</span>
      <span className="file-size">{formatSize(part.size)}</span>
      {failed && <span className="attachment-error">{t('attachmentFailed')}</span>}
    </button>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
