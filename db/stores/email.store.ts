// The email channel's own records: the import ledger (one row per mail fetched from a mailbox, keyed
// by where it was), the sync position per mailbox, Cc'd participants, ticket references, and
// addresses whose mail bounced.
import type { Knex } from 'knex';
import type { EmailAddress } from '../../server/domain/email.js';
import { newId } from '../ids.js';

export type EmailImportStatus = 'imported' | 'duplicate' | 'unprocessable' | 'too_large' | 'own' | 'failed_delivery';

export interface EmailImport {
  id: string;
  channelAccountId: string;
  mailbox: string;
  uidValidity: number;
  uid: number;
  messageId: string | null;
  size: number;
  rawKey: string | null;
  status: EmailImportStatus;
  error: string | null;
  messageRef: string | null;
  conversationId: string | null;
  subject: string | null;
  fromAddress: string | null;
  createdAt: number;
  updatedAt: number;
}

interface ImportRow {
  id: string;
  channel_account_id: string;
  mailbox: string;
  uid_validity: number | string;
  uid: number | string;
  message_id: string | null;
  size: number | string;
  raw_key: string | null;
  status: EmailImportStatus;
  error: string | null;
  message_ref: string | null;
  conversation_id: string | null;
  subject: string | null;
  from_address: string | null;
  created_at: number | string;
  updated_at: number | string;
}

const toImport = (r: ImportRow): EmailImport => ({
  id: r.id,
  channelAccountId: r.channel_account_id,
  mailbox: r.mailbox,
  uidValidity: Number(r.uid_validity),
  uid: Number(r.uid),
  messageId: r.message_id,
  size: Number(r.size),
  rawKey: r.raw_key,
  status: r.status,
  error: r.error,
  messageRef: r.message_ref,
  conversationId: r.conversation_id,
  subject: r.subject,
  fromAddress: r.from_address,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export interface ImportOutcome {
  status: EmailImportStatus;
  messageId?: string | null;
  rawKey?: string | null;
  error?: string | null;
  messageRef?: string | null;
  conversationId?: string | null;
  subject?: string | null;
  fromAddress?: string | null;
}

export class EmailStore {
  constructor(private readonly db: Knex) {}

  async findImport(channelAccountId: string, mailbox: string, uidValidity: number, uid: number): Promise<EmailImport | undefined> {
    const r = await this.db<ImportRow>('email_imports')
      .where({ channel_account_id: channelAccountId, mailbox, uid_validity: uidValidity, uid })
      .first();
    return r && toImport(r);
  }

  async findImportById(id: string): Promise<EmailImport | undefined> {
    const r = await this.db<ImportRow>('email_imports').where({ id }).first();
    return r && toImport(r);
  }

  /** Records what became of a mail; the same mailbox place recorded twice keeps the first record. */
  async recordImport(
    place: { channelAccountId: string; mailbox: string; uidValidity: number; uid: number; size: number },
    outcome: ImportOutcome,
    now: number,
  ): Promise<void> {
    await this.db('email_imports')
      .insert({
        id: newId(),
        channel_account_id: place.channelAccountId,
        mailbox: place.mailbox,
        uid_validity: place.uidValidity,
        uid: place.uid,
        size: place.size,
        message_id: outcome.messageId?.slice(0, 998) ?? null,
        raw_key: outcome.rawKey ?? null,
        status: outcome.status,
        error: outcome.error?.slice(0, 1000) ?? null,
        message_ref: outcome.messageRef ?? null,
        conversation_id: outcome.conversationId ?? null,
        subject: outcome.subject?.slice(0, 500) ?? null,
        from_address: outcome.fromAddress?.slice(0, 320) ?? null,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['channel_account_id', 'mailbox', 'uid_validity', 'uid'])
      .ignore();
  }

  async updateImport(id: string, outcome: ImportOutcome, now: number): Promise<void> {
    await this.db('email_imports')
      .where({ id })
      .update({
        status: outcome.status,
        error: outcome.error?.slice(0, 1000) ?? null,
        message_ref: outcome.messageRef ?? null,
        conversation_id: outcome.conversationId ?? null,
        updated_at: now,
      });
  }

  async listImports(filter: { channelAccountId?: string; status?: EmailImportStatus[] }, limit: number): Promise<EmailImport[]> {
    const q = this.db<ImportRow>('email_imports').orderBy('created_at', 'desc').limit(limit);
    if (filter.channelAccountId) q.where('channel_account_id', filter.channelAccountId);
    if (filter.status?.length) q.whereIn('status', filter.status);
    return (await q).map(toImport);
  }

  async syncState(channelAccountId: string, mailbox: string): Promise<{ uidValidity: number; lastUid: number } | undefined> {
    const r = await this.db('email_sync_state').where({ channel_account_id: channelAccountId, mailbox }).first();
    return r && { uidValidity: Number(r.uid_validity), lastUid: Number(r.last_uid) };
  }

  async saveSyncState(channelAccountId: string, mailbox: string, uidValidity: number, lastUid: number, now: number): Promise<void> {
    await this.db('email_sync_state')
      .insert({ channel_account_id: channelAccountId, mailbox, uid_validity: uidValidity, last_uid: lastUid, updated_at: now })
      .onConflict(['channel_account_id', 'mailbox'])
      .merge(['uid_validity', 'last_uid', 'updated_at']);
  }

  async addParticipants(conversationId: string, people: EmailAddress[], now: number): Promise<void> {
    if (people.length === 0) return;
    await this.db('conversation_participants')
      .insert(
        people.map((p) => ({ conversation_id: conversationId, address: p.address, name: p.name?.slice(0, 200) ?? null, created_at: now })),
      )
      .onConflict(['conversation_id', 'address'])
      .ignore();
  }

  async participants(conversationId: string): Promise<EmailAddress[]> {
    const rows = await this.db('conversation_participants').where({ conversation_id: conversationId }).orderBy('created_at');
    return rows.map((r: { address: string; name: string | null }) => ({ address: r.address, name: r.name }));
  }

  async isParticipant(conversationId: string, address: string): Promise<boolean> {
    return Boolean(await this.db('conversation_participants').where({ conversation_id: conversationId, address }).first());
  }

  /** Conversations of this account holding any of these Message-IDs, in the order of the ids. */
  async conversationsByMessageIds(channelAccountId: string, messageIds: string[]): Promise<string[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.db('messages')
      .where({ channel_account_id: channelAccountId })
      .whereIn('provider_message_id', messageIds.slice(0, 100))
      .select('provider_message_id', 'conversation_id');
    const byId = new Map(
      rows.map((r: { provider_message_id: string; conversation_id: string }) => [r.provider_message_id, r.conversation_id]),
    );
    return [...new Set(messageIds.map((id) => byId.get(id)).filter((c): c is string => Boolean(c)))];
  }

  async setRef(conversationId: string, ref: string): Promise<void> {
    await this.db('conversations').where({ id: conversationId }).whereNull('email_ref').update({ email_ref: ref });
  }

  async conversationByRef(ref: string): Promise<string | undefined> {
    return (await this.db('conversations').where({ email_ref: ref }).first('id'))?.id;
  }

  /** Mail to this address bounced: the identity is marked failing (until mail from it arrives again). */
  async markFailing(address: string, reason: string, now: number): Promise<void> {
    await this.db('customer_identities')
      .where({ kind: 'email', scope: '', value: address })
      .update({ failing_since: now, failing_reason: reason.slice(0, 500) });
  }

  async clearFailing(address: string): Promise<void> {
    await this.db('customer_identities')
      .where({ kind: 'email', scope: '', value: address })
      .whereNotNull('failing_since')
      .update({ failing_since: null, failing_reason: null });
  }
}
