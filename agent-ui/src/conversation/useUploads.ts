// Files the agent attaches to the message being written: each is uploaded at once (so sending is
// quick), listed while it uploads, and refused with words that name the fix (too large, wrong type).
import { useCallback, useRef, useState } from 'react';
import { ApiError, type Api } from '../api';
import { formatSize } from '../components/Attachment';
import { useStrings } from '../i18n';
import type { DraftAttachment } from '../session';
import { uploadAttachment } from './conversation-api';
import { CONVERSATION_STRINGS } from './strings';

export const MAX_FILES = 10;
/** What the server accepts (it checks the bytes; this only steers the file chooser). */
export const ACCEPTED_FILES = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv,.txt,.csv,.log';

export interface PendingUpload {
  key: string;
  filename: string;
  size: number;
}

export function useUploads(api: Api, conversationId: string, initial: DraftAttachment[]) {
  const s = useStrings(CONVERSATION_STRINGS);
  const [done, setDone] = useState<DraftAttachment[]>(initial);
  const [uploading, setUploading] = useState<PendingUpload[]>([]);
  const [errors, setErrors] = useState<{ key: string; text: string }[]>([]);
  const counter = useRef(0);
  const count = useRef(initial.length);
  count.current = done.length + uploading.length;

  const explain = useCallback(
    (file: File, err: unknown): string => {
      const vars = { name: file.name, size: formatSize(file.size) };
      if (err instanceof ApiError && err.code === 'PAYLOAD_TOO_LARGE') return s('tooLarge', vars);
      if (err instanceof ApiError && err.code === 'UNSUPPORTED_MEDIA_TYPE') return s('refusedType', vars);
      return s('uploadFailed', { ...vars, error: err instanceof Error ? err.message : String(err) });
    },
    [s],
  );

  const add = useCallback(
    (files: Iterable<File>) => {
      for (const file of files) {
        const key = `u${counter.current++}`;
        if (count.current >= MAX_FILES) {
          setErrors((e) => [...e, { key, text: s('tooManyFiles') }]);
          return;
        }
        count.current++;
        setUploading((u) => [...u, { key, filename: file.name, size: file.size }]);
        uploadAttachment(api, conversationId, file)
          .then(
            (a) => setDone((d) => [...d, { id: a.id, filename: a.filename, contentType: a.contentType, size: a.size }]),
            (err: unknown) => setErrors((e) => [...e, { key, text: explain(file, err) }]),
          )
          .finally(() => setUploading((u) => u.filter((p) => p.key !== key)));
      }
    },
    [api, conversationId, explain, s],
  );

  return {
    attachments: done,
    uploading,
    errors,
    add,
    remove: (id: string) => setDone((d) => d.filter((a) => a.id !== id)),
    dismissError: (key: string) => setErrors((e) => e.filter((x) => x.key !== key)),
    /** After sending (or to put an unsent message's files back). */
    reset: (next: DraftAttachment[] = []) => {
      setDone(next);
      setErrors([]);
    },
  };
}
