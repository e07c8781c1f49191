// Email out: an agent's reply becomes a mail sent over the account's SMTP server with nodemailer. The
// Message-ID comes from the message's own id, so every retry of one reply sends the same Message-ID
// (a receiving server that got the first attempt sees a duplicate, and threading holds). In-Reply-To
// and References continue the customer's thread; the subject keeps the ticket reference.
import type { Readable } from 'node:stream';
import type { ChannelAccount, Message } from '../../server/domain/types.js';
import type { EmailAddress, MessageMeta } from '../../server/domain/email.js';
import { ChannelError, type ChannelAdapter, type OutboundContext, type SendResult } from '../types.js';
import { EmailCredentials, EmailSettings } from './account.js';
import { checkEmailAccount, failedStep, smtpTransport } from './connect.js';
import { renderReply, type QuotedMessage } from './reply-template.js';
import { threadSubject, ticketRef } from './ticket-ref.js';
import { accountParser } from '../account-parser.js';

export interface EmailChannelOptions {
  /** Signs ticket references (SecretBox.derive('email-ticket-ref')). */
  refKey: Buffer;
}

const metaOf = (m: Message) => (m as Message & { meta?: MessageMeta | null }).meta ?? null;
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/** The Message-ID of one of our outgoing messages (without angle brackets). */
export const outgoingMessageId = (message: Pick<Message, 'id'>, fromAddress: string) => `${message.id}@${domainOf(fromAddress)}`;

function formatAddress(a: EmailAddress): { address: string; name: string } | string {
  return a.name ? { address: a.address, name: a.name } : a.address;
}

/** Where a reply goes: the last customer mail's Reply-To, else its sender, else the customer's email. */
function recipientOf(ctx: OutboundContext, lastInbound: Message | undefined): EmailAddress {
  const email = lastInbound && metaOf(lastInbound)?.email;
  const target = email?.replyTo[0] ?? email?.from;
  if (target) return target;
  const identity = ctx.recipients.find((i) => i.kind === 'email');
  if (!identity) throw new ChannelError('INVALID_PAYLOAD', 'the customer has no email address to reply to');
  return { address: identity.value, name: ctx.thread?.customer.name ?? null };
}

/** SMTP replies: 4xx and connection trouble are temporary, 5xx permanent, a refused login is AUTH. */
function sendError(err: unknown): ChannelError {
  const e = err as { responseCode?: number; response?: string; message?: string; code?: string };
  const text = (e.response ?? e.message ?? String(err)).slice(0, 400);
  if (failedStep(err) === 'login') return new ChannelError('AUTH', `SMTP login refused: ${text}`);
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500) return new ChannelError('PERMANENT', `SMTP ${e.responseCode}: ${text}`);
    if (e.responseCode >= 400) return new ChannelError('TEMPORARY', `SMTP ${e.responseCode}: ${text}`);
  }
  return new ChannelError('TEMPORARY', `SMTP: ${text}`);
}

export function createEmailChannel(options: EmailChannelOptions): ChannelAdapter {
  return {
    kind: 'email',
    needsThread: true,

    parseAccount: accountParser(EmailSettings, EmailCredentials),

    async checkAccount(settings, credentials) {
      await checkEmailAccount(EmailSettings.parse(settings), EmailCredentials.parse(credentials));
    },

    async send(ctx: OutboundContext): Promise<SendResult> {
      const settings = EmailSettings.parse(ctx.account.settings);
      const credentials = EmailCredentials.parse(ctx.credentials);
      const history = ctx.thread?.history ?? [];
      const lastInbound = [...history].reverse().find((m) => m.direction === 'inbound');
      // The reply goes to the customer (a Cc'd colleague may have written last: they stay on Cc).
      const fromCustomer = [...history].reverse().find((m) => m.direction === 'inbound' && m.senderId === ctx.conversation.customerId);
      const to = recipientOf(ctx, fromCustomer ?? lastInbound);
      const cc = (ctx.thread?.participants ?? []).filter((p) => p.address !== to.address && p.address !== settings.fromAddress);
      const messageId = outgoingMessageId(ctx.message, settings.fromAddress);
      const threadIds = history
        .map((m) =>
          m.direction === 'inbound'
            ? m.providerMessageId
            : m.providerMessageId && m.providerMessageId.includes('@')
              ? m.providerMessageId
              : null,
        )
        .filter((id): id is string => Boolean(id));
      const inReplyTo = lastInbound?.providerMessageId ?? threadIds.at(-1) ?? null;
      const ref = ticketRef(options.refKey, ctx.conversation.id);
      const customer = ctx.thread?.customer;
      const locale = customer?.locale?.startsWith('th') ? 'th' : 'en';
      const firstName = customer?.name?.trim().split(/\s+/)[0] ?? null;
      const quoted: QuotedMessage[] = history
        .filter((m) => !m.private && m.text.trim())
        .slice(-3)
        .reverse()
        .map((m) => ({
          author: m.direction === 'inbound' ? (customer?.name ?? to.address) : settings.fromName,
          at: new Date(m.createdAt).toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
          text: m.text,
        }));
      const body = renderReply({
        greetingName: ctx.message.senderType === 'system' ? null : firstName,
        locale,
        text: ctx.message.text,
        signature: settings.signature,
        history: ctx.message.senderType === 'system' ? [] : quoted,
      });
      const transport = smtpTransport(settings, credentials);
      try {
        await transport.sendMail({
          from: { address: settings.fromAddress, name: settings.fromName },
          to: formatAddress(to),
          cc: cc.map(formatAddress),
          subject: threadSubject(ctx.conversation.subject, ref, { reply: threadIds.length > 0 }),
          messageId: `<${messageId}>`,
          inReplyTo: inReplyTo ? `<${inReplyTo}>` : undefined,
          references: [...new Set([...threadIds.slice(-20), ...(inReplyTo ? [inReplyTo] : [])])].map((id) => `<${id}>`),
          text: body.text,
          html: body.html,
          // Automatic mail (acknowledgements) says so, so that auto-responders do not answer it.
          headers: ctx.message.senderType === 'system' ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {},
          attachments: ctx.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: ctx.files!.open(a.storageKey) as Readable,
          })),
        });
      } catch (err) {
        throw sendError(err);
      } finally {
        transport.close();
      }
      return { providerMessageId: messageId, status: 'sent' };
    },

    publicUrls(_baseUrl: string, account: ChannelAccount): Record<string, string> {
      // Email needs no webhook: Omnidesk fetches the mail. The address customers write to is what to publish.
      const s = EmailSettings.safeParse(account.settings);
      return s.success ? { supportAddress: s.data.fromAddress, imap: `${s.data.imap.host}:${s.data.imap.port}` } : {};
    },
  };
}
