// One fetched mail into Omnidesk, exactly once: the ledger (account, mailbox, UIDVALIDITY, UID) says
// whether this copy was seen; the Message-ID is the ingest's idempotency key, so the same mail held
// twice, or renumbered by the server, is still one message. The raw mail is kept before anything else,
// so a mail that cannot be parsed waits, unprocessable, for an admin to reprocess it: never dropped.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { EmailSettings } from '../../channels/email/account.js';
import { parseMail, UnparseableMailError, type ParsedMail } from '../../channels/email/parse-mail.js';
import { refsInSubject, ticketRef, verifyTicketRef } from '../../channels/email/ticket-ref.js';
import type { EmailImport, ImportOutcome } from '../../db/stores/email.store.js';
import type { EmailAddress, MessageMeta } from '../domain/email.js';
import { AppError, notFound } from '../domain/errors.js';
import type { ChannelAccount, InboundMessage, MessagePart } from '../domain/types.js';
import { FileTooLargeError, type FileStorage } from '../storage/file-storage.js';
import type { Deps } from './deps.js';
import { MAX_HTML_CHARS, type IngestResult } from './ingest-message.js';
import type { makeSendSystemReply } from './send-system-reply.js';

/** Where a mail sits on the server: its copy's identity, whatever its content. */
export interface MailPlace {
  mailbox: string;
  uidValidity: number;
  uid: number;
  size: number;
  /** From the server's envelope, for mail too large to fetch. */
  envelope?: { messageId: string | null; subject: string | null; from: EmailAddress | null };
}

export interface ImportEmailDeps extends Deps {
  files: FileStorage;
  ingest: (m: InboundMessage) => Promise<IngestResult>;
  sendSystemReply: ReturnType<typeof makeSendSystemReply>;
  refKey: Buffer;
}

const DEFAULT_ACK = {
  en: 'We have received your message and will reply as soon as we can. Your reference is {ref}: please keep it in the subject of any reply.',
  th: 'เราได้รับข้อความของคุณแล้ว และจะตอบกลับโดยเร็วที่สุด หมายเลขอ้างอิงของคุณคือ {ref} กรุณาคงหมายเลขนี้ไว้ในหัวเรื่องเมื่อตอบกลับ',
};

const MB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** Failed tries of one kept mail before it is set aside as unprocessable, so one mail never stalls a mailbox. */
export const MAX_IMPORT_ATTEMPTS = 3;

export function makeImportEmail(deps: ImportEmailDeps) {
  const { store, files } = deps;
  /** Failed tries per mail copy, in memory: a restart gives a mail its tries again. */
  const failures = new Map<string, number>();

  async function ownAddresses(): Promise<Set<string>> {
    const accounts = await store.channelAccounts.list();
    return new Set(
      accounts.flatMap((a) => {
        if (a.kind !== 'email') return [];
        const s = EmailSettings.safeParse(a.settings);
        return s.success ? [s.data.fromAddress, s.data.imap.user.toLowerCase()] : [];
      }),
    );
  }

  /** The conversations a mail says it continues, most certain first (verified ticket references last). */
  async function threadCandidates(accountId: string, mail: ParsedMail): Promise<string[]> {
    const ids = [mail.inReplyTo, ...[...mail.references].reverse()].filter((id): id is string => Boolean(id));
    const byHeaders = await store.email.conversationsByMessageIds(accountId, ids);
    const byRef: string[] = [];
    for (const ref of refsInSubject(mail.subject)) {
      const id = await store.email.conversationByRef(ref);
      if (id && verifyTicketRef(deps.refKey, id, ref)) byRef.push(id);
    }
    return [...new Set([...byHeaders, ...byRef])];
  }

  /** A delivery report about one of our mails: noted on that conversation, the message marked failed. */
  async function recordBounce(account: ChannelAccount, mail: ParsedMail): Promise<ImportOutcome | undefined> {
    const bounce = mail.bounce!;
    if (!bounce.originalMessageId) return undefined;
    const original = await store.messages.findByProviderId(account.id, bounce.originalMessageId);
    if (!original) return undefined;
    const conversation = await store.conversations.findById(original.conversationId);
    if (!conversation || original.direction !== 'outbound') return undefined;
    // Anyone can send a report naming one of our Message-IDs: it counts only when the address it says
    // failed is one that mail went to (the customer or a participant of that conversation).
    const addressed = new Set([
      ...(await store.customers.identities(conversation.customerId)).filter((i) => i.kind === 'email').map((i) => i.value),
      ...(await store.email.participants(conversation.id)).map((p) => p.address),
    ]);
    if (bounce.failedRecipients.length > 0 && !bounce.failedRecipients.some((a) => addressed.has(a.toLowerCase()))) return undefined;
    // The same report read again (the mailbox renumbered, the report held twice): already noted.
    const noted = mail.messageId ? await store.messages.findByProviderId(account.id, mail.messageId) : undefined;
    if (noted) return { status: 'duplicate', messageRef: noted.id, conversationId: noted.conversationId };
    const now = deps.now();
    const reason = [bounce.status, bounce.diagnostic].filter(Boolean).join(' ') || 'the receiving server refused it';
    const text = `Delivery failed to ${bounce.failedRecipients.join(', ') || 'the recipient'}: ${reason}`;
    const meta: MessageMeta = { bounce, email: emailMeta(mail) };
    const { note, failed } = await store.transaction(async (tx) => {
      for (const address of bounce.failedRecipients)
        if (addressed.has(address.toLowerCase())) await tx.email.markFailing(address, reason, now);
      const note = await tx.messages.insert(
        {
          conversationId: conversation.id,
          channelAccountId: account.id,
          direction: 'inbound',
          senderType: 'system',
          senderId: null,
          parts: [{ type: 'text', text }],
          text,
          private: false,
          providerMessageId: mail.messageId ?? null,
          status: 'received',
          meta,
        },
        now,
      );
      const failed = await tx.messages.updateDelivery(
        original.id,
        { status: 'failed', errorCode: 'BOUNCED', errorMessage: reason.slice(0, 500) },
        now,
      );
      return { note, failed };
    });
    deps.events.publish({ type: 'message.created', message: note, conversation });
    if (failed) deps.events.publish({ type: 'message.status', message: failed, conversation });
    return { status: 'failed_delivery', messageRef: note.id, conversationId: conversation.id };
  }

  async function partsOf(account: ChannelAccount, mail: ParsedMail, tooLarge?: string): Promise<MessagePart[]> {
    const parts: MessagePart[] = [];
    const text = tooLarge ?? (mail.newText.trim() || mail.text.trim());
    if (text) parts.push({ type: 'text', text });
    // HTML beyond what the sanitizer takes is left out: the text version carries the content.
    if (mail.html && !tooLarge && mail.html.length <= MAX_HTML_CHARS) parts.push({ type: 'html', html: mail.html });
    const now = deps.now();
    for (const a of mail.attachments) {
      const stored = await store.attachments.create(
        {
          channelAccountId: account.id,
          uploaderType: 'customer',
          // The customer is not known yet (ingest resolves them); the mailbox that received it is.
          uploaderId: account.id,
          filename: a.filename,
          contentType: a.contentType,
          size: a.size,
          sha256: a.sha256,
          storageKey: a.ref,
        },
        now,
      );
      const kind = a.contentType.startsWith('image/') ? 'image' : 'file';
      const part = { attachmentId: stored.id, filename: a.filename, contentType: a.contentType, size: a.size };
      if (kind === 'image') parts.push({ type: 'image', ...part, ...(a.inline && a.contentId ? { contentId: a.contentId } : {}) });
      else parts.push({ type: 'file', ...part });
    }
    if (parts.length === 0) parts.push({ type: 'text', text: mail.subject || '(empty message)' });
    return parts;
  }

  async function ingestMail(account: ChannelAccount, mail: ParsedMail, rawSha: string, own: Set<string>, tooLarge?: string) {
    const settings = EmailSettings.parse(account.settings);
    const from = mail.from!;
    const others = [...mail.to, ...mail.cc].filter((p) => p.address !== from.address && !own.has(p.address));
    const meta: MessageMeta = { email: emailMeta(mail) };
    if (mail.autoReply) meta.autoReply = mail.autoReply.reason;
    if (mail.bounce) meta.bounce = mail.bounce;
    const result = await deps.ingest({
      channelAccountId: account.id,
      channelKind: 'email',
      providerMessageId: mail.messageId ?? `sha256:${rawSha}`,
      sender: { identity: { kind: 'email', scope: '', value: from.address }, name: from.name ?? undefined },
      parts: await partsOf(account, mail, tooLarge),
      subject: mail.subject || undefined,
      sentAt: mail.date ?? deps.now(),
      thread: { conversationIds: await threadCandidates(account.id, mail), senderAddress: from.address },
      participants: others,
      meta,
    });
    const ref = ticketRef(deps.refKey, result.conversation.id);
    await store.email.setRef(result.conversation.id, ref);
    if (!mail.bounce) await store.email.clearFailing(from.address);
    const isNew = result.created && result.conversation.createdAt === result.message.createdAt;
    if (isNew && settings.acknowledge.enabled && !mail.autoReply && !mail.bounce) {
      const locale = result.customer.locale?.startsWith('th') ? 'th' : 'en';
      const text = (settings.acknowledge.text ?? DEFAULT_ACK[locale]).replaceAll('{ref}', ref);
      await deps.sendSystemReply({ conversationId: result.conversation.id, text });
    }
    return result;
  }

  /** Parses a kept raw mail and brings it in; the outcome for the ledger. */
  async function process(account: ChannelAccount, rawKey: string, rawSha: string): Promise<ImportOutcome> {
    let mail: ParsedMail;
    try {
      mail = await parseMail(files.open(rawKey), {
        storeAttachment: async (_meta, content) => {
          const stored = await files.putStream(content as Readable);
          return { ref: stored.storageKey, size: stored.size, sha256: stored.sha256 };
        },
      });
    } catch (err) {
      if (!(err instanceof UnparseableMailError)) throw err;
      return { status: 'unprocessable', rawKey, error: err.message };
    }
    const summary = { messageId: mail.messageId, subject: mail.subject, fromAddress: mail.from?.address ?? null, rawKey };
    if (!mail.from) return { ...summary, status: 'unprocessable', error: 'the mail has no sender (From) address' };
    const own = await ownAddresses();
    if (own.has(mail.from.address) && !mail.bounce) return { ...summary, status: 'own' };
    if (mail.bounce) {
      const bounced = await recordBounce(account, mail);
      if (bounced) return { ...summary, ...bounced };
    }
    let result;
    try {
      result = await ingestMail(account, mail, rawSha, own);
    } catch (err) {
      // A mail the pipeline refuses (e.g. nothing left of it) waits for an admin; a database outage retries.
      if (err instanceof AppError && (err.code === 'VALIDATION' || err.code === 'PAYLOAD_TOO_LARGE')) {
        return { ...summary, status: 'unprocessable', error: err.message };
      }
      throw err;
    }
    return {
      ...summary,
      status: result.created ? 'imported' : 'duplicate',
      messageRef: result.message.id,
      conversationId: result.conversation.id,
    };
  }

  return {
    /**
     * Imports one mail from the server. `open` streams its raw bytes; it is called at most once, and
     * not at all for mail already in the ledger or over the size cap.
     */
    async importMail(account: ChannelAccount, place: MailPlace, open: () => Promise<Readable>): Promise<ImportOutcome> {
      const where = { channelAccountId: account.id, ...place };
      const seen = await store.email.findImport(account.id, place.mailbox, place.uidValidity, place.uid);
      if (seen) return seen;
      const settings = EmailSettings.parse(account.settings);
      let outcome: ImportOutcome;
      if (place.size > settings.imap.maxBytes) {
        outcome = await tooLarge(account, place, settings.imap.maxBytes);
      } else {
        let raw;
        try {
          raw = await files.putStream(await open(), settings.imap.maxBytes);
        } catch (err) {
          if (!(err instanceof FileTooLargeError)) throw err;
          outcome = await tooLarge(account, place, settings.imap.maxBytes);
          await store.email.recordImport(where, outcome, deps.now());
          return outcome;
        }
        const key = `${account.id}:${place.mailbox}:${place.uidValidity}:${place.uid}`;
        try {
          outcome = await process(account, raw.storageKey, raw.sha256);
          failures.delete(key);
        } catch (err) {
          // The raw mail is kept: after a few tries it waits for an admin instead of blocking the mail behind it.
          const tries = (failures.get(key) ?? 0) + 1;
          if (tries < MAX_IMPORT_ATTEMPTS) {
            failures.set(key, tries);
            throw err;
          }
          failures.delete(key);
          const reason = err instanceof Error ? err.message : String(err);
          const env = place.envelope;
          outcome = {
            status: 'unprocessable',
            messageId: env?.messageId ?? null,
            subject: env?.subject ?? null,
            fromAddress: env?.from?.address ?? null,
            rawKey: raw.storageKey,
            error: `failed ${tries} times: ${reason}`,
          };
        }
      }
      await store.email.recordImport(where, outcome, deps.now());
      return outcome;
    },

    /** An admin runs an unprocessable mail through again (after a fix, or to see the error again). */
    async reprocess(importId: string): Promise<EmailImport> {
      const entry = await store.email.findImportById(importId);
      if (!entry) throw notFound('email import');
      if (entry.status !== 'unprocessable' || !entry.rawKey) {
        throw new AppError('CONFLICT', `only an unprocessable mail can be reprocessed; this one is ${entry.status}`);
      }
      const account = await store.channelAccounts.findById(entry.channelAccountId);
      if (!account) throw notFound('channel account');
      const sha = createHash('sha256');
      for await (const chunk of files.open(entry.rawKey)) sha.update(chunk as Buffer);
      const outcome = await process(account, entry.rawKey, sha.digest('hex'));
      await store.email.updateImport(entry.id, outcome, deps.now());
      return (await store.email.findImportById(entry.id))!;
    },
  };

  /** Mail over the cap is not fetched: the conversation says what arrived, and that it stays in the mailbox. */
  async function tooLarge(account: ChannelAccount, place: MailPlace, maxBytes: number): Promise<ImportOutcome> {
    const env = place.envelope;
    const summary = { messageId: env?.messageId ?? null, subject: env?.subject ?? null, fromAddress: env?.from?.address ?? null };
    if (!env?.from)
      return { ...summary, status: 'too_large', error: `${MB(place.size)} is over the ${MB(maxBytes)} limit; no sender known` };
    const mail: ParsedMail = {
      messageId: env.messageId ?? `too-large:${place.uidValidity}:${place.uid}`,
      inReplyTo: null,
      references: [],
      subject: env.subject ?? '',
      from: env.from,
      replyTo: [],
      to: [],
      cc: [],
      date: null,
      text: '',
      newText: '',
      quoted: null,
      html: null,
      attachments: [],
      autoReply: null,
      bounce: null,
    };
    const note = `[This email (${MB(place.size)}) is over the ${MB(maxBytes)} limit and was not imported. It is still in the mailbox "${place.mailbox}".]`;
    const result = await ingestMail(account, mail, `${place.uidValidity}:${place.uid}`, await ownAddresses(), note);
    return {
      ...summary,
      status: 'too_large',
      error: `${MB(place.size)} is over the ${MB(maxBytes)} limit`,
      messageRef: result.message.id,
      conversationId: result.conversation.id,
    };
  }
}

function emailMeta(mail: ParsedMail) {
  return {
    messageId: mail.messageId,
    from: mail.from,
    to: mail.to,
    cc: mail.cc,
    replyTo: mail.replyTo,
    subject: mail.subject,
    quoted: mail.quoted,
  };
}

export type ImportEmail = ReturnType<typeof makeImportEmail>;
