// A voicemail (or any audio file) plays in place; like every attachment it is fetched with the
// bearer header into a blob URL, only when the agent asks for it (no download on render).
import { useEffect, useState } from 'react';
import type { MessagePart } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { FileAttachment } from '../components/Attachment';
import { VOICE_STRINGS } from './strings';

type FilePart = Extract<MessagePart, { type: 'file' }>;

export function AudioAttachment({ api, part }: { api: Api; part: FilePart }) {
  const { t } = useI18n();
  const s = useStrings(VOICE_STRINGS);
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [wanted, setWanted] = useState(false);

  useEffect(() => {
    if (!wanted) return;
    let cancelled = false;
    let made: string | null = null;
    api.attachment(part.attachmentId).then(
      (blob) => {
        made = URL.createObjectURL(blob);
        if (!cancelled) setUrl(made);
      },
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [api, part.attachmentId, wanted]);

  if (failed) return <p className="attachment-error">{t('attachmentFailed')}</p>;
  return (
    <div className="audio-attachment">
      {url ? (
        <audio controls autoPlay src={url} aria-label={s('voicemailPlayer', { name: part.filename })} />
      ) : (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setWanted(true)}
          aria-label={s('voicemailPlayer', { name: part.filename })}
        >
          ▶ {part.filename}
        </button>
      )}
      <FileAttachment api={api} part={part} />
    </div>
  );
}
