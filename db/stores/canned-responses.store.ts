import type { Knex } from 'knex';
import { newId } from '../ids.js';

interface CannedRow {
  id: string;
  title: string;
  shortcut: string;
  body: string;
  locale: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/** A reply admins prepare for agents: `body` is a handlebars template filled with the customer's data. */
export interface CannedResponse {
  id: string;
  title: string;
  shortcut: string;
  body: string;
  /** The language it is written in (`en`, `th`), or null for any. */
  locale: string | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewCannedResponse = Pick<CannedResponse, 'title' | 'shortcut' | 'body'> & { locale?: string | null };
export type CannedResponsePatch = Partial<NewCannedResponse>;

const toCanned = (r: CannedRow): CannedResponse => ({
  id: r.id,
  title: r.title,
  shortcut: r.shortcut,
  body: r.body,
  locale: r.locale,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export class CannedResponsesStore {
  constructor(private readonly db: Knex) {}

  /** By shortcut; `query` matches shortcut, title or body (case-insensitive). */
  async list(query?: string): Promise<CannedResponse[]> {
    const q = this.db<CannedRow>('canned_responses').orderBy('shortcut');
    if (query) {
      const like = `%${query.toLowerCase()}%`;
      q.where((w) =>
        w.whereRaw('lower(shortcut) like ?', [like]).orWhereRaw('lower(title) like ?', [like]).orWhereRaw('lower(body) like ?', [like]),
      );
    }
    return (await q).map(toCanned);
  }

  async findById(id: string): Promise<CannedResponse | undefined> {
    const r = await this.db<CannedRow>('canned_responses').where({ id }).first();
    return r && toCanned(r);
  }

  async findByShortcut(shortcut: string): Promise<CannedResponse | undefined> {
    const r = await this.db<CannedRow>('canned_responses').where({ shortcut }).first();
    return r && toCanned(r);
  }

  async create(input: NewCannedResponse, createdBy: string, now: number): Promise<CannedResponse> {
    const row: CannedRow = {
      id: newId(),
      title: input.title,
      shortcut: input.shortcut,
      body: input.body,
      locale: input.locale ?? null,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    };
    await this.db('canned_responses').insert(row);
    return toCanned(row);
  }

  async update(id: string, patch: CannedResponsePatch, now: number): Promise<CannedResponse | undefined> {
    const changes: Partial<CannedRow> = { updated_at: now };
    if (patch.title !== undefined) changes.title = patch.title;
    if (patch.shortcut !== undefined) changes.shortcut = patch.shortcut;
    if (patch.body !== undefined) changes.body = patch.body;
    if (patch.locale !== undefined) changes.locale = patch.locale;
    const n = await this.db('canned_responses').where({ id }).update(changes);
    return n > 0 ? this.findById(id) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db('canned_responses').where({ id }).delete()) > 0;
  }
}
