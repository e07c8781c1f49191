// What a customer CSV import is asked to do and what it answers: shapes shared by the server and the
// console (the rows themselves are read in customer-csv.ts).
import type { ImportRowError } from './customer-csv.js';

export type ImportMode = 'all-or-nothing' | 'valid-only';

export interface ImportReport {
  mode: ImportMode;
  dryRun: boolean;
  /** Customer rows read (empty lines are skipped). */
  rows: number;
  imported: number;
  rejected: number;
  /** Every problem, by row then column; a row may have several. */
  errors: ImportRowError[];
  customerIds: string[];
  /** Columns stored as custom attributes, and export-only columns that were skipped. */
  attributeColumns: string[];
  ignoredColumns: string[];
}
