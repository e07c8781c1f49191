// Segments in the report rollup: their definitions, the membership snapshot the cells were counted
// with (report_segment_members), which definition that was (report_segments), and a segment's cells
// added up from its members' fact rows. Used by server/usecases/report-rollup.ts.
import type { Knex } from 'knex';
import { segmentCustomerQuery } from '../crm/segment-query.js';
import { parseJson } from '../json.js';
import type { SegmentRules } from '../../server/domain/crm/segment-rules.js';
import { emptyCell, type ReportCell } from '../../server/domain/reports/report-cell.js';
import { COUNTERS } from './report-columns.js';

export interface SegmentDefinition {
  id: string;
  name: string;
  rules: SegmentRules;
  updatedAt: number;
}

export interface SegmentState {
  segmentId: string;
  definitionAt: number;
  membersAt: number;
}

/** Ids per IN (...): well under both engines' bound-parameter limits. */
const BATCH = 400;
const chunks = <T>(xs: T[]): T[][] =>
  Array.from({ length: Math.ceil(xs.length / BATCH) }, (_, i) => xs.slice(i * BATCH, i * BATCH + BATCH));

export class ReportSegmentsStore {
  constructor(private readonly db: Knex) {}

  async segmentDefinitions(): Promise<SegmentDefinition[]> {
    const rows: { id: string; name: string; rules: string; updated_at: number }[] = await this.db('segments').select(
      'id',
      'name',
      'rules',
      'updated_at',
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      rules: parseJson<SegmentRules>(r.rules, { any: [] }),
      updatedAt: Number(r.updated_at),
    }));
  }

  async segmentStates(): Promise<SegmentState[]> {
    const rows: { segment_id: string; definition_at: number; members_at: number }[] = await this.db('report_segments').select('*');
    return rows.map((r) => ({ segmentId: r.segment_id, definitionAt: Number(r.definition_at), membersAt: Number(r.members_at) }));
  }

  async saveSegmentState(s: SegmentState): Promise<void> {
    await this.db('report_segments')
      .insert({ segment_id: s.segmentId, definition_at: s.definitionAt, members_at: s.membersAt })
      .onConflict('segment_id')
      .merge();
  }

  /** Forgets a segment: its state, members and cells. */
  async dropSegment(segmentId: string): Promise<void> {
    await this.db('report_segments').where({ segment_id: segmentId }).delete();
    await this.db('report_segment_members').where({ segment_id: segmentId }).delete();
    await this.db('report_daily').where({ dimension: 'segment', key: segmentId }).delete();
  }

  /** The segment's members now, by its rules. */
  async currentMembers(rules: SegmentRules, now: number): Promise<string[]> {
    return (await segmentCustomerQuery(this.db, rules, now)).map((r: { id: string }) => r.id);
  }

  async storedMembers(segmentId: string): Promise<string[]> {
    return this.db('report_segment_members').where({ segment_id: segmentId }).pluck('customer_id');
  }

  async changeMembers(segmentId: string, joined: string[], left: string[]): Promise<void> {
    for (const part of chunks(left))
      await this.db('report_segment_members').where({ segment_id: segmentId }).whereIn('customer_id', part).delete();
    for (const part of chunks(joined)) {
      await this.db('report_segment_members').insert(part.map((customer_id) => ({ segment_id: segmentId, customer_id })));
    }
  }

  /** The segments (by the snapshot) each of these customers belongs to. */
  async membershipsOf(customerIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const part of chunks(customerIds)) {
      const rows: { segment_id: string; customer_id: string }[] = await this.db('report_segment_members')
        .whereIn('customer_id', part)
        .select('segment_id', 'customer_id');
      for (const r of rows) out.set(r.customer_id, [...(out.get(r.customer_id) ?? []), r.segment_id]);
    }
    return out;
  }

  /**
   * A segment's cells per day from the fact rows of its (snapshot) members, added up in the database:
   * one pass for the counters and one per histogram.
   */
  async segmentCells(segmentId: string): Promise<Map<number, ReportCell>> {
    const members = (q: Knex.QueryBuilder) =>
      q
        .from('report_facts as f')
        .join('report_segment_members as m', 'm.customer_id', 'f.customer_id')
        .where('m.segment_id', segmentId)
        .groupBy('f.day');
    const days = new Map<number, ReportCell>();
    const cellOf = (day: number) => {
      let cell = days.get(day);
      if (!cell) days.set(day, (cell = emptyCell()));
      return cell;
    };
    const sums: Record<string, unknown>[] = await members(
      this.db.select('f.day', ...COUNTERS.map(([, column]) => this.db.raw('SUM(??) AS ??', [`f.${column}`, column]))),
    );
    for (const r of sums) {
      const cell = cellOf(Number(r.day));
      for (const [key, column] of COUNTERS) cell[key] = Number(r[column]);
    }
    for (const [column, hist] of [
      ['first_response_bin', 'firstResponseHist'],
      ['resolution_bin', 'resolutionHist'],
    ] as const) {
      const bins: { day: number; bin: number; n: number | string }[] = await members(
        this.db.select('f.day', { bin: `f.${column}` }).count({ n: '*' }),
      )
        .whereNotNull(`f.${column}`)
        .groupBy(`f.${column}`);
      for (const r of bins) cellOf(Number(r.day))[hist][Number(r.bin)]! += Number(r.n);
    }
    return days;
  }
}
