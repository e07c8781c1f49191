// Attachments need the bearer header, so they are fetched into blob URLs rather than linked.
import { useEffect, useState } from 'react';
import type { MessagePart } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n } from '../i18n';

type FilePart = Extract<MessagePart, { type: 'image' | 'file' }>;

export function ImageAttachment({ api, part }: { api: Api; part: FilePart }) {
  const { t } = useI18n();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let objectUrl: string | null = null;
    let cancelled = false;
    api.attachment(part.attachmentId).then(
      (blob) => {
        if (cancelled) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, part.attachmentId]);

  if (failed) return <p className="attachment-error">{t('attachmentFailed')}</p>;
  if (!url) return <div className="image-placeholder" aria-busy="true" />;
  return <img className="bubble-image" src={url} alt={part.filename} />;
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
    <button type="button" className="file-attachment" onClick={download} title={t('download')}>
      <span className="file-icon" aria-hidden="true">
        ⤓
      </span>
      <span className="file-name">{part.filename}</span>
      <span className="file-size">{formatSize(part.size)}</span>
      {failed && <span className="attachment-error">{t('attachmentFailed')}</span>}
    </button>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
