import type { Knex } from 'knex';
import type { AttributeDefinition } from '../../server/domain/crm/attributes.js';
import type { AttributeType } from '../../server/domain/crm/segment-rules.js';
import { parseJson } from '../json.js';

interface Row {
  key: string;
  label: string;
  type: AttributeType;
  options: string;
  created_at: number;
  updated_at: number;
}

const toDefinition = (r: Row): AttributeDefinition => ({
  key: r.key,
  label: r.label,
  type: r.type,
  options: parseJson<string[]>(r.options, []),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class AttributeDefinitionsStore {
  constructor(private readonly db: Knex) {}

  async list(): Promise<AttributeDefinition[]> {
    return (await this.db<Row>('attribute_definitions').orderBy('key')).map(toDefinition);
  }

  async find(key: string): Promise<AttributeDefinition | undefined> {
    const r = await this.db<Row>('attribute_definitions').where({ key }).first();
    return r && toDefinition(r);
  }

  async findMany(keys: string[]): Promise<Map<string, AttributeDefinition>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db<Row>('attribute_definitions').whereIn('key', keys);
    return new Map(rows.map((r) => [r.key, toDefinition(r)]));
  }

  /** Inserts; false when the key is taken. */
  async create(def: Omit<AttributeDefinition, 'createdAt' | 'updatedAt'>, now: number): Promise<boolean> {
    const inserted = await this.db('attribute_definitions')
      .insert({ key: def.key, label: def.label, type: def.type, options: JSON.stringify(def.options), created_at: now, updated_at: now })
      .onConflict('key')
      .ignore()
      .returning('key');
    return inserted.length > 0;
  }

  async update(key: string, patch: { label?: string; options?: string[] }, now: number): Promise<void> {
    const row: Partial<Row> = { updated_at: now };
    if (patch.label !== undefined) row.label = patch.label;
    if (patch.options !== undefined) row.options = JSON.stringify(patch.options);
    await this.db('attribute_definitions').where({ key }).update(row);
  }

  async remove(key: string): Promise<boolean> {
    return (await this.db('attribute_definitions').where({ key }).delete()) > 0;
  }
}
