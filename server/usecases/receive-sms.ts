// An SMS or MMS from Twilio into Omnidesk, exactly once, and the delivery reports of ours.
//
// The order: the message is stored first, with its text and its MMS media listed as pending, in the
// ingest transaction keyed by (account, MessageSid); a compliance keyword (STOP, START, HELP…)
// updates the customer's SMS consent and queues any answer; only then does Twilio get its 200. The
// media are fetched after that answer (slow, and Twilio waits 15 s at most) and attached to the same
// message in one compare-and-set write, so a redelivered webhook, or a second node racing this one,
// attaches each file once. A redelivery of a message whose media are still pending fetches them again.
// What is not covered: the process dying after the 200 and before the media are fetched leaves
// them pending (the message and its text are safe; the media stay at Twilio).
import type { Logger } from 'pino';
import { SmsSettings } from '../../channels/sms/account.js';
import { parseIncomingSms, parseSmsStatus, toInboundMessage, type Params } from '../../channels/sms/inbound.js';
import { DEFAULT_KEYWORD_REPLIES } from '../../channels/sms/keywords.js';
import type { TwilioCredentials } from '../../channels/twilio/account.js';
import { fetchTwilioMedia } from '../../channels/twilio/media.js';
import { textOf } from '../domain/conversation-rules.js';
import { AppError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { SmsKeywordAction, SmsMedia } from '../domain/sms.js';
import type { ChannelAccount, InboundMessage, Message, MessagePart } from '../domain/types.js';
import type { FileStorage, StoredFile } from '../storage/file-storage.js';
import { checkUpload } from './check-upload.js';
import type { Deps } from './deps.js';
import type { IngestResult } from './ingest-message.js';
import type { RecordDeliveryStatus } from './record-delivery-status.js';
import type { makeSendSystemReply } from './send-system-reply.js';

export interface ReceiveSmsDeps extends Deps {
  ingest: (m: InboundMessage) => Promise<IngestResult>;
  sendSystemReply: ReturnType<typeof makeSendSystemReply>;
  recordDeliveryStatus: RecordDeliveryStatus;
  files: FileStorage;
  /** The largest media file kept (UPLOAD_MAX_BYTES). */
  maxMediaBytes: number;
  /** Registers work that outlives the request, so shutdown waits for it. */
  track: <T>(work: Promise<T>) => Promise<T>;
  log: Pick<Logger, 'warn' | 'error'>;
  /** Downloads tried per media file when Twilio or the network fails for a moment, and the pause between. */
  mediaRetry?: { attempts: number; pauseMs: number };
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
  'text/csv': '.csv',
};

type MediaOutcome =
  { state: 'stored'; file: StoredFile; filename: string; contentType: string } | { state: 'refused' | 'failed'; reason: string };

/** A write lost to a concurrent one (compare-and-set): read again and retry. */
class LostRace extends Error {}

export function makeReceiveSms(deps: ReceiveSmsDeps) {
  const { store } = deps;
  const retry = deps.mediaRetry ?? { attempts: 3, pauseMs: 1_000 };
  /** Media being fetched on this node, by message id (twenty copies of one webhook fetch once). */
  const attaching = new Map<string, Promise<void>>();

  function settingsOf(account: ChannelAccount): SmsSettings {
    const parsed = SmsSettings.safeParse(account.settings);
    if (!parsed.success) throw new AppError('INTERNAL', `SMS account ${account.id} has invalid settings; save it again in Admin`);
    return parsed.data;
  }

  /** The customer's SMS consent as this keyword says, unless a later decision stands (a redelivered STOP never undoes a START). */
  async function recordConsent(result: IngestResult, action: 'opt_out' | 'opt_in', word: string): Promise<boolean> {
    const customerId = result.customer.id;
    const status = action === 'opt_out' ? 'opted_out' : 'opted_in';
    const event = await store.transaction(async (tx): Promise<DomainEvent | undefined> => {
      const current = (await tx.consents.list(customerId)).find((c) => c.channel === 'sms');
      if (current && (current.status === status || current.updatedAt > result.message.createdAt)) return undefined;
      const now = deps.now();
      const source = `sms keyword ${word}`;
      await tx.consents.set(customerId, 'sms', { status, source, recordedBy: null }, now);
      await tx.audit.record(
        {
          actorType: 'customer',
          actorId: customerId,
          action: 'customer.consent',
          targetType: 'customer',
          targetId: customerId,
          data: { channel: 'sms', status, source, messageId: result.message.id },
        },
        now,
      );
      const open = (await tx.conversations.allOf(customerId)).filter((c) => c.status !== 'resolved').map((c) => c.id);
      return { type: 'customer.updated', customerId, mergedInto: null, conversationIds: open };
    });
    if (event) deps.events.publish(event);
    return event !== undefined;
  }

  async function answerKeyword(settings: SmsSettings, result: IngestResult, keyword: { word: string; action: SmsKeywordAction }) {
    const { action, word } = keyword;
    const changed = action === 'help' ? false : await recordConsent(result, action, word);
    // HELP is always answered (once per message); STOP and START only when the account says Twilio does not.
    const answer = action === 'help' ? result.created : changed && settings.keywordReplies;
    if (!answer) return;
    const text = action === 'help' ? (settings.helpText ?? DEFAULT_KEYWORD_REPLIES.help) : DEFAULT_KEYWORD_REPLIES[action];
    await deps.sendSystemReply({ conversationId: result.conversation.id, text, meta: { sms: { keywordReply: action } } });
  }

  async function fetchOne(settings: SmsSettings, credentials: TwilioCredentials, media: SmsMedia, index: number): Promise<MediaOutcome> {
    for (let attempt = 1; ; attempt++) {
      const got = await fetchTwilioMedia(settings, credentials, media.url, { maxBytes: deps.maxMediaBytes });
      if (!got.ok) {
        if (got.temporary && attempt < retry.attempts) {
          await new Promise((resolve) => setTimeout(resolve, retry.pauseMs * attempt));
          continue;
        }
        return { state: got.reason === 'failed' ? 'failed' : 'refused', reason: got.message };
      }
      try {
        // Typed by its bytes, like any upload: Twilio's declared type is the sender's claim.
        const name = `mms-${index + 1}${EXTENSIONS[media.declaredType] ?? ''}`;
        const checked = await checkUpload(got.bytes, name, got.contentType ?? media.declaredType);
        const file = await deps.files.put(got.bytes);
        return {
          state: 'stored',
          file,
          contentType: checked.contentType,
          filename: `mms-${index + 1}${EXTENSIONS[checked.contentType] ?? ''}`,
        };
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
      const media = message?.meta?.sms?.media;
      if (!message || !media || !media.some((m, i) => m.state === 'pending' && outcomes.has(i))) return undefined;
      const now = deps.now();
      const added: MessagePart[] = [];
      const notes: MessagePart[] = [];
      const next: SmsMedia[] = [];
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
          const what = outcome.state === 'refused' ? 'was refused' : 'could not be downloaded from Twilio';
          notes.push({ type: 'text', text: `[MMS file ${i + 1} ${what}: ${outcome.reason}]` });
          next.push({ ...m, state: outcome.state, reason: outcome.reason });
        }
      }
      // The empty text of a picture-only MMS gives way to the pictures.
      const kept = message.parts.filter((p) => !(p.type === 'text' && p.text === '' && added.length > 0));
      const parts = [...kept, ...added, ...notes];
      const meta = { ...message.meta, sms: { ...message.meta!.sms, media: next } };
      if (!(await tx.messages.replaceContent(message.id, message.meta, { parts, text: textOf(parts), meta }, now))) throw new LostRace();
      const conversation = (await tx.conversations.findById(message.conversationId))!;
      return { message: { ...message, parts, text: textOf(parts), meta, updatedAt: now }, conversation };
    });
  }

  async function attachMedia(account: ChannelAccount, settings: SmsSettings, credentials: TwilioCredentials, messageId: string) {
    const message = await store.messages.findById(messageId);
    const outcomes = new Map<number, MediaOutcome>();
    for (const [i, m] of (message?.meta?.sms?.media ?? []).entries()) {
      if (m.state === 'pending') outcomes.set(i, await fetchOne(settings, credentials, m, i));
    }
    if (!message || outcomes.size === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const done = await applyOutcomes(account, messageId, outcomes);
        // The console merges messages by id: the message with its media replaces the one it shows.
        if (done) deps.events.publish({ type: 'message.created', message: done.message, conversation: done.conversation });
        return;
      } catch (err) {
        if (!(err instanceof LostRace) || attempt >= 5) throw err;
      }
    }
  }

  function startAttaching(account: ChannelAccount, settings: SmsSettings, credentials: TwilioCredentials, messageId: string): void {
    if (attaching.has(messageId)) return;
    const work = attachMedia(account, settings, credentials, messageId)
      .catch((err: unknown) => deps.log.error({ err, messageId }, 'could not attach the media of an MMS'))
      .finally(() => attaching.delete(messageId));
    attaching.set(messageId, work);
    void deps.track(work);
  }

  return {
    /**
     * Stores an incoming SMS/MMS (once per MessageSid) and acts on a keyword; resolves when that is
     * durable, so the caller may answer Twilio. The media are fetched afterwards, in the background.
     */
    async receive(account: ChannelAccount, credentials: TwilioCredentials, params: Params): Promise<IngestResult> {
      const settings = settingsOf(account);
      const parsed = parseIncomingSms(params, settings.accountSid);
      if (!parsed.ok) throw new AppError('VALIDATION', `Twilio webhook: ${parsed.reason}`);
      const sms = parsed.value;
      const result = await deps.ingest(toInboundMessage(account.id, sms, deps.now()));
      if (sms.keyword) await answerKeyword(settings, result, sms.keyword);
      if (result.message.meta?.sms?.media?.some((m) => m.state === 'pending')) {
        startAttaching(account, settings, credentials, result.message.id);
      }
      return result;
    },

    /** A status callback: the message's delivery state moves forward; an unknown MessageSid changes nothing. */
    async recordStatus(account: ChannelAccount, params: Params): Promise<Message | undefined> {
      const parsed = parseSmsStatus(params);
      if (!parsed.ok) throw new AppError('VALIDATION', `Twilio status callback: ${parsed.reason}`);
      const { messageSid, status, errorCode, errorMessage } = parsed.value;
      if (!status) return undefined;
      return deps.recordDeliveryStatus({ channelAccountId: account.id, providerMessageId: messageSid, status, errorCode, errorMessage });
    },

    /** Resolves when the media being fetched now are attached (tests and shutdown). */
    async settled(): Promise<void> {
      while (attaching.size > 0) await Promise.allSettled([...attaching.values()]);
    },
  };
}

export type ReceiveSms = ReturnType<typeof makeReceiveSms>;
