// An SMS or MMS from Twilio into Omnidesk, exactly once, and the delivery reports of ours.
//
// The order: the message is stored first, with its text and its MMS media listed as pending, in the
// ingest transaction keyed by (account, MessageSid); a compliance keyword (STOP, START, HELP…)
// updates the customer's SMS consent and queues any answer; only then does Twilio get its 200. The
// media are fetched after that answer (slow, and Twilio waits 15 s at most) and attached to the same
// message in one compare-and-set write, so a redelivered webhook, or a second node racing this one,
// attaches each file once. A redelivery of a message whose media are still pending fetches them again.
// The process dying after the 200 and before the media are fetched leaves them pending (the message
// and its text are safe; the media stay at Twilio): the routing leader's sweep fetches them (resume-pending-media).
import { SmsSettings } from '../../channels/sms/account.js';
import { parseIncomingSms, parseSmsStatus, toInboundMessage, type Params } from '../../channels/sms/inbound.js';
import { DEFAULT_KEYWORD_REPLIES } from '../../channels/sms/keywords.js';
import { TwilioCredentials } from '../../channels/twilio/account.js';
import { fetchTwilioMedia } from '../../channels/twilio/media.js';
import { AppError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { SmsKeywordAction, SmsMedia } from '../domain/sms.js';
import type { ChannelAccount, InboundMessage, Message } from '../domain/types.js';
import { accountSettings } from './account-settings.js';
import { makeBackgroundWork } from './background-work.js';
import type { IngestResult } from './ingest-message.js';
import { FILE_EXTENSIONS, makeProviderMedia, type MediaRetry, type MediaSlot, type ProviderMediaDeps } from './provider-media.js';
import type { RecordDeliveryStatus } from './record-delivery-status.js';
import type { makeSendSystemReply } from './send-system-reply.js';

export interface ReceiveSmsDeps extends ProviderMediaDeps {
  ingest: (m: InboundMessage) => Promise<IngestResult>;
  sendSystemReply: ReturnType<typeof makeSendSystemReply>;
  recordDeliveryStatus: RecordDeliveryStatus;
  /** Downloads tried per media file when Twilio or the network fails for a moment, and the pause between. */
  mediaRetry?: MediaRetry;
}

const SMS_MEDIA: MediaSlot<SmsMedia> = {
  provider: 'Twilio',
  read: (message) => message.meta?.sms?.media,
  write: (meta, media) => ({ ...meta, sms: { ...meta?.sms, media } }),
  label: (_media, i) => `MMS file ${i + 1}`,
  emptyTextGivesWayTo: 'files',
};

export function makeReceiveSms(deps: ReceiveSmsDeps) {
  const { store } = deps;
  const media = makeProviderMedia(deps, SMS_MEDIA, deps.mediaRetry);
  /** Media being fetched on this node, by message id. */
  const attaching = makeBackgroundWork(deps, 'error');

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

  function startAttaching(
    account: ChannelAccount,
    settings: SmsSettings,
    credentials: TwilioCredentials,
    messageId: string,
  ): Promise<void> {
    return attaching.start(
      messageId,
      'could not attach the media of an MMS',
      () => attachMedia(account, settings, credentials, messageId),
      {
        messageId,
      },
    );
  }

  async function attachMedia(account: ChannelAccount, settings: SmsSettings, credentials: TwilioCredentials, messageId: string) {
    await media.attach(account, messageId, (m, i) => {
      // Checked under the name Twilio's declared type gives; named by the type the bytes show.
      const name = (type: string) => `mms-${i + 1}${FILE_EXTENSIONS[type] ?? ''}`;
      return media.fetchOne((maxBytes) => fetchTwilioMedia(settings, credentials, m.url, { maxBytes }), {
        checkName: () => name(m.declaredType),
        storedName: name,
        declaredType: m.declaredType,
      });
    });
  }

  return {
    /**
     * Stores an incoming SMS/MMS (once per MessageSid) and acts on a keyword; resolves when that is
     * durable, so the caller may answer Twilio. The media are fetched afterwards, in the background.
     */
    async receive(account: ChannelAccount, credentials: TwilioCredentials, params: Params): Promise<IngestResult> {
      const settings = accountSettings(SmsSettings, account, 'SMS');
      const parsed = parseIncomingSms(params, settings.accountSid);
      if (!parsed.ok) throw new AppError('VALIDATION', `Twilio webhook: ${parsed.reason}`);
      const sms = parsed.value;
      const result = await deps.ingest(toInboundMessage(account.id, sms, deps.now()));
      if (sms.keyword) await answerKeyword(settings, result, sms.keyword);
      if (result.message.meta?.sms?.media?.some((m) => m.state === 'pending'))
        void startAttaching(account, settings, credentials, result.message.id);
      return result;
    },

    /**
     * Fetches the media a stored MMS still lists as pending (the process stopped after Twilio's answer
     * and before they came): the routing leader's sweep calls it with the account's opened credentials.
     */
    resumePending(account: ChannelAccount, credentials: Record<string, unknown>, messageId: string): Promise<void> {
      const parsed = TwilioCredentials.safeParse(credentials);
      if (!parsed.success) return Promise.resolve(); // no auth token: the media cannot be fetched, and stay listed as pending
      return startAttaching(account, accountSettings(SmsSettings, account, 'SMS'), parsed.data, messageId);
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
    settled: attaching.settled,
  };
}

export type ReceiveSms = ReturnType<typeof makeReceiveSms>;
