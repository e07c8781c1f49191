import type { Knex } from 'knex';
import type { ChannelAccount, ChannelKind } from '../../server/domain/types.js';
import { newId } from '../ids.js';
import { bool, parseJson } from '../json.js';

interface AccountRow {
  id: string;
  kind: ChannelKind;
  name: string;
  settings: string;
  credentials_enc: string | null;
  active: boolean | number;
  queue_id: string | null;
  created_at: number;
  updated_at: number;
}

const toAccount = (r: AccountRow): ChannelAccount => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  settings: parseJson(r.settings, {}),
  active: bool(r.active),
  queueId: r.queue_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class ChannelAccountsStore {
  constructor(private readonly db: Knex) {}

  async findById(id: string): Promise<ChannelAccount | undefined> {
    const r = await this.db<AccountRow>('channel_accounts').where({ id }).first();
    return r && toAccount(r);
  }

  /** The sealed credentials; only channel adapters open them, and they never leave the server. */
  async sealedCredentials(id: string): Promise<string | null> {
    const r = await this.db<AccountRow>('channel_accounts').where({ id }).first('credentials_enc');
    return r?.credentials_enc ?? null;
  }

  async list(): Promise<ChannelAccount[]> {
    return (await this.db<AccountRow>('channel_accounts').orderBy('created_at')).map(toAccount);
  }

  async create(
    input: {
      kind: ChannelKind;
      name: string;
      settings: Record<string, unknown>;
      credentialsSealed: string | null;
      queueId?: string | null;
    },
    now: number,
  ): Promise<ChannelAccount> {
    const row: AccountRow = {
      id: newId(),
      kind: input.kind,
      name: input.name,
      settings: JSON.stringify(input.settings),
      credentials_enc: input.credentialsSealed,
      active: true,
      queue_id: input.queueId ?? null,
      created_at: now,
      updated_at: now,
    };
    await this.db('channel_accounts').insert(row);
    return toAccount(row);
  }

  async update(
    id: string,
    patch: {
      name?: string;
      settings?: Record<string, unknown>;
      active?: boolean;
      credentialsSealed?: string | null;
      queueId?: string | null;
    },
    now: number,
  ): Promise<ChannelAccount | undefined> {
    const row: Partial<AccountRow> = { updated_at: now };
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.settings !== undefined) row.settings = JSON.stringify(patch.settings);
    if (patch.active !== undefined) row.active = patch.active;
    if (patch.credentialsSealed !== undefined) row.credentials_enc = patch.credentialsSealed;
    if (patch.queueId !== undefined) row.queue_id = patch.queueId;
    await this.db('channel_accounts').where({ id }).update(row);
    return this.findById(id);
  }

  async hasConversations(id: string): Promise<boolean> {
    return Boolean(await this.db('conversations').where({ channel_account_id: id }).first('id'));
  }

  async delete(id: string): Promise<void> {
    await this.db('web_chat_sessions').where({ channel_account_id: id }).delete();
    await this.db('attachments').where({ channel_account_id: id }).whereNull('message_id').delete();
    await this.db('channel_accounts').where({ id }).delete();
  }
}
