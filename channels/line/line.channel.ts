// LINE out: an agent's reply goes to the customer's LINE user id, by reply while an unused reply
// token of theirs is still valid (free, single-use, about a minute), by push afterwards. A push carries
// X-Line-Retry-Key derived from our message id, so an outbox retry after a lost answer is refused by
// LINE with 409 (already accepted) instead of delivered twice, and 409 counts as sent. A reply has no
// such key: a reply whose answer is lost is retried by push (at least once, never lost). Pictures go
// as image messages from a signed, expiring link to the attachment (PUBLIC_URL needed); without one,
// the text alone goes. LINE has no delivery receipts: accepted = sent.
import type { messagingApi } from '@line/bot-sdk';
import { optOutRefusal } from '../../server/domain/consent.js';
import type { Attachment, ChannelAccount } from '../../server/domain/types.js';
import { ChannelError, type ChannelAdapter, type OutboundContext, type SendResult } from '../types.js';
import { LineCredentials, LineSettings } from './account.js';
import { checkLineAccount, isLineFailure, lineChannelError, lineClient, retryKeyOf, withTimeout } from './client.js';
import { accountParser } from '../account-parser.js';

export interface LineChannelOptions {
  /** A signed, expiring public URL LINE may fetch an attachment from; undefined when none can be made. */
  mediaUrl?: (account: ChannelAccount, attachment: Attachment) => string | undefined;
  /** Takes (once) the newest valid, unused reply token of the conversation for this message; undefined when there is none. */
  claimReplyToken: (conversationId: string, messageId: string) => Promise<string | undefined>;
}

/** LINE's limits: 5 messages per request, 5,000 characters per text message. */
export const MAX_MESSAGES = 5;
export const MAX_TEXT_CHARS = 5000;

export const lineWebhookUrls = (baseUrl: string, accountId: string) => ({ webhook: `${baseUrl}/webhooks/line/${accountId}` });

/** The text (split at LINE's limit) and the pictures, as LINE messages. */
function messagesOf(ctx: OutboundContext, options: LineChannelOptions): messagingApi.Message[] {
  const text = ctx.message.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
  const chars = [...text];
  const out: messagingApi.Message[] = [];
  for (let i = 0; i < chars.length; i += MAX_TEXT_CHARS) {
    const chunk = chars.slice(i, i + MAX_TEXT_CHARS).join('');
    if (chunk.trim()) out.push({ type: 'text', text: chunk });
  }
  for (const a of ctx.attachments) {
    const url = options.mediaUrl?.(ctx.account, a);
    if (!url) continue; // no public link (PUBLIC_URL unset): the text alone goes
    if (a.contentType === 'image/jpeg' || a.contentType === 'image/png') {
      out.push({ type: 'image', originalContentUrl: url, previewImageUrl: url });
    } else {
      out.push({ type: 'text', text: `📎 ${a.filename}\n${url}` });
    }
  }
  if (out.length === 0)
    throw new ChannelError('INVALID_PAYLOAD', 'a LINE message needs text, or a picture and PUBLIC_URL set for LINE to fetch it from');
  if (out.length > MAX_MESSAGES) {
    throw new ChannelError(
      'INVALID_PAYLOAD',
      `LINE takes at most ${MAX_MESSAGES} messages at once (texts over ${MAX_TEXT_CHARS} characters count as several, each file as one)`,
    );
  }
  return out;
}

export function createLineChannel(options: LineChannelOptions): ChannelAdapter {
  return {
    kind: 'line',

    parseAccount: accountParser(LineSettings, LineCredentials),

    async checkAccount(settings, credentials) {
      await checkLineAccount(LineSettings.parse(settings), LineCredentials.parse(credentials));
    },

    async send(ctx: OutboundContext): Promise<SendResult> {
      const parsedSettings = LineSettings.safeParse(ctx.account.settings);
      if (!parsedSettings.success)
        throw new ChannelError('PERMANENT', `the LINE account's settings are incomplete; save it again in Admin`);
      const parsedCredentials = LineCredentials.safeParse(ctx.credentials);
      if (!parsedCredentials.success)
        throw new ChannelError('AUTH', `the LINE account has no usable channel access token; set it in Admin`);
      const settings = parsedSettings.data;
      // The last guard (the reply use case refuses first): nothing goes to a customer who blocked the account.
      const refusal = optOutRefusal('line', ctx.consent);
      if (refusal) throw new ChannelError('PERMANENT', refusal);
      const to = ctx.recipients.find((i) => i.kind === 'line' && i.scope === settings.channelId)?.value;
      if (!to) throw new ChannelError('INVALID_PAYLOAD', 'the customer has no LINE user id on this LINE account');
      const messages = messagesOf(ctx, options);
      const client = lineClient(settings, parsedCredentials.data);

      const replyToken = await options.claimReplyToken(ctx.conversation.id, ctx.message.id);
      if (replyToken) {
        try {
          const answer = await withTimeout(client.replyMessage({ replyToken, messages }));
          return { providerMessageId: answer.sentMessages[0]?.id ?? null, status: 'sent' };
        } catch (err) {
          // An expired or already used token (LINE: 400 "Invalid reply token") falls through to push.
          if (!(isLineFailure(err) && err.status === 400 && /reply token/i.test(err.body))) throw lineChannelError(err);
        }
      }
      try {
        const answer = await withTimeout(client.pushMessage({ to, messages }, retryKeyOf(ctx.message.id)));
        return { providerMessageId: answer.sentMessages[0]?.id ?? null, status: 'sent' };
      } catch (err) {
        // 409 for our retry key: LINE already accepted this very message (an earlier try whose answer was lost).
        if (isLineFailure(err) && err.status === 409) {
          // Its answer (with LINE's message id) was lost; the 409 names only the earlier request.
          return { providerMessageId: null, status: 'sent' };
        }
        throw lineChannelError(err);
      }
    },

    publicUrls(baseUrl: string, account: ChannelAccount): Record<string, string> {
      return lineWebhookUrls(baseUrl, account.id);
    },
  };
}
