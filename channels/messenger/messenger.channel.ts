// Messenger out: an agent's reply becomes a Send API call (POST /me/messages) to the customer's
// page-scoped id, as a RESPONSE inside the 24-hour window; pictures and files go as attachments by URL
// (Meta fetches them from a signed, expiring link of ours) when PUBLIC_URL allows one, else the text
// goes alone. The reply use case refuses a reply outside the window first; this is the last guard.
//
// Resends: the Send API has no idempotency key. The outbox records the returned message id with the
// message in one transaction, so only a crash between Meta accepting it and that commit sends it again
// (at least once, never lost). A reply with text and pictures is several calls; a retry after a
// partial send repeats the parts already sent.
import { messengerWindowRefusal } from '../../server/domain/messenger-window.js';
import type { Attachment, ChannelAccount } from '../../server/domain/types.js';
import { ChannelError, type ChannelAdapter, type OutboundContext, type SendResult } from '../types.js';
import { MessengerCredentials, MessengerSettings } from './account.js';
import { GraphClient, checkMessengerAccount, messengerChannelError } from './graph-client.js';
import { accountParser } from '../account-parser.js';

export interface MessengerChannelOptions {
  /** A signed, expiring public URL Meta may fetch an attachment from; undefined when none can be made (no PUBLIC_URL). */
  mediaUrl?: (account: ChannelAccount, attachment: Attachment) => string | undefined;
  now: () => number;
}

/** The Send API takes at most 2,000 characters of text per message. */
export const MAX_TEXT_CHARS = 2000;

export const messengerWebhookUrls = (baseUrl: string, accountId: string) => ({
  webhook: `${baseUrl}/webhooks/messenger/${accountId}`,
});

interface SendAnswer {
  recipient_id?: string;
  message_id?: string;
}

export function createMessengerChannel(options: MessengerChannelOptions): ChannelAdapter {
  return {
    kind: 'messenger',

    parseAccount: accountParser(MessengerSettings, MessengerCredentials),

    async checkAccount(settings, credentials) {
      await checkMessengerAccount(MessengerSettings.parse(settings), MessengerCredentials.parse(credentials));
    },

    async send(ctx: OutboundContext): Promise<SendResult> {
      const settings = MessengerSettings.safeParse(ctx.account.settings);
      if (!settings.success) throw new ChannelError('PERMANENT', `the Messenger account's settings are incomplete; save it again in Admin`);
      const credentials = MessengerCredentials.safeParse(ctx.credentials);
      if (!credentials.success) throw new ChannelError('AUTH', 'the Messenger account has no usable page access token; set it in Admin');
      const refusal = messengerWindowRefusal(ctx.conversation.lastCustomerMessageAt, options.now());
      if (refusal) throw new ChannelError('PERMANENT', refusal);
      const psid = ctx.recipients.find((i) => i.kind === 'messenger' && i.scope === settings.data.pageId)?.value;
      if (!psid) throw new ChannelError('INVALID_PAYLOAD', 'the customer has no Messenger id on this page to write to');

      const text = ctx.message.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
      if ([...text].length > MAX_TEXT_CHARS) {
        throw new ChannelError(
          'INVALID_PAYLOAD',
          `a Messenger message holds at most ${MAX_TEXT_CHARS} characters; this one has ${[...text].length}`,
        );
      }
      const attachments = ctx.attachments.flatMap((a) => {
        const url = options.mediaUrl?.(ctx.account, a);
        return url ? [{ type: a.contentType.startsWith('image/') ? 'image' : 'file', payload: { url, is_reusable: false } }] : [];
      });
      const bodies = [...(text.trim() ? [{ text }] : []), ...attachments.map((attachment) => ({ attachment }))];
      if (bodies.length === 0) {
        throw new ChannelError(
          ctx.attachments.length > 0 ? 'PERMANENT' : 'INVALID_PAYLOAD',
          ctx.attachments.length > 0
            ? 'files in a Messenger reply need PUBLIC_URL to be set: Meta fetches them from this install'
            : 'a Messenger message needs text or a file',
        );
      }
      const client = GraphClient.forAccount(settings.data, credentials.data);
      let first: string | null = null;
      for (const message of bodies) {
        try {
          const sent = await client.post<SendAnswer>('/me/messages', { recipient: { id: psid }, messaging_type: 'RESPONSE', message });
          first ??= typeof sent.message_id === 'string' ? sent.message_id : null;
        } catch (err) {
          throw messengerChannelError(err);
        }
      }
      return { providerMessageId: first, status: 'sent' };
    },

    publicUrls(baseUrl: string, account: ChannelAccount): Record<string, string> {
      return messengerWebhookUrls(baseUrl, account.id);
    },
  };
}
