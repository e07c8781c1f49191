import type { Knex } from 'knex';
import type { Segment } from '../../server/domain/crm/segments.js';
import type { SegmentRules } from '../../server/domain/crm/segment-rules.js';
import { newId } from '../ids.js';
import { parseJson } from '../json.js';

interface Row {
  id: string;
  name: string;
  description: string | null;
  rules: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

const toSegment = (r: Row): Segment => ({
  id: r.id,
  name: r.name,
  description: r.description,
  rules: parseJson<SegmentRules>(r.rules, { all: [] }),
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export class SegmentsStore {
  constructor(private readonly db: Knex) {}

  async list(): Promise<Segment[]> {
    return (await this.db<Row>('segments').orderBy('name')).map(toSegment);
  }

  async findById(id: string): Promise<Segment | undefined> {
    const r = await this.db<Row>('segments').where({ id }).first();
    return r && toSegment(r);
  }

  async create(input: { name: string; description: string | null; rules: SegmentRules; createdBy: string | null }, now: number) {
    const row: Row = {
      id: newId(),
      name: input.name,
      description: input.description,
      rules: JSON.stringify(input.rules),
      created_by: input.createdBy,
      created_at: now,
      updated_at: now,
    };
    await this.db('segments').insert(row);
    return toSegment(row);
  }

  async update(id: string, patch: { name?: string; description?: string | null; rules?: SegmentRules }, now: number): Promise<void> {
    const row: Partial<Row> = { updated_at: now };
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.description !== undefined) row.description = patch.description;
    if (patch.rules !== undefined) row.rules = JSON.stringify(patch.rules);
    await this.db('segments').where({ id }).update(row);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db('segments').where({ id }).delete()) > 0;
  }
}
