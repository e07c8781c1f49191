import type { Knex } from 'knex';
import type { Role, User } from '../../server/domain/types.js';
import { newId } from '../ids.js';
import { bool } from '../json.js';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  locale: string;
  active: boolean | number;
  phone?: string | null;
  password_changed_at: number;
  created_at: number;
  updated_at: number;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  locale: r.locale,
  active: bool(r.active),
  phone: r.phone ?? null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export type UserWithSecret = User & { passwordHash: string };

export class UsersStore {
  constructor(private readonly db: Knex) {}

  async count(): Promise<number> {
    const row = await this.db('users').count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async findById(id: string): Promise<User | undefined> {
    const r = await this.db<UserRow>('users').where({ id }).first();
    return r && toUser(r);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const r = await this.db<UserRow>('users').where({ email: email.toLowerCase() }).first();
    return r && toUser(r);
  }

  async findByEmailWithSecret(email: string): Promise<UserWithSecret | undefined> {
    const r = await this.db<UserRow>('users').where({ email: email.toLowerCase() }).first();
    return r && { ...toUser(r), passwordHash: r.password_hash };
  }

  async list(): Promise<User[]> {
    return (await this.db<UserRow>('users').orderBy('created_at')).map(toUser);
  }

  async create(input: { email: string; name: string; role: Role; passwordHash: string; locale?: string }, now: number): Promise<User> {
    const row: UserRow = {
      id: newId(),
      email: input.email.toLowerCase(),
      name: input.name,
      role: input.role,
      password_hash: input.passwordHash,
      locale: input.locale ?? 'en',
      active: true,
      password_changed_at: now,
      created_at: now,
      updated_at: now,
    };
    await this.db('users').insert(row);
    return toUser(row);
  }

  async update(
    id: string,
    patch: Partial<{ name: string; role: Role; locale: string; active: boolean; passwordHash: string; phone: string | null }>,
    now: number,
  ): Promise<User | undefined> {
    const row: Partial<UserRow> = { updated_at: now };
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.role !== undefined) row.role = patch.role;
    if (patch.locale !== undefined) row.locale = patch.locale;
    if (patch.active !== undefined) row.active = patch.active;
    if (patch.phone !== undefined) row.phone = patch.phone;
    if (patch.passwordHash !== undefined) {
      row.password_hash = patch.passwordHash;
      row.password_changed_at = now;
    }
    await this.db('users').where({ id }).update(row);
    return this.findById(id);
  }
}
