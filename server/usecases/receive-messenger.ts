// Facebook Messenger into Omnidesk, exactly once, and the receipts of what we sent.
//
// The order: the webhook's signature is checked (http/routes/messenger.route.ts), then each customer
// message is stored in the ingest transaction keyed by (account, mid), its attachments listed as
// pending; delivery and read receipts move our messages forward; only then does Meta get its 200.
// After that answer, slow work: the attachments are fetched from Meta's CDN and attached to the same
// message in one compare-and-set write (a redelivered webhook, or another node, attaches each once),
// and a customer without a name gets the one Meta knows (GET /<psid>). Failures there are logged.
// Attachments a stopped process left pending are fetched by the routing leader's sweep (resume-pending-media).
import { MessengerSettings, type MessengerCredentials } from '../../channels/messenger/account.js';
import { GraphClient } from '../../channels/messenger/graph-client.js';
import { parseMessengerWebhook, toInboundMessage, type MessengerEvents } from '../../channels/messenger/inbound.js';
import { fetchMessengerMedia } from '../../channels/messenger/media.js';
import { AppError } from '../domain/errors.js';
import type { MessengerMedia } from '../domain/messenger.js';
import type { ChannelAccount, InboundMessage } from '../domain/types.js';
import { accountSettings } from './account-settings.js';
import { makeBackgroundWork } from './background-work.js';
import type { IngestResult } from './ingest-message.js';
import { FILE_EXTENSIONS, makeProviderMedia, type MediaRetry, type MediaSlot, type ProviderMediaDeps } from './provider-media.js';
import type { RecordDeliveryStatus } from './record-delivery-status.js';

export interface ReceiveMessengerDeps extends ProviderMediaDeps {
  ingest: (m: InboundMessage) => Promise<IngestResult>;
  recordDeliveryStatus: RecordDeliveryStatus;
  /** Downloads tried per attachment when Meta or the network fails for a moment, and the pause between. */
  mediaRetry?: MediaRetry;
}

const MESSENGER_MEDIA: MediaSlot<MessengerMedia> = {
  provider: 'Meta',
  read: (message) => message.meta?.messenger?.media,
  write: (meta, media) => ({ ...meta, messenger: { ...meta?.messenger, media } }),
  label: (media, i) => `Messenger ${media.type} ${i + 1}`,
  emptyTextGivesWayTo: 'files and notes',
};

/** How many of our latest messages a read receipt may mark read. */
const READ_SCAN = 50;

export function makeReceiveMessenger(deps: ReceiveMessengerDeps) {
  const { store } = deps;
  const media = makeProviderMedia(deps, MESSENGER_MEDIA, deps.mediaRetry);
  /** Slow work under way on this node, by message or customer id. */
  const background = makeBackgroundWork(deps, 'warn');

  function startAttaching(account: ChannelAccount, settings: MessengerSettings, messageId: string): Promise<void> {
    return background.start(`media:${messageId}`, 'could not attach the files of a Messenger message', () =>
      attachMedia(account, settings, messageId),
    );
  }

  async function attachMedia(account: ChannelAccount, settings: MessengerSettings, messageId: string): Promise<void> {
    await media.attach(account, messageId, (m, i) =>
      // Checked without an extension (Meta's type is the sender's claim); named by the type the bytes show.
      media.fetchOne((maxBytes) => fetchMessengerMedia(settings, m.url, { maxBytes }), {
        checkName: () => `messenger-${i + 1}`,
        storedName: (type) => `messenger-${i + 1}${FILE_EXTENSIONS[type] ?? ''}`,
      }),
    );
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
      const settings = accountSettings(MessengerSettings, account, 'Messenger');
      const parsed = parseMessengerWebhook(body, settings.pageId, deps.now());
      if (!parsed.ok) throw new AppError('VALIDATION', `Messenger webhook: ${parsed.reason}`);
      const events = parsed.value;
      if (events.ignored.length > 0)
        deps.log.warn({ accountId: account.id, ignored: events.ignored.slice(0, 20) }, 'Messenger events ignored');
      for (const incoming of events.messages) {
        const result = await deps.ingest(toInboundMessage(account.id, incoming));
        if (result.message.meta?.messenger?.media?.some((m) => m.state === 'pending'))
          void startAttaching(account, settings, result.message.id);
        if (!result.customer.name) {
          background.start(`profile:${result.customer.id}`, 'could not read the Messenger profile of a customer', () =>
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

    /**
     * Fetches the files a stored message still lists as pending (the process stopped after Meta's answer
     * and before they came): the routing leader's sweep. Meta's file links need no credentials (they expire).
     */
    resumePending(account: ChannelAccount, _credentials: Record<string, unknown>, messageId: string): Promise<void> {
      return startAttaching(account, accountSettings(MessengerSettings, account, 'Messenger'), messageId);
    },

    /** Resolves when the slow work started so far is done (tests and shutdown). */
    settled: background.settled,
  };
}

export type ReceiveMessenger = ReturnType<typeof makeReceiveMessenger>;
