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
// language, picture). The process dying after the 200 and before that work leaves the content
// pending (the message is safe; LINE keeps content for a while), which the routing leader's sweep fetches
// (resume-pending-media), or the name empty, which the customer's next message fills.
import { LineCredentials, LineSettings } from '../../channels/line/account.js';
import { fetchLineContent, fetchLineProfile } from '../../channels/line/client.js';
import { LineWebhookBody, readLineEvent } from '../../channels/line/inbound.js';
import { WriteConflict } from '../../db/connection.js';
import { LINE_UNFOLLOW_SOURCE } from '../domain/consent.js';
import { AppError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { LineContent } from '../domain/line.js';
import type { ChannelAccount, Customer, Identity, InboundMessage } from '../domain/types.js';
import { accountSettings } from './account-settings.js';
import { makeBackgroundWork } from './background-work.js';
import type { IngestResult } from './ingest-message.js';
import { FILE_EXTENSIONS, makeProviderMedia, type MediaRetry, type MediaSlot, type ProviderMediaDeps } from './provider-media.js';

export interface ReceiveLineDeps extends ProviderMediaDeps {
  ingest: (m: InboundMessage) => Promise<IngestResult>;
  /** Downloads tried when LINE or the network fails for a moment, and the pause between. */
  contentRetry?: MediaRetry;
}

export interface LineReceipt {
  /** Messages stored now (not redeliveries). */
  stored: number;
  /** Consent changes recorded. */
  consents: number;
  /** Events dropped (logged with their reason). */
  dropped: number;
}

/** A LINE message has one piece of content, fetched by the message's LINE id (without one, there is nothing to fetch). */
const LINE_CONTENT: MediaSlot<LineContent> = {
  provider: 'LINE',
  read: (message) => (message.providerMessageId && message.meta?.line?.content ? [message.meta.line.content] : undefined),
  write: (meta, [content]) => ({ ...meta, line: { ...meta?.line, content } }),
  label: (content) => `LINE ${content.type}`,
  emptyTextGivesWayTo: 'files and notes',
};

export function makeReceiveLine(deps: ReceiveLineDeps) {
  const { store } = deps;
  const media = makeProviderMedia(deps, LINE_CONTENT, deps.contentRetry);
  /** Work running on this node, by message id or user id. */
  const running = makeBackgroundWork(deps, 'error');

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

  function startAttaching(account: ChannelAccount, settings: LineSettings, credentials: LineCredentials, id: string): Promise<void> {
    return running.start(`content:${id}`, 'could not attach the content of a LINE message', () =>
      attachContent(account, settings, credentials, id),
    );
  }

  async function attachContent(account: ChannelAccount, settings: LineSettings, credentials: LineCredentials, id: string) {
    await media.attach(account, id, (content, _i, message) => {
      // A file keeps the name it was sent with; other content is named by its type.
      const name = (type: string) => content.fileName ?? `line-${content.type}${FILE_EXTENSIONS[type] ?? ''}`;
      return media.fetchOne((maxBytes) => fetchLineContent(settings, credentials, message.providerMessageId!, maxBytes), {
        checkName: (downloaded) => name(downloaded ?? ''),
        storedName: name,
      });
    });
  }

  return {
    /**
     * Takes one verified webhook body: stores its messages (once each) and consent changes; resolves
     * when that is durable, so the caller may answer LINE. Content and profiles follow in the background.
     */
    async receive(account: ChannelAccount, credentials: LineCredentials, body: unknown): Promise<LineReceipt> {
      const settings = accountSettings(LineSettings, account, 'LINE');
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
          if (result.message.meta?.line?.content?.state === 'pending')
            void startAttaching(account, settings, credentials, result.message.id);
        }
        // A new (nameless) customer gets their LINE name; an unfollow is no reason to ask LINE about them.
        if (!customer.name && (event.kind === 'message' || event.action === 'follow')) {
          running.start(`profile:${identity.scope}:${identity.value}`, 'could not fill a LINE profile', () =>
            fillProfile(account, settings, credentials, identity),
          );
        }
      }
      return receipt;
    },

    /**
     * Fetches the content a stored message still lists as pending (the process stopped after LINE's
     * answer and before it came): the routing leader's sweep calls it with the account's opened credentials.
     */
    resumePending(account: ChannelAccount, credentials: Record<string, unknown>, messageId: string): Promise<void> {
      const parsed = LineCredentials.safeParse(credentials);
      if (!parsed.success) return Promise.resolve(); // no access token: the content cannot be fetched, and stays pending
      return startAttaching(account, accountSettings(LineSettings, account, 'LINE'), parsed.data, messageId);
    },

    /** Resolves when the work started after answers is done (tests and shutdown). */
    settled: running.settled,
  };
}

export type ReceiveLine = ReturnType<typeof makeReceiveLine>;
