import type { Knex } from 'knex';
import type { MessageMeta } from '../../server/domain/email.js';
import type { Message, MessageDirection, MessagePart, MessageStatus, SenderType } from '../../server/domain/types.js';
import { newId } from '../ids.js';
import { bool, parseJson } from '../json.js';
import { PENDING_FILES_PREDICATE } from '../migrations/015-pending-files.js';

export interface MessageRow {
  id: string;
  conversation_id: string;
  channel_account_id: string;
  direction: MessageDirection;
  sender_type: SenderType;
  sender_id: string | null;
  parts: string;
  text: string;
  private: boolean | number;
  provider_message_id: string | null;
  status: MessageStatus;
  error_code: string | null;
  error_message: string | null;
  meta?: string | null; // JSON MessageMeta
  created_at: number;
  updated_at: number;
}

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  conversationId: r.conversation_id,
  channelAccountId: r.channel_account_id,
  direction: r.direction,
  senderType: r.sender_type,
  senderId: r.sender_id,
  parts: parseJson<MessagePart[]>(r.parts, []),
  text: r.text,
  private: bool(r.private),
  providerMessageId: r.provider_message_id,
  status: r.status,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  meta: r.meta ? parseJson<MessageMeta | null>(r.meta, null) : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface NewMessage {
  conversationId: string;
  channelAccountId: string;
  direction: MessageDirection;
  senderType: SenderType;
  senderId: string | null;
  parts: MessagePart[];
  text: string;
  private: boolean;
  providerMessageId: string | null;
  status: MessageStatus;
  meta?: MessageMeta | null;
}

/** The row of a new message; booleans are stored as 0/1 so every driver binds them. */
export function newMessageRow(m: NewMessage, now: number): MessageRow {
  return {
    id: newId(),
    conversation_id: m.conversationId,
    channel_account_id: m.channelAccountId,
    direction: m.direction,
    sender_type: m.senderType,
    sender_id: m.senderId,
    parts: JSON.stringify(m.parts),
    text: m.text,
    private: m.private ? 1 : 0,
    provider_message_id: m.providerMessageId,
    status: m.status,
    error_code: null,
    error_message: null,
    meta: m.meta ? JSON.stringify(m.meta) : null,
    created_at: now,
    updated_at: now,
  };
}

export class MessagesStore {
  constructor(private readonly db: Knex) {}

  async findById(id: string): Promise<Message | undefined> {
    const r = await this.db<MessageRow>('messages').where({ id }).first();
    return r && toMessage(r);
  }

  async findByProviderId(channelAccountId: string, providerMessageId: string): Promise<Message | undefined> {
    const r = await this.db<MessageRow>('messages')
      .where({ channel_account_id: channelAccountId, provider_message_id: providerMessageId })
      .first();
    return r && toMessage(r);
  }

  async insert(m: NewMessage, now: number): Promise<Message> {
    const row = newMessageRow(m, now);
    await this.db('messages').insert(row);
    return toMessage(row);
  }

  /** Messages of a conversation in time order, after an optional message id (for catch-up). */
  async listForConversation(conversationId: string, opts: { after?: string; limit: number; includePrivate: boolean }): Promise<Message[]> {
    const q = this.db<MessageRow>('messages').where({ conversation_id: conversationId }).orderBy('id', 'asc').limit(opts.limit);
    if (opts.after) q.where('id', '>', opts.after);
    if (!opts.includePrivate) q.where('private', false);
    return (await q).map(toMessage);
  }

  /** The latest message of each of the given conversations (ids are time-ordered). */
  /** The public messages of a conversation up to `until`, the latest `limit` of them, oldest first. */
  async listRecent(conversationId: string, until: number, limit: number): Promise<Message[]> {
    const rows = await this.db<MessageRow>('messages')
      .where({ conversation_id: conversationId })
      .where('private', false)
      .where('created_at', '<=', until)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.reverse().map(toMessage);
  }

  async latestOf(conversationIds: string[]): Promise<Message[]> {
    if (conversationIds.length === 0) return [];
    const latest = this.db('messages').max('id').whereIn('conversation_id', conversationIds).groupBy('conversation_id');
    return (await this.db<MessageRow>('messages').whereIn('id', latest)).map(toMessage);
  }

  /** What a customer may see: non-private messages of their conversations on one channel account. */
  async listVisibleForCustomer(customerId: string, channelAccountId: string, opts: { after?: string; limit: number }): Promise<Message[]> {
    const q = this.db<MessageRow>('messages')
      .whereIn(
        'conversation_id',
        this.db('conversations').select('id').where({ customer_id: customerId, channel_account_id: channelAccountId }),
      )
      .where('private', false)
      .orderBy('id', 'asc')
      .limit(opts.limit);
    if (opts.after) q.where('id', '>', opts.after);
    return (await q).map(toMessage);
  }

  async updateDelivery(
    id: string,
    patch: { status: MessageStatus; providerMessageId?: string | null; errorCode?: string | null; errorMessage?: string | null },
    now: number,
  ): Promise<Message | undefined> {
    const row: Partial<MessageRow> = { status: patch.status, updated_at: now };
    if (patch.providerMessageId !== undefined) row.provider_message_id = patch.providerMessageId;
    if (patch.errorCode !== undefined) row.error_code = patch.errorCode;
    if (patch.errorMessage !== undefined) row.error_message = patch.errorMessage?.slice(0, 500) ?? null;
    await this.db('messages').where({ id }).update(row);
    return this.findById(id);
  }

  /**
   * Keeps the provider's last answer on a message the outbox will try again, only while it is still
   * queued (another node may have sent it meanwhile): the updated message, or undefined.
   */
  async noteRetry(id: string, errorCode: string, errorMessage: string, now: number): Promise<Message | undefined> {
    const changed = await this.db('messages')
      .where({ id, status: 'queued' })
      .update({ error_code: errorCode, error_message: errorMessage.slice(0, 500), updated_at: now });
    return changed > 0 ? this.findById(id) : undefined;
  }

  /** Replaces a message's meta (a call's record grows as the call goes on). */
  async updateMeta(id: string, meta: MessageMeta | null, now: number): Promise<Message | undefined> {
    await this.db('messages')
      .where({ id })
      .update({ meta: meta ? JSON.stringify(meta) : null, updated_at: now });
    return this.findById(id);
  }

  /**
   * Customers' messages of an account, received in [from, to], whose meta lists a file still pending
   * (an MMS's media, a LINE message's content, a Messenger message's attachments), oldest first.
   */
  async withPendingFiles(channelAccountId: string, from: number, to: number, limit: number): Promise<string[]> {
    const rows = await this.db('messages')
      .where({ channel_account_id: channelAccountId, direction: 'inbound' })
      .whereBetween('created_at', [from, to])
      .whereRaw(PENDING_FILES_PREDICATE) // word for word the partial index's predicate (migration 015)
      .orderBy('created_at')
      .limit(limit)
      .select('id');
    return rows.map((r: { id: string }) => r.id);
  }

  /**
   * Replaces a message's content (parts, text, meta) if its meta is still what the caller read
   * (compare-and-set): false when another writer changed it first, and nothing is written.
   */
  async replaceContent(
    id: string,
    readMeta: MessageMeta | null | undefined,
    next: { parts: MessagePart[]; text: string; meta: MessageMeta | null },
    now: number,
  ): Promise<boolean> {
    const q = this.db('messages').where({ id });
    if (readMeta) q.where('meta', JSON.stringify(readMeta));
    else q.whereNull('meta');
    const changed = await q.update({
      parts: JSON.stringify(next.parts),
      text: next.text,
      meta: next.meta ? JSON.stringify(next.meta) : null,
      updated_at: now,
    });
    return changed === 1;
  }

  async countAll(): Promise<number> {
    const row = await this.db('messages').count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
