// Facebook Messenger into Omnidesk, exactly once, and the receipts of what we sent.
//
// The order: the webhook's signature is checked (http/routes/messenger.route.ts), then each customer
// message is stored in the ingest transaction keyed by (account, mid), its attachments listed as
// pending; delivery and read receipts move our messages forward; only then does Meta get its 200.
// After that answer, slow work: the attachments are fetched from Meta's CDN and attached to the same
// message in one compare-and-set write (a redelivered webhook, or another node, attaches each once),
// and a customer without a name gets the one Meta knows (GET /<psid>). Failures there are logged.
import type { Logger } from 'pino';
import { MessengerSettings, type MessengerCredentials } from '../../channels/messenger/account.js';
import { GraphClient } from '../../channels/messenger/graph-client.js';
import { parseMessengerWebhook, toInboundMessage, type MessengerEvents } from '../../channels/messenger/inbound.js';
import { fetchMessengerMedia } from '../../channels/messenger/media.js';
import { textOf } from '../domain/conversation-rules.js';
import { AppError } from '../domain/errors.js';
import type { MessengerMedia } from '../domain/messenger.js';
import type { ChannelAccount, InboundMessage, MessagePart } from '../domain/types.js';
import type { FileStorage, StoredFile } from '../storage/file-storage.js';
import { checkUpload } from './check-upload.js';
import type { Deps } from './deps.js';
import type { IngestResult } from './ingest-message.js';
import type { RecordDeliveryStatus } from './record-delivery-status.js';

export interface ReceiveMessengerDeps extends Deps {
  ingest: (m: InboundMessage) => Promise<IngestResult>;
  recordDeliveryStatus: RecordDeliveryStatus;
  files: FileStorage;
  /** The largest attachment kept (UPLOAD_MAX_BYTES). */
  maxMediaBytes: number;
  /** Registers work that outlives the request, so shutdown waits for it. */
  track: <T>(work: Promise<T>) => Promise<T>;
  log: Pick<Logger, 'warn' | 'error'>;
  /** Downloads tried per attachment when Meta or the network fails for a moment, and the pause between. */
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

/** How many of our latest messages a read receipt may mark read. */
const READ_SCAN = 50;

export function makeReceiveMessenger(deps: ReceiveMessengerDeps) {
  const { store } = deps;
  const retry = deps.mediaRetry ?? { attempts: 3, pauseMs: 1_000 };
  /** Slow work under way on this node, by message or customer id (twenty copies of a webhook do it once). */
  const background = new Map<string, Promise<void>>();

  function settingsOf(account: ChannelAccount): MessengerSettings {
    const parsed = MessengerSettings.safeParse(account.settings);
    if (!parsed.success) throw new AppError('INTERNAL', `Messenger account ${account.id} has invalid settings; save it again in Admin`);
    return parsed.data;
  }

  function later(key: string, what: string, work: () => Promise<void>): void {
    if (background.has(key)) return;
    const running = work()
      .catch((err: unknown) => deps.log.warn({ err, key }, what))
      .finally(() => background.delete(key));
    background.set(key, running);
    void deps.track(running);
  }

  async function fetchOne(settings: MessengerSettings, media: MessengerMedia, index: number): Promise<MediaOutcome> {
    for (let attempt = 1; ; attempt++) {
      const got = await fetchMessengerMedia(settings, media.url, { maxBytes: deps.maxMediaBytes });
      if (!got.ok) {
        if (got.temporary && attempt < retry.attempts) {
          await new Promise((resolve) => setTimeout(resolve, retry.pauseMs * attempt));
          continue;
        }
        return { state: got.reason === 'failed' ? 'failed' : 'refused', reason: got.message };
      }
      try {
        // Typed by its bytes, like any upload: the declared type is the sender's claim.
        const checked = await checkUpload(got.bytes, `messenger-${index + 1}`, got.contentType ?? 'application/octet-stream');
        const file = await deps.files.put(got.bytes);
        const filename = `messenger-${index + 1}${EXTENSIONS[checked.contentType] ?? ''}`;
        return { state: 'stored', file, contentType: checked.contentType, filename };
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
      const media = message?.meta?.messenger?.media;
      if (!message || !media || !media.some((m, i) => m.state === 'pending' && outcomes.has(i))) return undefined;
      const now = deps.now();
      const added: MessagePart[] = [];
      const notes: MessagePart[] = [];
      const next: MessengerMedia[] = [];
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
          const what = outcome.state === 'refused' ? 'was refused' : 'could not be downloaded from Meta';
          notes.push({ type: 'text', text: `[Messenger ${m.type} ${i + 1} ${what}: ${outcome.reason}]` });
          next.push({ ...m, state: outcome.state, reason: outcome.reason });
        }
      }
      // The empty text of a picture-only message gives way to the pictures.
      const kept = message.parts.filter((p) => !(p.type === 'text' && p.text === '' && added.length + notes.length > 0));
      const parts = [...kept, ...added, ...notes];
      const meta = { ...message.meta, messenger: { ...message.meta!.messenger, media: next } };
      if (!(await tx.messages.replaceContent(message.id, message.meta, { parts, text: textOf(parts), meta }, now))) throw new LostRace();
      const conversation = (await tx.conversations.findById(message.conversationId))!;
      return { message: { ...message, parts, text: textOf(parts), meta, updatedAt: now }, conversation };
    });
  }

  async function attachMedia(account: ChannelAccount, settings: MessengerSettings, messageId: string): Promise<void> {
    const message = await store.messages.findById(messageId);
    const outcomes = new Map<number, MediaOutcome>();
    for (const [i, m] of (message?.meta?.messenger?.media ?? []).entries()) {
      if (m.state === 'pending') outcomes.set(i, await fetchOne(settings, m, i));
    }
    if (!message || outcomes.size === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const done = await applyOutcomes(account, messageId, outcomes);
        // The console merges messages by id: the message with its attachments replaces the one it shows.
        if (done) deps.events.publish({ type: 'message.created', message: done.message, conversation: done.conversation });
        return;
      } catch (err) {
        if (!(err instanceof LostRace) || attempt >= 5) throw err;
      }
    }
  }

  /** Fills a nameless customer's name with the one Meta gives for the PSID. */
  async function fillProfile(settings: MessengerSettings, credentials: MessengerCredentials, customerId: string, psid: string) {
    const client = GraphClient.forAccount(settings, credentials);
    const profile = await client.get<{ first_name?: unknown; last_name?: unknown }>(`/${psid}`, {
      fields: 'first_name,last_name,profile_pic',
    });
    const name = [profile.first_name, profile.last_name]
      .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
      .join(' ')
      .trim()
      .slice(0, 200);
    if (!name) return;
    const conversationIds = await store.transaction(async (tx) => {
      const customer = await tx.customers.findById(customerId);
      if (!customer || customer.name || customer.mergedInto) return undefined;
      await tx.customers.update(customerId, { name }, deps.now());
      return (await tx.conversations.allOf(customerId)).filter((c) => c.status !== 'resolved').map((c) => c.id);
    });
    if (conversationIds) deps.events.publish({ type: 'customer.updated', customerId, mergedInto: null, conversationIds });
  }

  /** Marks read our messages to this customer on this page sent up to `watermark`. */
  async function recordRead(account: ChannelAccount, pageId: string, psid: string, watermark: number): Promise<void> {
    const customer = await store.customers.findByIdentity({ kind: 'messenger', scope: pageId, value: psid });
    if (!customer) return;
    const conversations = (await store.conversations.allOf(customer.id)).filter((c) => c.channelAccountId === account.id);
    for (const conversation of conversations) {
      const recent = await store.messages.listRecent(conversation.id, watermark, READ_SCAN);
      for (const m of recent) {
        if (m.direction !== 'outbound' || !m.providerMessageId || (m.status !== 'sent' && m.status !== 'delivered')) continue;
        await deps.recordDeliveryStatus({
          channelAccountId: account.id,
          providerMessageId: m.providerMessageId,
          status: 'read',
          errorCode: null,
          errorMessage: null,
        });
      }
    }
  }

  return {
    /**
     * Stores the customer messages of one verified webhook (once per mid) and records its receipts;
     * resolves when that is durable, so the caller may answer Meta. Attachments and names come after.
     */
    async receive(account: ChannelAccount, credentials: MessengerCredentials, body: unknown): Promise<MessengerEvents> {
      const settings = settingsOf(account);
      const parsed = parseMessengerWebhook(body, settings.pageId, deps.now());
      if (!parsed.ok) throw new AppError('VALIDATION', `Messenger webhook: ${parsed.reason}`);
      const events = parsed.value;
      if (events.ignored.length > 0)
        deps.log.warn({ accountId: account.id, ignored: events.ignored.slice(0, 20) }, 'Messenger events ignored');
      for (const incoming of events.messages) {
        const result = await deps.ingest(toInboundMessage(account.id, incoming));
        if (result.message.meta?.messenger?.media?.some((m) => m.state === 'pending')) {
          later(`media:${result.message.id}`, 'could not attach the files of a Messenger message', () =>
            attachMedia(account, settings, result.message.id),
          );
        }
        if (!result.customer.name) {
          later(`profile:${result.customer.id}`, 'could not read the Messenger profile of a customer', () =>
            fillProfile(settings, credentials, result.customer.id, incoming.psid),
          );
        }
      }
      for (const delivery of events.deliveries) {
        for (const mid of delivery.mids) {
          await deps.recordDeliveryStatus({
            channelAccountId: account.id,
            providerMessageId: mid,
            status: 'delivered',
            errorCode: null,
            errorMessage: null,
          });
        }
      }
      for (const read of events.reads) await recordRead(account, settings.pageId, read.psid, read.watermark);
      return events;
    },

    /** Resolves when the slow work started so far is done (tests and shutdown). */
    async settled(): Promise<void> {
      while (background.size > 0) await Promise.allSettled([...background.values()]);
    },
  };
}

export type ReceiveMessenger = ReturnType<typeof makeReceiveMessenger>;
