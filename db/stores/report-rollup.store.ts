// The report rollup's upkeep: conversations read as ConversationFacts, what changed since a pass,
// their stored fact rows, the daily cells, campaign messages with their replies, and the rollup's
// state. Segments are in report-segments.store.ts. Used by server/usecases/report-rollup.ts.
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { Database } from '../connection.js';
import { readConversationFacts } from './conversation-facts.js';
import { encodeHistogram, mergeEncoded } from '../../server/domain/reports/histogram.js';
import { emptyCell, type ConversationFacts, type FactRow, type ReportCell } from '../../server/domain/reports/report-cell.js';
import { COUNTERS, DAILY_COLUMNS, FACT_COLUMNS, FACT_ROW_COLUMNS, rowToFact, toBuffer, type DailyCell } from './report-columns.js';

export interface RollupState {
  timeZone: string;
  watermark: number;
}

/** A conversation's fact rows, to store. */
export interface ConversationFactRows {
  conversationId: string;
  customerId: string;
  createdAt: number;
  /** The rollup's local day of createdAt. */
  day: number;
  rows: FactRow[];
}

/** A stored fact row, with what it belongs to. */
export interface StoredFact extends FactRow {
  conversationId: string;
  customerId: string;
  day: number;
}

const ROLLUP_STATE = 'daily';
// A campaign message was replied to: its customer wrote on the campaign's account after it. From the customer's conversations there with anything after the send, to their inbound
// messages after it: two index lookups a send. (As the campaigns' own statistics count a reply.)
const repliedSinceSend = (send: string, account: string) => `EXISTS (SELECT 1 FROM conversations c
  WHERE c.customer_id = ${send}.customer_id AND c.channel_account_id = ${account} AND c.last_message_at > ${send}.sent_at
  AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.created_at > ${send}.sent_at AND m.direction = 'inbound'))`;
/** Rows per INSERT and ids per IN (...): well under both engines' bound-parameter limits. */
const BATCH = 400;
const chunks = <T>(xs: T[], n = BATCH): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const insertSql = (table: string, columns: readonly string[]) =>
  `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;

export class ReportRollupStore {
  constructor(
    private readonly db: Knex,
    private readonly engine: Database['engine'],
  ) {}

  // ---- conversations as facts ----------------------------------------------------------------

  /** The conversations created in [fromMs, toMs), as facts. */
  conversationFacts(range: { fromMs: number; toMs: number }): Promise<ConversationFacts[]> {
    return readConversationFacts(this.db, (q, alias) =>
      q.where(`${alias}.created_at`, '>=', range.fromMs).where(`${alias}.created_at`, '<', range.toMs),
    );
  }

  /** These conversations, as facts (missing ones are left out). */
  async conversationFactsByIds(ids: string[]): Promise<ConversationFacts[]> {
    const out: ConversationFacts[] = [];
    for (const part of chunks(ids)) out.push(...(await readConversationFacts(this.db, (q, alias) => q.whereIn(`${alias}.id`, part))));
    return out;
  }

  /**
   * The conversations whose figures may have changed: written, or a resolution or abandonment recorded
   * for them, or their survey answered, at or after `since`; or an SLA clock of theirs came due by `now`.
   */
  async changedConversations(since: number, now: number): Promise<string[]> {
    const ids = new Set<string>();
    const add = (rows: { id: string }[]) => rows.forEach((r) => ids.add(r.id));
    add(await this.db('conversations').where('updated_at', '>=', since).select('id'));
    add(
      await this.db('routing_events').where('at', '>=', since).whereIn('type', ['resolved', 'abandoned']).select({ id: 'conversation_id' }),
    );
    add(await this.db('csat_surveys').where('answered_at', '>=', since).select({ id: 'conversation_id' }));
    add(await this.db('report_facts').where('next_check_at', '<=', now).select({ id: 'conversation_id' }));
    return [...ids];
  }

  // ---- state ----------------------------------------------------------------------------------

  async rollupState(): Promise<RollupState | undefined> {
    const row: { time_zone: string; watermark: number } | undefined = await this.db('report_rollup_state')
      .where({ name: ROLLUP_STATE })
      .first('time_zone', 'watermark');
    return row && { timeZone: row.time_zone, watermark: Number(row.watermark) };
  }

  async saveRollupState(state: RollupState, now: number): Promise<void> {
    await this.db('report_rollup_state')
      .insert({ name: ROLLUP_STATE, time_zone: state.timeZone, watermark: state.watermark, updated_at: now })
      .onConflict('name')
      .merge(['time_zone', 'watermark', 'updated_at']);
  }

  /** Serializes rollup writers across nodes (PostgreSQL: the state row, locked to the end of the transaction). */
  async lock(): Promise<void> {
    if (this.engine === 'postgres') await this.db('report_rollup_state').where({ name: ROLLUP_STATE }).forUpdate().select('name');
  }

  /** Forgets everything (a first build, or a new time zone). */
  async clear(): Promise<void> {
    for (const table of ['report_daily', 'report_facts', 'report_segment_members', 'report_segments', 'report_campaign_sends']) {
      await this.db(table).delete();
    }
  }

  /** The first and last conversation creation times, or undefined when there are none. */
  async createdSpan(): Promise<{ first: number; last: number } | undefined> {
    const row = (await this.db('conversations').min({ first: 'created_at' }).max({ last: 'created_at' }).first()) as
      { first?: number | string | null; last?: number | string | null } | undefined;
    return row?.first != null && row.last != null ? { first: Number(row.first), last: Number(row.last) } : undefined;
  }

  // ---- fact rows and cells --------------------------------------------------------------------

  /**
   * Writes the fact rows and cells of one day during a first build (nothing of that day is stored yet).
   * On SQLite through prepared statements in one synchronous transaction: tens of thousands of rows a day.
   */
  async insertDay(facts: ConversationFactRows[], cells: DailyCell[]): Promise<void> {
    const factRecords = facts.flatMap(factRecordsOf);
    const cellRecords = cells.map(cellRecordOf);
    if (this.engine === 'sqlite' && !this.db.isTransaction) {
      const conn = (await this.db.client.acquireConnection()) as BetterSqlite3.Database;
      try {
        const insertFact = conn.prepare(insertSql('report_facts', FACT_COLUMNS));
        const insertCell = conn.prepare(insertSql('report_daily', DAILY_COLUMNS));
        conn.transaction(() => {
          for (const r of factRecords) insertFact.run(r);
          for (const r of cellRecords) insertCell.run(r);
        })();
      } finally {
        await this.db.client.releaseConnection(conn);
      }
      return;
    }
    await this.db.transaction(async (trx) => {
      for (const part of chunks(factRecords)) await trx('report_facts').insert(part.map((r) => toObject(FACT_COLUMNS, r)));
      for (const part of chunks(cellRecords)) await trx('report_daily').insert(part.map((r) => toObject(DAILY_COLUMNS, r)));
    });
  }

  /** The stored fact rows of these conversations. */
  async storedFacts(conversationIds: string[]): Promise<StoredFact[]> {
    const out: StoredFact[] = [];
    for (const part of chunks(conversationIds)) {
      const rows: Record<string, unknown>[] = await this.db('report_facts').whereIn('conversation_id', part).select(FACT_ROW_COLUMNS);
      for (const r of rows) out.push(rowToFact(r));
    }
    return out;
  }

  /** The stored fact rows of these customers' conversations. */
  async storedFactsOfCustomers(customerIds: string[]): Promise<StoredFact[]> {
    const out: StoredFact[] = [];
    for (const part of chunks(customerIds)) {
      const rows: Record<string, unknown>[] = await this.db('report_facts').whereIn('customer_id', part).select(FACT_ROW_COLUMNS);
      for (const r of rows) out.push(rowToFact(r));
    }
    return out;
  }

  /** Replaces the fact rows of these conversations. */
  async replaceFacts(conversationIds: string[], facts: ConversationFactRows[]): Promise<void> {
    for (const part of chunks(conversationIds)) await this.db('report_facts').whereIn('conversation_id', part).delete();
    const records = facts.flatMap(factRecordsOf);
    for (const part of chunks(records)) await this.db('report_facts').insert(part.map((r) => toObject(FACT_COLUMNS, r)));
  }

  /** The stored cells with these keys (missing ones are left out), keyed `day|dimension|key`. */
  async cells(keys: { day: number; dimension: string; key: string }[]): Promise<Map<string, ReportCell>> {
    const out = new Map<string, ReportCell>();
    for (const part of chunks(keys, 300)) {
      const rows: Record<string, unknown>[] = await this.db('report_daily')
        .whereIn(
          ['day', 'dimension', 'key'],
          part.map((k) => [k.day, k.dimension, k.key]),
        )
        .select('*');
      for (const r of rows) out.set(`${Number(r.day)}|${String(r.dimension)}|${String(r.key)}`, rowToCell(r));
    }
    return out;
  }

  /** Writes cells (absolute values), removing those that count nothing any more. */
  async writeCells(cells: DailyCell[], empty: { day: number; dimension: string; key: string }[]): Promise<void> {
    for (const part of chunks(empty, 300)) {
      await this.db('report_daily')
        .whereIn(
          ['day', 'dimension', 'key'],
          part.map((k) => [k.day, k.dimension, k.key]),
        )
        .delete();
    }
    for (const part of chunks(cells.map(cellRecordOf))) {
      await this.db('report_daily')
        .insert(part.map((r) => toObject(DAILY_COLUMNS, r)))
        .onConflict(['day', 'dimension', 'key'])
        .merge();
    }
  }

  // ---- campaign sends ---------------------------------------------------------------------------

  /** Copies the campaign messages sent at or after `since`, with whether the customer has replied yet. */
  async copyCampaignSends(since: number): Promise<number> {
    const rows: { id: string; sent_at: number; kind: string; channel_account_id: string; customer_id: string; replied: number | string }[] =
      await this.db('campaign_sends as s')
        .join('campaigns as k', 'k.id', 's.campaign_id')
        .join('channel_accounts as a', 'a.id', 'k.channel_account_id')
        .where('s.sent_at', '>=', since)
        .where('s.status', 'sent')
        .select('s.id', 's.sent_at', 'a.kind', 'k.channel_account_id', 's.customer_id')
        .select(this.db.raw(`CASE WHEN ${repliedSinceSend('s', 'k.channel_account_id')} THEN 1 ELSE 0 END AS replied`));
    const records = rows.map((r) => ({
      send_id: r.id,
      sent_at: Number(r.sent_at),
      channel_kind: r.kind,
      channel_account_id: r.channel_account_id,
      customer_id: r.customer_id,
      replied: Number(r.replied),
    }));
    for (const part of chunks(records)) await this.db('report_campaign_sends').insert(part).onConflict('send_id').merge();
    return records.length;
  }

  /** Customers who wrote to the desk at or after `since` (their conversations say when they last wrote). */
  async customersWhoWrote(since: number): Promise<string[]> {
    // Deduplicated here: with DISTINCT, SQLite walks the customer index instead of the updated_at one.
    const ids: string[] = await this.db('conversations')
      .where('updated_at', '>=', since)
      .where('last_customer_message_at', '>=', since)
      .pluck('customer_id');
    return [...new Set(ids)];
  }

  /** Marks these customers' campaign messages replied when they have written back on that account since. */
  async markReplies(customerIds: string[]): Promise<void> {
    for (const part of chunks(customerIds)) {
      await this.db('report_campaign_sends')
        .whereIn('customer_id', part)
        .where('replied', 0)
        .whereRaw(repliedSinceSend('report_campaign_sends', 'report_campaign_sends.channel_account_id'))
        .update({ replied: 1 });
    }
  }
}

const toObject = (columns: readonly string[], values: unknown[]) => Object.fromEntries(columns.map((c, i) => [c, values[i]]));

function factRecordsOf(f: ConversationFactRows): unknown[][] {
  return f.rows.map((r) => [
    f.conversationId,
    r.seq,
    f.day,
    f.customerId,
    f.createdAt,
    r.channel,
    r.queueId,
    r.agentId,
    ...COUNTERS.map(([key]) => r.counts[key]),
    r.firstResponseBin,
    r.resolutionBin,
    r.nextCheckAt,
  ]);
}

function cellRecordOf(c: DailyCell): unknown[] {
  return [
    c.day,
    c.dimension,
    c.key,
    ...COUNTERS.map(([key]) => c.cell[key]),
    toBuffer(encodeHistogram(c.cell.firstResponseHist)),
    toBuffer(encodeHistogram(c.cell.resolutionHist)),
  ];
}

function rowToCell(r: Record<string, unknown>): ReportCell {
  const cell = emptyCell();
  for (const [key, column] of COUNTERS) cell[key] = Number(r[column]);
  mergeEncoded(cell.firstResponseHist, r.first_response_hist as Uint8Array);
  mergeEncoded(cell.resolutionHist, r.resolution_hist as Uint8Array);
  return cell;
}
