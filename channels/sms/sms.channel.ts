// SMS out: an agent's reply becomes a Twilio message from the account's number to the number the
// customer wrote from, with pictures as MMS media (Twilio fetches them from a signed, expiring URL of
// ours) and a status callback so delivery reports reach the console.
//
// Resends: Twilio's Messages API has no idempotency key. The outbox records the returned SID with
// the message in one transaction; only a crash (or a lost answer) between Twilio accepting the
// message and that commit makes the outbox send it again, so the customer may, rarely, get one
// reply twice (at least once, never lost). Sends time out well inside the outbox lease, so no two
// workers ever send one message at the same time.
import type { Attachment, ChannelAccount, Message } from '../../server/domain/types.js';
import { optOutRefusal } from '../../server/domain/consent.js';
import { ChannelError, type ChannelAdapter, type OutboundContext, type SendResult } from '../types.js';
import { TwilioCredentials } from '../twilio/account.js';
import { checkTwilioAccount, twilioChannelError, twilioClient } from '../twilio/client.js';
import { SmsSettings } from './account.js';
import { MAX_MEDIA } from './inbound.js';
import { accountParser } from '../account-parser.js';

export interface SmsChannelOptions {
  /** PUBLIC_URL: where Twilio reaches this install. Without it, no status callback is asked for and no picture can be sent. */
  publicUrl: string | undefined;
  /** A signed, expiring public URL Twilio may fetch an attachment from; undefined when none can be made. */
  mediaUrl?: (account: ChannelAccount, attachment: Attachment) => string | undefined;
}

/** Twilio's limits: a body of 1,600 characters, media of 5 MB in all. */
export const MAX_BODY_CHARS = 1600;
export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

/** The customer's number to write to: the one they last wrote from, if it is still theirs, else their first phone. */
function recipientOf(ctx: OutboundContext): string {
  const phones = ctx.recipients.filter((i) => i.kind === 'phone').map((i) => i.value);
  const lastFrom = [...(ctx.thread?.history ?? [])]
    .reverse()
    .find((m: Message) => m.direction === 'inbound' && m.senderId === ctx.conversation.customerId && m.meta?.sms?.from)?.meta?.sms?.from;
  const to = lastFrom && phones.includes(lastFrom) ? lastFrom : phones[0];
  if (!to) throw new ChannelError('INVALID_PAYLOAD', 'the customer has no phone number to send an SMS to');
  return to;
}

export const smsWebhookUrls = (baseUrl: string, accountId: string) => ({
  inbound: `${baseUrl}/webhooks/sms/${accountId}`,
  status: `${baseUrl}/webhooks/sms/${accountId}/status`,
});

export function createSmsChannel(options: SmsChannelOptions): ChannelAdapter {
  return {
    kind: 'sms',
    // The thread says which number the customer last wrote from.
    needsThread: true,

    parseAccount: accountParser(SmsSettings, TwilioCredentials),

    async checkAccount(settings, credentials) {
      await checkTwilioAccount(SmsSettings.parse(settings), TwilioCredentials.parse(credentials));
    },

    async send(ctx: OutboundContext): Promise<SendResult> {
      const parsedSettings = SmsSettings.safeParse(ctx.account.settings);
      if (!parsedSettings.success) throw new ChannelError('PERMANENT', `the SMS account's settings are incomplete; save it again in Admin`);
      const parsedCredentials = TwilioCredentials.safeParse(ctx.credentials);
      if (!parsedCredentials.success) throw new ChannelError('AUTH', `the SMS account has no usable auth token; set it in Admin`);
      const settings = parsedSettings.data;
      const credentials = parsedCredentials.data;
      // The last guard (the reply use case refuses first): nothing goes to a customer who opted out,
      // but the confirmation of that very STOP.
      const refusal = optOutRefusal('sms', ctx.consent);
      if (refusal && !ctx.message.meta?.sms?.keywordReply) throw new ChannelError('PERMANENT', refusal);
      const to = recipientOf(ctx);
      // The text alone: pictures travel as media, not as "[image: …]" placeholders.
      const body = ctx.message.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
      if ([...body].length > MAX_BODY_CHARS) {
        throw new ChannelError('INVALID_PAYLOAD', `an SMS holds at most ${MAX_BODY_CHARS} characters; this one has ${[...body].length}`);
      }
      const media: string[] = [];
      if (ctx.attachments.length > 0) {
        if (ctx.attachments.length > MAX_MEDIA) throw new ChannelError('INVALID_PAYLOAD', `an MMS carries at most ${MAX_MEDIA} files`);
        const total = ctx.attachments.reduce((sum, a) => sum + a.size, 0);
        if (total > MAX_MEDIA_BYTES) throw new ChannelError('INVALID_PAYLOAD', 'an MMS carries at most 5 MB of files in all');
        for (const a of ctx.attachments) {
          const url = options.mediaUrl?.(ctx.account, a);
          if (!url) throw new ChannelError('PERMANENT', 'files in an SMS need PUBLIC_URL to be set: Twilio fetches them from this install');
          media.push(url);
        }
      }
      if (!body.trim() && media.length === 0) throw new ChannelError('INVALID_PAYLOAD', 'an SMS needs text or a file');
      const client = twilioClient(settings, credentials);
      try {
        const sent = await client.messages.create({
          from: settings.phoneNumber,
          to,
          ...(body && { body }),
          ...(media.length > 0 && { mediaUrl: media }),
          ...(options.publicUrl && { statusCallback: smsWebhookUrls(options.publicUrl, ctx.account.id).status }),
        });
        return { providerMessageId: sent.sid, status: 'sent' };
      } catch (err) {
        throw twilioChannelError(err, client);
      }
    },

    publicUrls(baseUrl: string, account: ChannelAccount): Record<string, string> {
      return smsWebhookUrls(baseUrl, account.id);
    },
  };
}
