// Compiles a segment's rules to one SQL query over live (not merged) customers, on SQLite and
// PostgreSQL alike. Rules are validated before they get here (usecases/crm/segment-schema.ts); this
// still binds every value and only ever interpolates attribute keys that match ATTRIBUTE_KEY.
import type { Knex } from 'knex';
import {
  IDENTITY_FOR_CHANNEL,
  isGroup,
  isPresenceCondition,
  toHundredths,
  type AgeOp,
  type AttributeCondition,
  type NumberOp,
  type SegmentCondition,
  type SegmentNode,
  type SegmentRules,
} from '../../server/domain/crm/segment-rules.js';

const DAY = 86_400_000;
/** Defined attribute keys: a letter, then letters, digits and _, so a key sits in a JSON path unescaped. */
export const ATTRIBUTE_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const SQL_OP: Record<NumberOp, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const SCORE_COLUMN = { recency: 'rfm_recency', frequency: 'rfm_frequency', monetary: 'rfm_monetary' } as const;

type Where = Knex.QueryBuilder;
type Dialect = 'sqlite' | 'postgres';
interface Ctx {
  knex: Knex;
  dialect: Dialect;
  now: number;
}

/**
 * `SELECT customers.id FROM customers WHERE merged_into IS NULL AND <rules>`. Callers add their own
 * ordering, paging or count: `segmentCustomerQuery(...).clearSelect().count({ n: '*' })`, or use it as a
 * subquery (`whereIn('customer_id', segmentCustomerQuery(...))`).
 */
export function segmentCustomerQuery(knex: Knex, rules: SegmentRules, now: number): Knex.QueryBuilder {
  const ctx: Ctx = { knex, dialect: dialectOf(knex), now };
  const q = knex('customers').select('customers.id').whereNull('customers.merged_into');
  return q.where((w) => applyNode(ctx, w, rules));
}

export function dialectOf(knex: Knex): Dialect {
  const client = String((knex.client as { config?: { client?: unknown } }).config?.client ?? '');
  return client === 'pg' || client === 'postgres' || client === 'postgresql' ? 'postgres' : 'sqlite';
}

function applyNode(ctx: Ctx, w: Where, node: SegmentNode): void {
  if (!isGroup(node)) return applyCondition(ctx, w, node);
  const children = 'all' in node ? node.all : node.any;
  if (children.length === 0) {
    // An empty "all" matches everyone; an empty "any" matches no one.
    if ('any' in node) w.whereRaw('1 = 0');
    return;
  }
  for (const child of children) {
    if ('all' in node) w.where((inner) => applyNode(ctx, inner, child));
    else w.orWhere((inner) => applyNode(ctx, inner, child));
  }
}

function applyCondition(ctx: Ctx, w: Where, c: SegmentCondition): void {
  const { knex } = ctx;
  switch (c.field) {
    case 'attribute':
      return applyAttribute(ctx, w, c);
    case 'tag': {
      const has =
        ctx.dialect === 'postgres'
          ? knex.raw('customers.tags::jsonb @> ?::jsonb', [JSON.stringify([c.value])])
          : knex.raw('EXISTS (SELECT 1 FROM json_each(customers.tags) WHERE json_each.value = ?)', [c.value]);
      if (c.op === 'has') w.whereRaw(has);
      else w.whereRaw('NOT (?)', [has]);
      return;
    }
    case 'tier': {
      const tiers = c.values.filter((v) => v !== 'none');
      const none = c.values.includes('none');
      if (c.op === 'in') {
        w.where((g) => {
          if (tiers.length) g.whereIn('customers.value_tier', tiers);
          if (none) g.orWhereNull('customers.value_tier');
          if (!tiers.length && !none) g.whereRaw('1 = 0');
        });
      } else {
        w.where((g) => {
          if (tiers.length) g.whereNotIn('customers.value_tier', tiers).orWhereNull('customers.value_tier');
          if (none) g.whereNotNull('customers.value_tier');
        });
      }
      return;
    }
    case 'vip':
      w.where('customers.vip', c.value);
      return;
    case 'channel':
      if (c.op === 'reachable')
        w.whereIn('customers.id', knex('customer_identities').select('customer_id').where('kind', IDENTITY_FOR_CHANNEL[c.value]));
      else w.whereIn('customers.id', knex('conversations').select('customer_id').where('channel_kind', c.value));
      return;
    case 'lastContactAt':
      return applyAge(ctx, w, 'customers.last_contact_at', c.op, c.days);
    case 'lastOrderAt':
      return applyAge(ctx, w, 'customers.last_order_at', c.op, c.days);
    case 'recency':
    case 'frequency':
    case 'monetary':
      w.where(`customers.${SCORE_COLUMN[c.field]}`, SQL_OP[c.op], c.value);
      return;
    case 'rfmTotal':
      w.whereRaw(`(customers.rfm_recency + customers.rfm_frequency + customers.rfm_monetary) ${SQL_OP[c.op]} ?`, [c.value]);
      return;
    case 'orderCount':
      w.where('customers.order_count', SQL_OP[c.op], c.value);
      return;
    case 'totalSpent':
      w.where('customers.total_spent', SQL_OP[c.op], toHundredths(c.value));
      return;
  }
}

function applyAge(ctx: Ctx, w: Where, column: string, op: AgeOp, days = 0): void {
  const since = ctx.now - days * DAY;
  if (op === 'never') w.whereNull(column);
  else if (op === 'withinDays') w.where(column, '>=', since);
  else w.where(column, '<', since);
}

/** SQL for the JSON value at `key` in customers.attributes, as text, and for its JSON type. */
function attributeSql(ctx: Ctx, key: string): { text: string; type: string; number: string } {
  if (!ATTRIBUTE_KEY.test(key)) throw new Error(`invalid attribute key ${JSON.stringify(key)}`);
  if (ctx.dialect === 'postgres') {
    const json = `(customers.attributes::jsonb -> '${key}')`;
    return {
      text: `(customers.attributes::jsonb ->> '${key}')`,
      // Normalized to SQLite's names for the types we test.
      type: `(CASE jsonb_typeof(${json}) WHEN 'string' THEN 'text' WHEN 'boolean' THEN (${json})::text ELSE jsonb_typeof(${json}) END)`,
      number: `(CASE WHEN jsonb_typeof(${json}) = 'number' THEN (customers.attributes::jsonb ->> '${key}')::numeric END)`,
    };
  }
  const path = `'$.${key}'`;
  return {
    text: `json_extract(customers.attributes, ${path})`,
    type: `(CASE json_type(customers.attributes, ${path}) WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' ELSE json_type(customers.attributes, ${path}) END)`,
    number: `(CASE WHEN json_type(customers.attributes, ${path}) IN ('integer', 'real') THEN json_extract(customers.attributes, ${path}) END)`,
  };
}

function applyAttribute(ctx: Ctx, w: Where, c: AttributeCondition): void {
  const sql = attributeSql(ctx, c.key);
  const isText = `${sql.type} = 'text'`;
  if (isPresenceCondition(c)) {
    if (c.op === 'set') w.whereRaw(`${sql.type} IS NOT NULL AND ${sql.type} <> 'null'`);
    else w.whereRaw(`(${sql.type} IS NULL OR ${sql.type} = 'null')`);
    return;
  }
  switch (c.type) {
    case 'text':
      if (c.op === 'contains') {
        const like = ctx.dialect === 'postgres' ? 'ILIKE' : 'LIKE';
        w.whereRaw(`${isText} AND ${sql.text} ${like} ? ESCAPE '\\'`, [`%${c.value.replace(/[\\%_]/g, (m) => `\\${m}`)}%`]);
      } else if (c.op === 'eq') w.whereRaw(`${isText} AND ${sql.text} = ?`, [c.value]);
      // "not equal" includes customers who have no value for it.
      else w.whereRaw(`(${sql.text} IS NULL OR ${sql.text} <> ?)`, [c.value]);
      return;
    case 'number':
      if (c.op === 'neq') w.whereRaw(`(${sql.number} IS NULL OR ${sql.number} <> ?)`, [c.value]);
      else w.whereRaw(`${sql.number} ${SQL_OP[c.op]} ?`, [c.value]);
      return;
    case 'boolean':
      w.whereRaw(`${sql.type} = ?`, [c.value ? 'true' : 'false']);
      return;
    case 'date':
      if ('days' in c) {
        const day = new Date(ctx.now - c.days * DAY).toISOString().slice(0, 10);
        w.whereRaw(`${isText} AND substr(${sql.text}, 1, 10) ${c.op === 'withinDays' ? '>=' : '<'} ?`, [day]);
      } else {
        const op = c.op === 'before' ? '<' : c.op === 'after' ? '>' : '=';
        w.whereRaw(`${isText} AND substr(${sql.text}, 1, 10) ${op} ?`, [c.value]);
      }
      return;
    case 'choice': {
      const marks = c.values.map(() => '?').join(', ');
      if (c.values.length === 0) w.whereRaw(c.op === 'in' ? '1 = 0' : '1 = 1');
      else if (c.op === 'in') w.whereRaw(`${isText} AND ${sql.text} IN (${marks})`, c.values);
      else w.whereRaw(`(${sql.text} IS NULL OR ${sql.text} NOT IN (${marks}))`, c.values);
      return;
    }
  }
}
