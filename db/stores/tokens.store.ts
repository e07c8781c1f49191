import type { Knex } from 'knex';
import { newId } from '../ids.js';

export class TokensStore {
  constructor(private readonly db: Knex) {}

  async create(userId: string, tokenHash: string, now: number, expiresAt: number): Promise<void> {
    await this.db('auth_tokens').insert({
      id: newId(),
      user_id: userId,
      token_hash: tokenHash,
      created_at: now,
      expires_at: expiresAt,
    });
  }

  /** The user id and expiry of a live token: not expired, not revoked. */
  async findLive(tokenHash: string, now: number): Promise<{ userId: string; expiresAt: number } | undefined> {
    const row = await this.db('auth_tokens')
      .where({ token_hash: tokenHash })
      .whereNull('revoked_at')
      .where('expires_at', '>', now)
      .first('user_id', 'expires_at');
    return row && { userId: row.user_id as string, expiresAt: Number(row.expires_at) };
  }

  async revoke(tokenHash: string, now: number): Promise<void> {
    await this.db('auth_tokens').where({ token_hash: tokenHash }).whereNull('revoked_at').update({ revoked_at: now });
  }

  async revokeAllForUser(userId: string, now: number, exceptHash?: string): Promise<void> {
    const q = this.db('auth_tokens').where({ user_id: userId }).whereNull('revoked_at');
    if (exceptHash) q.whereNot({ token_hash: exceptHash });
    await q.update({ revoked_at: now });
  }
}
