// Orders from a CSV file (a shop's export): one order per row, the customer named by `customer_id`,
// `email` or `phone`. The file is all or nothing, like a bulk post: every row is checked and the report
// names each bad row and column; nothing is written unless every row is good. Rows already imported
// (the same source and external id) are counted as existing, so importing a file twice is harmless.
import { parse, CsvError } from 'csv-parse/sync';
import { AppError } from '../../domain/errors.js';
import { emailIdentity, phoneIdentity } from '../../domain/identity.js';
import type { Actor } from '../../domain/policy.js';
import type { Deps } from '../deps.js';
import type { ItemError, OrderInput, RecordOrders } from './record-orders.js';

export const ORDER_IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const ORDER_IMPORT_MAX_ROWS = 50_000;

const COLUMNS = ['customer_id', 'email', 'phone', 'external_id', 'source', 'amount', 'currency', 'ordered_at'] as const;
type Column = (typeof COLUMNS)[number];

export interface OrderImportError {
  /** The spreadsheet row (the header is row 1). */
  row: number;
  column: string;
  message: string;
}

export interface OrderImportReport {
  rows: number;
  created: number;
  existing: number;
  customers: number;
}

const FIELD_COLUMN: Record<string, Column> = {
  customerId: 'customer_id',
  externalId: 'external_id',
  source: 'source',
  amount: 'amount',
  currency: 'currency',
  orderedAt: 'ordered_at',
};

function records(bytes: Uint8Array): string[][] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('VALIDATION', 'the file is not UTF-8 text: save it as "CSV UTF-8" (Excel) or as UTF-8 CSV');
  }
  const header = text.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [',', ';', '\t'].reduce((best, d) => (header.split(d).length > header.split(best).length ? d : best), ',');
  try {
    return parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    if (err instanceof CsvError) throw new AppError('VALIDATION', `the file is not valid CSV: ${err.message}`);
    throw err;
  }
}

/** A date alone is midnight UTC; anything else as Date.parse reads ISO 8601. */
const timeOf = (cell: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(cell) ? `${cell}T00:00:00Z` : cell);

export function makeImportOrders(deps: Deps, orders: RecordOrders) {
  return async function importOrders(actor: Actor, file: Uint8Array): Promise<OrderImportReport> {
    if (file.byteLength > ORDER_IMPORT_MAX_BYTES)
      throw new AppError('PAYLOAD_TOO_LARGE', `an order file is at most ${ORDER_IMPORT_MAX_BYTES / 1024 / 1024} MB`);
    const [header, ...body] = records(file);
    if (!header) throw new AppError('VALIDATION', `the file is empty: the first row names the columns (${COLUMNS.join(', ')})`);
    const at = new Map<Column, number>();
    for (const [i, raw] of header.entries()) {
      const name = raw.trim().toLowerCase() as Column;
      if (!COLUMNS.includes(name)) throw new AppError('VALIDATION', `the column "${raw}" is not one of ${COLUMNS.join(', ')}`);
      if (at.has(name)) throw new AppError('VALIDATION', `the column "${raw}" appears twice`);
      at.set(name, i);
    }
    const missing = (['external_id', 'amount', 'ordered_at'] as const).filter((c) => !at.has(c));
    if (missing.length) throw new AppError('VALIDATION', `the header row needs the columns ${missing.join(', ')}`);
    if (!at.has('customer_id') && !at.has('email') && !at.has('phone'))
      throw new AppError('VALIDATION', 'the header row needs a column that names the customer: customer_id, email or phone');
    if (body.length > ORDER_IMPORT_MAX_ROWS)
      throw new AppError('PAYLOAD_TOO_LARGE', `at most ${ORDER_IMPORT_MAX_ROWS} orders per file: split it`);

    const errors: OrderImportError[] = [];
    const items: OrderInput[] = [];
    const rowOf: number[] = [];
    const byIdentity = new Map<string, string | null>();
    for (const [i, cells] of body.entries()) {
      const row = i + 2;
      const cell = (c: Column) => (at.has(c) ? (cells[at.get(c)!] ?? '').trim() : '');
      let customerId = cell('customer_id');
      for (const column of ['email', 'phone'] as const) {
        if (customerId || !cell(column)) continue;
        const parsed = column === 'email' ? emailIdentity(cell(column)) : phoneIdentity(cell(column));
        if (!parsed.ok) {
          errors.push({ row, column, message: parsed.reason });
          continue;
        }
        const key = `${parsed.identity.kind}:${parsed.identity.value}`;
        if (!byIdentity.has(key)) byIdentity.set(key, (await deps.store.customers.findByIdentity(parsed.identity))?.id ?? null);
        const found = byIdentity.get(key);
        if (found) customerId = found;
        else errors.push({ row, column, message: `no customer has ${cell(column)}` });
      }
      if (!customerId) {
        if (!errors.some((e) => e.row === row))
          errors.push({ row, column: 'customer_id', message: 'name the customer (customer_id, email or phone)' });
        continue;
      }
      if (!cell('external_id')) errors.push({ row, column: 'external_id', message: 'missing' });
      items.push({
        customerId,
        externalId: cell('external_id').slice(0, 200),
        source: cell('source') || 'csv',
        amount: cell('amount'),
        currency: cell('currency') || undefined,
        orderedAt: timeOf(cell('ordered_at')),
      });
      rowOf.push(row);
    }
    if (errors.length === 0 && items.length > 0) {
      try {
        const recorded = await orders.record(actor, items);
        const created = recorded.filter((r) => r.created).length;
        return { rows: body.length, created, existing: recorded.length - created, customers: new Set(items.map((i) => i.customerId)).size };
      } catch (err) {
        if (!(err instanceof AppError) || !Array.isArray(err.details)) throw err;
        for (const e of err.details as ItemError[])
          errors.push({ row: rowOf[e.index]!, column: FIELD_COLUMN[e.path] ?? e.path, message: e.message });
      }
    }
    if (errors.length === 0) return { rows: body.length, created: 0, existing: 0, customers: 0 };
    errors.sort((a, b) => a.row - b.row);
    throw new AppError(
      'VALIDATION',
      `${errors.length} problem(s); nothing was imported: ${errors
        .slice(0, 10)
        .map((e) => `row ${e.row} ${e.column}: ${e.message}`)
        .join('; ')}`,
      errors,
    );
  };
}

export type ImportOrders = ReturnType<typeof makeImportOrders>;
