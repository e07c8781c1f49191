// Web chat visitors: anonymous sessions (optionally with a name and email), their messages into the
// ingest pipeline, their history after a reload, and their uploads.
import type { Store } from '../../db/store.js';
import { newId } from '../../db/ids.js';
import { AppError, notFound } from '../domain/errors.js';
import { emailIdentity } from '../domain/identity.js';
import type { Attachment, Message, MessagePart } from '../domain/types.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { FileStorage } from '../storage/file-storage.js';
import { checkUpload } from './check-upload.js';
import type { IngestResult } from './ingest-message.js';
import type { InboundMessage } from '../domain/types.js';

export interface WebChatSession {
  id: string;
  channelAccountId: string;
  customerId: string;
}

interface WebChatDeps {
  store: Store;
  files: FileStorage;
  now: () => number;
  ingest: (m: InboundMessage) => Promise<IngestResult>;
}

export function makeWebChat(deps: WebChatDeps) {
  const { store } = deps;

  async function activeAccount(accountId: string) {
    const account = await store.channelAccounts.findById(accountId);
    if (!account || account.kind !== 'web_chat' || !account.active) throw notFound('web chat channel');
    return account;
  }

  /** Whose the session is now: read afresh, because an agent may have linked the visitor to another profile. */
  async function customerOf(session: WebChatSession): Promise<string> {
    return (await store.webChatSessions.findById(session.id))?.customerId ?? session.customerId;
  }

  return {
    /**
     * Starts a visitor session. The email a visitor types is kept on their profile but not trusted as
     * an identity: anyone can type anyone's address, and linking on it would show them another
     * person's history. Agents link profiles once they know who they talk to.
     */
    async startSession(accountId: string, input: { name?: string; email?: string; locale?: string }) {
      await activeAccount(accountId);
      let email: string | undefined;
      if (input.email) {
        const parsed = emailIdentity(input.email);
        if (!parsed.ok) throw new AppError('VALIDATION', parsed.reason);
        email = parsed.identity.value;
      }
      const token = newToken();
      const sessionId = newId();
      await store.transaction(async (tx) => {
        const now = deps.now();
        const customer = await tx.customers.create({ name: input.name?.trim() || null, locale: input.locale ?? null }, now);
        if (email) await tx.customers.setAttributes(customer.id, { unverifiedEmail: email }, now);
        await tx.customers.linkIdentity(customer.id, { kind: 'web_chat', scope: accountId, value: sessionId }, now);
        await tx.webChatSessions.create(
          { channelAccountId: accountId, customerId: customer.id, tokenHash: hashToken(token) },
          now,
          sessionId,
        );
      });
      return { sessionId, token };
    },

    async resolveSession(token: string): Promise<WebChatSession | undefined> {
      if (!token || token.length > 200) return undefined;
      const session = await store.webChatSessions.findByTokenHash(hashToken(token));
      if (!session) return undefined;
      const account = await store.channelAccounts.findById(session.channelAccountId);
      return account?.active ? session : undefined;
    },

    async receive(
      session: WebChatSession,
      input: { clientMessageId: string; text?: string; attachmentIds?: string[] },
    ): Promise<{ message: Message; created: boolean }> {
      const providerMessageId = `${session.id}:${input.clientMessageId}`;
      const ids = [...new Set(input.attachmentIds ?? [])];
      // A retried message with files has them linked already: answer it before checking the files.
      // Text-only messages skip this read; the ingest transaction recognises a retry by itself.
      if (ids.length > 0) {
        const already = await store.messages.findByProviderId(session.channelAccountId, providerMessageId);
        if (already) return { message: already, created: false };
      }
      const attachments = await store.attachments.findManyByIds(ids);
      const usable = attachments.filter((a) => a.uploaderType === 'customer' && a.uploaderId === session.id && a.messageId === null);
      if (usable.length !== ids.length) throw new AppError('VALIDATION', 'an attachment is unknown, not yours, or already sent');
      const parts: MessagePart[] = [];
      const text = input.text?.trim();
      if (text) parts.push({ type: 'text', text });
      for (const a of usable) parts.push(attachmentPart(a));
      const result = await deps.ingest({
        channelAccountId: session.channelAccountId,
        channelKind: 'web_chat',
        providerMessageId,
        sender: { identity: { kind: 'web_chat', scope: session.channelAccountId, value: session.id } },
        parts,
        sentAt: deps.now(),
      });
      return { message: result.message, created: result.created };
    },

    customerOf,

    async history(session: WebChatSession, after?: string): Promise<Message[]> {
      return store.messages.listVisibleForCustomer(await customerOf(session), session.channelAccountId, { after, limit: 500 });
    },

    async visitorSessionsOf(customerId: string, channelAccountId: string): Promise<string[]> {
      const identities = await store.customers.identities(customerId);
      return identities.filter((i) => i.kind === 'web_chat' && i.scope === channelAccountId).map((i) => i.value);
    },

    async upload(session: WebChatSession, file: { bytes: Buffer; filename: string; declaredType: string }): Promise<Attachment> {
      const checked = await checkUpload(file.bytes, file.filename, file.declaredType);
      const stored = await deps.files.put(file.bytes);
      return store.attachments.create(
        {
          channelAccountId: session.channelAccountId,
          uploaderType: 'customer',
          uploaderId: session.id,
          filename: checked.filename,
          contentType: checked.contentType,
          size: stored.size,
          sha256: stored.sha256,
          storageKey: stored.storageKey,
        },
        deps.now(),
      );
    },

    /** An attachment the visitor may download: one in their own conversations. */
    async attachmentForVisitor(session: WebChatSession, attachmentId: string): Promise<Attachment> {
      const a = await store.attachments.findById(attachmentId);
      if (!a || a.channelAccountId !== session.channelAccountId) throw notFound('attachment');
      if (a.uploaderType === 'customer' && a.uploaderId === session.id) return a;
      const message = a.messageId ? await store.messages.findById(a.messageId) : undefined;
      const conversation = message && !message.private ? await store.conversations.findById(message.conversationId) : undefined;
      if (!conversation || conversation.customerId !== (await customerOf(session))) throw notFound('attachment');
      return a;
    },
  };
}

export type WebChat = ReturnType<typeof makeWebChat>;

export function attachmentPart(a: Attachment): MessagePart {
  const base = { attachmentId: a.id, filename: a.filename, contentType: a.contentType, size: a.size };
  return a.contentType.startsWith('image/') ? { type: 'image', ...base } : { type: 'file', ...base };
}
