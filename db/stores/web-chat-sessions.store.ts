import type { Knex } from 'knex';
import { newId } from '../ids.js';

export interface WebChatSession {
  id: string;
  channelAccountId: string;
  customerId: string;
}

export class WebChatSessionsStore {
  constructor(private readonly db: Knex) {}

  async create(
    input: { channelAccountId: string; customerId: string; tokenHash: string },
    now: number,
    id = newId(),
  ): Promise<WebChatSession> {
    await this.db('web_chat_sessions').insert({
      id,
      channel_account_id: input.channelAccountId,
      customer_id: input.customerId,
      token_hash: input.tokenHash,
      created_at: now,
      last_seen_at: now,
    });
    return { id, channelAccountId: input.channelAccountId, customerId: input.customerId };
  }

  async findByTokenHash(tokenHash: string): Promise<WebChatSession | undefined> {
    const r = await this.db('web_chat_sessions').where({ token_hash: tokenHash }).first();
    return r && { id: r.id, channelAccountId: r.channel_account_id, customerId: r.customer_id };
  }

  async findById(id: string): Promise<WebChatSession | undefined> {
    const r = await this.db('web_chat_sessions').where({ id }).first();
    return r && { id: r.id, channelAccountId: r.channel_account_id, customerId: r.customer_id };
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db('web_chat_sessions').where({ id }).update({ last_seen_at: now });
  }

  /** Hands a customer's chat sessions to another customer (a merge); returns the ids moved. */
  async moveCustomer(fromId: string, toId: string): Promise<string[]> {
    const ids = (await this.db('web_chat_sessions').where({ customer_id: fromId }).select('id')).map((r: { id: string }) => r.id);
    if (ids.length) await this.db('web_chat_sessions').whereIn('id', ids).update({ customer_id: toId });
    return ids;
  }

  /** Hands the listed sessions to a customer (undoing a merge); returns the ids that were on `fromId`. */
  async reassign(ids: string[], fromId: string, toId: string): Promise<string[]> {
    if (!ids.length) return [];
    const on = (await this.db('web_chat_sessions').whereIn('id', ids).where({ customer_id: fromId }).select('id')).map(
      (r: { id: string }) => r.id,
    );
    if (on.length) await this.db('web_chat_sessions').whereIn('id', on).update({ customer_id: toId });
    return on;
  }
}
