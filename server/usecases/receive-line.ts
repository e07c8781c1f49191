// LINE's webhook events into Omnidesk, exactly once, and what follows them.
//
// The order (the signature was checked by the HTTP layer): each event is read and validated on its
// own; a message (text, sticker, location, postback, or content still at LINE) is stored in the
// ingest transaction keyed by (account, LINE message id) — a postback by its webhookEventId — so a
// redelivery finds it; follow / unfollow record the customer's LINE consent (a later decision stands,
// so a redelivered unfollow never undoes a newer follow). Only then does LINE get its 200. Slow work
// runs after that answer: the content of images, videos, audio and files is downloaded from LINE's
// data API and attached to the same message in one compare-and-set write (fetched once per node, and
// a redelivery finds it attached), and a customer without a name gets their LINE profile (name,
// language, picture). What is not covered: the process dying after the 200 and before that work
// leaves the content pending (the message is safe; LINE keeps content for a while) or the name empty.
import type { Logger } from 'pino';
import { LineSettings, type LineCredentials } from '../../channels/line/account.js';
import { fetchLineContent, fetchLineProfile } from '../../channels/line/client.js';
import { LineWebhookBody, readLineEvent } from '../../channels/line/inbound.js';
import { WriteConflict } from '../../db/connection.js';
import { LINE_UNFOLLOW_SOURCE } from '../domain/consent.js';
import { textOf } from '../domain/conversation-rules.js';
import { AppError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { LineContent } from '../domain/line.js';
import type { ChannelAccount, Customer, Identity, InboundMessage, MessagePart } from '../domain/types.js';
import type { FileStorage } from '../storage/file-storage.js';
import { checkUpload } from './check-upload.js';
import type { Deps } from './deps.js';
import type { IngestResult } from './ingest-message.js';

export interface ReceiveLineDeps extends Deps {
  ingest: (m: InboundMessage) => Promise<IngestResult>;
  files: FileStorage;
  /** The largest file kept (UPLOAD_MAX_BYTES). */
  maxMediaBytes: number;
  /** Registers work that outlives the request, so shutdown waits for it. */
  track: <T>(work: Promise<T>) => Promise<T>;
  log: Pick<Logger, 'warn' | 'error'>;
  /** Downloads tried when LINE or the network fails for a moment, and the pause between. */
  contentRetry?: { attempts: number; pauseMs: number };
}

export interface LineReceipt {
  /** Messages stored now (not redeliveries). */
  stored: number;
  /** Consent changes recorded. */
  consents: number;
  /** Events dropped (logged with their reason). */
  dropped: number;
}

const EXTENSIONS: Record<string, string> = {
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
};

type Outcome =
  | {
      state: 'stored';
      part: Omit<Extract<MessagePart, { type: 'file' }>, 'type' | 'attachmentId'>;
      file: Awaited<ReturnType<FileStorage['put']>>;
    }
  | { state: 'refused' | 'failed'; reason: string };

/** A write lost to a concurrent one (compare-and-set): read again and retry. */
class LostRace extends Error {}

export function makeReceiveLine(deps: ReceiveLineDeps) {
  const { store } = deps;
  const retry = deps.contentRetry ?? { attempts: 3, pauseMs: 1_000 };
  /** Work running on this node, by message id or user id (ten copies of one webhook fetch once). */
  const running = new Map<string, Promise<void>>();

  function settingsOf(account: ChannelAccount): LineSettings {
    const parsed = LineSettings.safeParse(account.settings);
    if (!parsed.success) throw new AppError('INTERNAL', `LINE account ${account.id} has invalid settings; save it again in Admin`);
    return parsed.data;
  }

  function startOnce(key: string, work: () => Promise<void>, what: string): void {
    if (running.has(key)) return;
    const p = work()
      .catch((err: unknown) => deps.log.error({ err, key }, what))
      .finally(() => running.delete(key));
    running.set(key, p);
    void deps.track(p);
  }

  /** The customer a LINE user is, created when new (a follow may come before any message). */
  async function customerOf(identity: Identity): Promise<Customer> {
    return store.transaction(async (tx) => {
      const known = await tx.customers.findByIdentity(identity);
      if (known) return known;
      const now = deps.now();
      const created = await tx.customers.create({ name: null, locale: null }, now);
      // A concurrent first event created them: the transaction is retried and finds them.
      if (!(await tx.customers.linkIdentity(created.id, identity, now))) throw new WriteConflict('customer identity');
      return created;
    });
  }

  /** Follow = opted in, unfollow (blocked) = opted out; unless a later decision stands. */
  async function recordConsent(customer: Customer, action: 'follow' | 'unfollow', at: number, webhookEventId: string): Promise<boolean> {
    const status = action === 'unfollow' ? 'opted_out' : 'opted_in';
    const source = action === 'unfollow' ? LINE_UNFOLLOW_SOURCE : 'line follow';
    const event = await store.transaction(async (tx): Promise<DomainEvent | undefined> => {
      const current = (await tx.consents.list(customer.id)).find((c) => c.channel === 'line');
      if (current && (current.status === status || current.updatedAt > at)) return undefined;
      const now = deps.now();
      await tx.consents.set(customer.id, 'line', { status, source, recordedBy: null }, now);
      await tx.audit.record(
        {
          actorType: 'customer',
          actorId: customer.id,
          action: 'customer.consent',
          targetType: 'customer',
          targetId: customer.id,
          data: { channel: 'line', status, source, webhookEventId },
        },
        now,
      );
      const open = (await tx.conversations.allOf(customer.id)).filter((c) => c.status !== 'resolved').map((c) => c.id);
      return { type: 'customer.updated', customerId: customer.id, mergedInto: null, conversationIds: open };
    });
    if (event) deps.events.publish(event);
    return event !== undefined;
  }

  /** Name, language and picture from LINE, where the profile has none yet; a failure is only logged. */
  async function fillProfile(account: ChannelAccount, settings: LineSettings, credentials: LineCredentials, identity: Identity) {
    let profile;
    try {
      profile = await fetchLineProfile(settings, credentials, identity.value);
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, accountId: account.id }, 'LINE: could not read the customer’s profile');
      return;
    }
    const event = await store.transaction(async (tx): Promise<DomainEvent | undefined> => {
      const customer = await tx.customers.findByIdentity(identity);
      if (!customer) return undefined;
      const now = deps.now();
      const name = customer.name ? undefined : profile.displayName.slice(0, 200) || undefined;
      const locale = customer.locale || !profile.language ? undefined : profile.language.slice(0, 20);
      const picture = profile.pictureUrl && customer.attributes.linePictureUrl !== profile.pictureUrl ? profile.pictureUrl : undefined;
      if (!name && !locale && !picture) return undefined;
      await tx.customers.update(customer.id, { name, locale }, now);
      if (picture) await tx.customers.setAttributes(customer.id, { linePictureUrl: picture.slice(0, 1000) }, now);
      const open = (await tx.conversations.allOf(customer.id)).filter((c) => c.status !== 'resolved').map((c) => c.id);
      return { type: 'customer.updated', customerId: customer.id, mergedInto: null, conversationIds: open };
    });
    if (event) deps.events.publish(event);
  }

  async function download(settings: LineSettings, credentials: LineCredentials, messageId: string, content: LineContent): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      const got = await fetchLineContent(settings, credentials, messageId, deps.maxMediaBytes);
      if (!got.ok) {
        if (got.temporary && attempt < retry.attempts) {
          await new Promise((resolve) => setTimeout(resolve, retry.pauseMs * attempt));
          continue;
        }
        return { state: got.reason === 'failed' ? 'failed' : 'refused', reason: got.message };
      }
      try {
        // Typed by its bytes, like any upload: the declared type is LINE's (and the sender's) claim.
        const given = content.fileName ?? `line-${content.type}${EXTENSIONS[got.contentType ?? ''] ?? ''}`;
        const checked = await checkUpload(got.bytes, given, got.contentType ?? 'application/octet-stream');
        const file = await deps.files.put(got.bytes);
        const filename = content.fileName ?? `line-${content.type}${EXTENSIONS[checked.contentType] ?? ''}`;
        return { state: 'stored', file, part: { filename, contentType: checked.contentType, size: file.size } };
      } catch (err) {
        if (err instanceof AppError) return { state: 'refused', reason: err.message };
        throw err;
      }
    }
  }

  /** Writes the outcome onto the message as it is now; undefined when another writer already did. */
  async function applyOutcome(account: ChannelAccount, messageId: string, outcome: Outcome) {
    return store.transaction(async (tx) => {
      const message = await tx.messages.findById(messageId);
      const line = message?.meta?.line;
      if (!message || !line?.content || line.content.state !== 'pending') return undefined;
      const now = deps.now();
      let parts: MessagePart[];
      let content: LineContent;
      if (outcome.state === 'stored') {
        const { file, part } = outcome;
        const attachment = await tx.attachments.create(
          {
            channelAccountId: account.id,
            uploaderType: 'customer',
            uploaderId: message.senderId ?? account.id,
            filename: part.filename,
            contentType: part.contentType,
            size: file.size,
            sha256: file.sha256,
            storageKey: file.storageKey,
          },
          now,
        );
        await tx.attachments.linkToMessage([attachment.id], message.id);
        const added: MessagePart = { type: part.contentType.startsWith('image/') ? 'image' : 'file', attachmentId: attachment.id, ...part };
        // The empty text of a picture gives way to the picture.
        parts = [...message.parts.filter((p) => !(p.type === 'text' && p.text === '')), added];
        content = { ...line.content, state: 'stored', attachmentId: attachment.id };
      } else {
        const what = outcome.state === 'refused' ? 'was refused' : 'could not be downloaded from LINE';
        parts = [
          ...message.parts.filter((p) => !(p.type === 'text' && p.text === '')),
          { type: 'text', text: `[LINE ${line.content.type} ${what}: ${outcome.reason}]` },
        ];
        content = { ...line.content, state: outcome.state, reason: outcome.reason };
      }
      const meta = { ...message.meta, line: { ...line, content } };
      if (!(await tx.messages.replaceContent(message.id, message.meta, { parts, text: textOf(parts), meta }, now))) throw new LostRace();
      const conversation = (await tx.conversations.findById(message.conversationId))!;
      return { message: { ...message, parts, text: textOf(parts), meta, updatedAt: now }, conversation };
    });
  }

  async function attachContent(account: ChannelAccount, settings: LineSettings, credentials: LineCredentials, id: string) {
    const message = await store.messages.findById(id);
    const content = message?.meta?.line?.content;
    if (!message?.providerMessageId || content?.state !== 'pending') return;
    const outcome = await download(settings, credentials, message.providerMessageId, content);
    for (let attempt = 1; ; attempt++) {
      try {
        const done = await applyOutcome(account, id, outcome);
        // The console merges messages by id: the message with its file replaces the one it shows.
        if (done) deps.events.publish({ type: 'message.created', message: done.message, conversation: done.conversation });
        return;
      } catch (err) {
        if (!(err instanceof LostRace) || attempt >= 5) throw err;
      }
    }
  }

  return {
    /**
     * Takes one verified webhook body: stores its messages (once each) and consent changes; resolves
     * when that is durable, so the caller may answer LINE. Content and profiles follow in the background.
     */
    async receive(account: ChannelAccount, credentials: LineCredentials, body: unknown): Promise<LineReceipt> {
      const settings = settingsOf(account);
      const parsed = LineWebhookBody.safeParse(body);
      if (!parsed.success) {
        throw new AppError('VALIDATION', `LINE webhook: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      }
      const receipt: LineReceipt = { stored: 0, consents: 0, dropped: 0 };
      // In order: a follow and the message after it, as the customer did them.
      for (const raw of parsed.data.events) {
        const event = readLineEvent(account.id, settings.channelId, raw, deps.now());
        if (event.kind === 'dropped') {
          receipt.dropped++;
          deps.log.warn(
            { accountId: account.id, type: event.type, webhookEventId: event.webhookEventId, reason: event.reason },
            'LINE event dropped',
          );
          continue;
        }
        const identity: Identity = { kind: 'line', scope: settings.channelId, value: event.userId };
        let customer: Customer;
        if (event.kind === 'consent') {
          customer = await customerOf(identity);
          if (await recordConsent(customer, event.action, event.timestamp, event.webhookEventId)) receipt.consents++;
        } else {
          const result = await deps.ingest(event.inbound);
          customer = result.customer;
          if (result.created) receipt.stored++;
          if (result.message.meta?.line?.content?.state === 'pending') {
            const id = result.message.id;
            startOnce(
              `content:${id}`,
              () => attachContent(account, settings, credentials, id),
              'could not attach the content of a LINE message',
            );
          }
        }
        // A new (nameless) customer gets their LINE name; an unfollow is no reason to ask LINE about them.
        if (!customer.name && (event.kind === 'message' || event.action === 'follow')) {
          startOnce(
            `profile:${identity.scope}:${identity.value}`,
            () => fillProfile(account, settings, credentials, identity),
            'could not fill a LINE profile',
          );
        }
      }
      return receipt;
    },

    /** Resolves when the work started after answers is done (tests and shutdown). */
    async settled(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}

export type ReceiveLine = ReturnType<typeof makeReceiveLine>;
