// Files a provider holds for a customer's message (MMS media, Messenger attachments, LINE content),
// brought in after the webhook's answer. Each is downloaded (a moment's failure is tried again), typed
// by its bytes like any upload and stored; then the outcomes are written onto the message as it is now,
// in one compare-and-set write, so a redelivered webhook, or a second node racing this one, attaches
// each file once. A file not stored leaves a note in the message that says why.
import type { MediaFetchResult } from '../../channels/media-download.js';
import type { MessageMeta } from '../domain/email.js';
import { textOf } from '../domain/conversation-rules.js';
import { AppError } from '../domain/errors.js';
import type { ChannelAccount, Message, MessagePart } from '../domain/types.js';
import type { FileStorage, StoredFile } from '../storage/file-storage.js';
import type { BackgroundDeps } from './background-work.js';
import { checkUpload } from './check-upload.js';
import type { Deps } from './deps.js';

export interface ProviderMediaDeps extends Deps, BackgroundDeps {
  files: FileStorage;
  /** The largest file kept (UPLOAD_MAX_BYTES). */
  maxMediaBytes: number;
}

/** Downloads tried per file when the provider or the network fails for a moment, and the pause between. */
export interface MediaRetry {
  attempts: number;
  pauseMs: number;
}

/** One file as a message's meta lists it (SmsMedia, MessengerMedia, LineContent). */
export interface ProviderMedia {
  state: 'pending' | 'stored' | 'refused' | 'failed';
  attachmentId?: string;
  reason?: string;
}

export type MediaOutcome =
  { state: 'stored'; file: StoredFile; filename: string; contentType: string } | { state: 'refused' | 'failed'; reason: string };

/** Where a channel keeps its files in a message's meta, and how its notes read. */
export interface MediaSlot<M extends ProviderMedia> {
  /** Who failed a download, as the note says it: "could not be downloaded from Twilio". */
  provider: string;
  /** The message's files; undefined when it has none to fetch. */
  read: (message: Message) => M[] | undefined;
  /** The message's meta with its files as they are now. */
  write: (meta: MessageMeta | null | undefined, media: M[]) => MessageMeta;
  /** How a note names a file: "MMS file 2", "Messenger image 1", "LINE video". */
  label: (media: M, index: number) => string;
  /** What the empty text of a picture-only message gives way to: the stored files, or notes as well. */
  emptyTextGivesWayTo: 'files' | 'files and notes';
}

/** How a downloaded file is named (`mms-2.jpg`); the name's extension is what lets a text file through. */
export interface MediaNaming {
  /** The name the bytes are checked under, given the type the provider answered with. */
  checkName: (downloadedType: string | null) => string;
  /** The stored file's name, given the type its bytes show. */
  storedName: (contentType: string) => string;
  /** The type claimed when the download gives none. */
  declaredType?: string;
}

/** File name extensions of the types a customer's file may have. */
export const FILE_EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'video/mp4': '.mp4',
  'audio/mp4': '.m4a',
  'audio/x-m4a': '.m4a',
  'audio/mpeg': '.mp3',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
  'text/csv': '.csv',
};

/** A write lost to a concurrent one (compare-and-set): read again and retry. */
class LostRace extends Error {}

export function makeProviderMedia<M extends ProviderMedia>(deps: ProviderMediaDeps, slot: MediaSlot<M>, retry?: MediaRetry) {
  const { store } = deps;
  const { attempts, pauseMs } = retry ?? { attempts: 3, pauseMs: 1_000 };

  /** Downloads one file (a moment's failure is tried again), checks it like any upload and stores it. */
  async function fetchOne(download: (maxBytes: number) => Promise<MediaFetchResult>, naming: MediaNaming): Promise<MediaOutcome> {
    for (let attempt = 1; ; attempt++) {
      const got = await download(deps.maxMediaBytes);
      if (!got.ok) {
        if (got.temporary && attempt < attempts) {
          await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
          continue;
        }
        return { state: got.reason === 'failed' ? 'failed' : 'refused', reason: got.message };
      }
      try {
        // Typed by its bytes, like any upload: the declared type is the provider's (and the sender's) claim.
        const declared = got.contentType ?? naming.declaredType ?? 'application/octet-stream';
        const checked = await checkUpload(got.bytes, naming.checkName(got.contentType), declared);
        const file = await deps.files.put(got.bytes);
        return { state: 'stored', file, contentType: checked.contentType, filename: naming.storedName(checked.contentType) };
      } catch (err) {
        if (err instanceof AppError) return { state: 'refused', reason: err.message };
        throw err;
      }
    }
  }

  /** Writes the outcomes onto the message as it is now; undefined when another writer already did. */
  async function applyOutcomes(account: ChannelAccount, messageId: string, outcomes: Map<number, MediaOutcome>) {
    return store.transaction(async (tx) => {
      const message = await tx.messages.findById(messageId);
      const media = message && slot.read(message);
      if (!message || !media || !media.some((m, i) => m.state === 'pending' && outcomes.has(i))) return undefined;
      const now = deps.now();
      const added: MessagePart[] = [];
      const notes: MessagePart[] = [];
      const next: M[] = [];
      for (const [i, m] of media.entries()) {
        const outcome = outcomes.get(i);
        if (m.state !== 'pending' || !outcome) {
          next.push(m);
          continue;
        }
        if (outcome.state === 'stored') {
          const { file, filename, contentType } = outcome;
          const attachment = await tx.attachments.create(
            {
              channelAccountId: account.id,
              uploaderType: 'customer',
              uploaderId: message.senderId ?? account.id,
              filename,
              contentType,
              size: file.size,
              sha256: file.sha256,
              storageKey: file.storageKey,
            },
            now,
          );
          await tx.attachments.linkToMessage([attachment.id], message.id);
          const part = { attachmentId: attachment.id, filename, contentType, size: file.size };
          added.push(contentType.startsWith('image/') ? { type: 'image', ...part } : { type: 'file', ...part });
          next.push({ ...m, state: 'stored', attachmentId: attachment.id });
        } else {
          const what = outcome.state === 'refused' ? 'was refused' : `could not be downloaded from ${slot.provider}`;
          notes.push({ type: 'text', text: `[${slot.label(m, i)} ${what}: ${outcome.reason}]` });
          next.push({ ...m, state: outcome.state, reason: outcome.reason });
        }
      }
      const replaced = added.length + (slot.emptyTextGivesWayTo === 'files and notes' ? notes.length : 0) > 0;
      const kept = message.parts.filter((p) => !(p.type === 'text' && p.text === '' && replaced));
      const parts = [...kept, ...added, ...notes];
      const meta = slot.write(message.meta, next);
      if (!(await tx.messages.replaceContent(message.id, message.meta, { parts, text: textOf(parts), meta }, now))) throw new LostRace();
      const conversation = (await tx.conversations.findById(message.conversationId))!;
      return { message: { ...message, parts, text: textOf(parts), meta, updatedAt: now }, conversation };
    });
  }

  return {
    fetchOne,

    /**
     * Fetches the message's pending files (`fetch` downloads one, usually through `fetchOne`) and
     * attaches them. The console merges messages by id: the message with its files replaces the one it shows.
     */
    async attach(
      account: ChannelAccount,
      messageId: string,
      fetch: (media: M, index: number, message: Message) => Promise<MediaOutcome>,
    ): Promise<void> {
      const message = await store.messages.findById(messageId);
      if (!message) return;
      const outcomes = new Map<number, MediaOutcome>();
      for (const [i, m] of (slot.read(message) ?? []).entries()) {
        if (m.state === 'pending') outcomes.set(i, await fetch(m, i, message));
      }
      if (outcomes.size === 0) return;
      for (let attempt = 1; ; attempt++) {
        try {
          const done = await applyOutcomes(account, messageId, outcomes);
          if (done) deps.events.publish({ type: 'message.created', message: done.message, conversation: done.conversation });
          return;
        } catch (err) {
          if (!(err instanceof LostRace) || attempt >= 5) throw err;
        }
      }
    },
  };
}
