// Customers from a CSV file. Every row is checked before anything is written: its phone and email
// (normalized as everywhere else), its other cells, a phone or email an earlier row of the file has, and
// one that already belongs to a customer in the desk (a duplicate, named). `all-or-nothing` (the default)
// writes nothing when any row is bad; `valid-only` writes the good rows. Either way the write is one
// transaction, and the report names each rejected row, column and reason.
import { parse, CsvError } from 'csv-parse/sync';
import { duplicatesWithinFile, identityKey, readHeader, readRow, type ImportDraft, type ImportRowError } from '../domain/customer-csv.js';
import type { ImportMode, ImportReport } from '../domain/customer-import.js';
import { AppError } from '../domain/errors.js';
import type { Actor } from '../domain/policy.js';
import type { Deps } from './deps.js';

export type { ImportMode };
export const IMPORT_MODES = ['all-or-nothing', 'valid-only'] as const satisfies readonly ImportMode[];

/** The largest file and the most customer rows one import takes. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 20_000;

/** Decodes the bytes as UTF-8 (a spreadsheet's "CSV UTF-8"); anything else is refused with how to fix it. */
function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError(
      'VALIDATION',
      'the file is not UTF-8 text: save it as "CSV UTF-8" (Excel) or as UTF-8 CSV (Google Sheets, LibreOffice)',
    );
  }
}

/** The delimiter the header row uses most: comma, semicolon (Excel in many locales) or tab. */
function delimiterOf(text: string): string {
  const header = text.slice(0, text.search(/\r?\n|$/));
  const counts = [',', ';', '\t'].map((d) => [d, header.split(d).length] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

function records(text: string): string[][] {
  try {
    return parse(text, {
      bom: true,
      delimiter: delimiterOf(text.replace(/^\ufeff/, '')),
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (err) {
    if (err instanceof CsvError) throw new AppError('VALIDATION', `the file is not valid CSV: ${err.message}`);
    throw err;
  }
}

const byRow = (a: ImportRowError, b: ImportRowError) => a.row - b.row;

export function makeImportCustomers(deps: Deps) {
  const { store } = deps;

  return async function importCustomers(
    actor: Actor,
    file: Uint8Array,
    opts: { mode: ImportMode; dryRun: boolean },
  ): Promise<ImportReport> {
    if (file.byteLength > IMPORT_MAX_BYTES)
      throw new AppError('PAYLOAD_TOO_LARGE', `an import file is at most ${IMPORT_MAX_BYTES / 1024 / 1024} MB`);
    const [header, ...body] = records(decode(file));
    if (!header)
      throw new AppError('VALIDATION', 'the file is empty: the first row names the columns (name, phone, email, language, tags...)');
    const read = readHeader(header);
    if (!read.ok) throw new AppError('VALIDATION', read.message);
    const { columns } = read;
    // Row numbers as a spreadsheet shows them; lines with only empty cells are skipped but keep their numbers.
    const rows = body.map((cells, i) => ({ cells, row: i + 2 })).filter(({ cells }) => cells.some((c) => c.trim() !== ''));
    if (rows.length > IMPORT_MAX_ROWS)
      throw new AppError('PAYLOAD_TOO_LARGE', `an import takes at most ${IMPORT_MAX_ROWS} customers; split the file`);

    const errors: ImportRowError[] = [];
    const checked: ImportDraft[] = [];
    for (const { cells, row } of rows) {
      const r = readRow(columns, cells, header.length, row);
      errors.push(...r.errors);
      if (r.draft) checked.push(r.draft);
    }
    errors.push(...duplicatesWithinFile(checked));

    const report = await store.transaction(async (tx) => {
      // Identities someone in the desk already has: checked inside the transaction that writes, so a
      // concurrent writer either shows up here or makes the insert fail (and the whole import is retried).
      const owners = await tx.customerRecords.identityOwners(checked.flatMap((d) => d.identities));
      const all = [...errors];
      for (const d of checked) {
        for (const i of d.identities) {
          const owner = owners.get(identityKey(i));
          if (owner) {
            all.push({
              row: d.row,
              column: i.kind,
              code: 'duplicate',
              message: `${i.value} already belongs to a customer`,
              value: i.value,
              customerId: owner,
            });
          }
        }
      }
      all.sort(byRow);
      const badRows = new Set(all.map((e) => e.row));
      const good = checked.filter((d) => !badRows.has(d.row));
      const write = !opts.dryRun && (opts.mode === 'valid-only' || badRows.size === 0);
      const customerIds = write && good.length ? await tx.customerRecords.insertMany(good, deps.now()) : [];
      const report: ImportReport = {
        mode: opts.mode,
        dryRun: opts.dryRun,
        rows: rows.length,
        imported: customerIds.length,
        rejected: badRows.size,
        errors: all,
        customerIds,
        attributeColumns: [...columns.attributes.values()],
        ignoredColumns: columns.ignored,
      };
      if (customerIds.length) {
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'customer.import',
            targetType: 'customer',
            targetId: null,
            data: { mode: opts.mode, rows: report.rows, imported: report.imported, rejected: report.rejected },
          },
          deps.now(),
        );
      }
      return report;
    });
    if (opts.mode === 'all-or-nothing' && report.rejected > 0 && !opts.dryRun) {
      throw new AppError(
        'VALIDATION',
        `${report.rejected} of ${report.rows} rows have problems, so nothing was imported: fix them, or import with mode=valid-only to import the other rows`,
        report,
      );
    }
    return report;
  };
}

export type ImportCustomers = ReturnType<typeof makeImportCustomers>;
