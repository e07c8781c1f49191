// The Customers screen's calls: duplicate suggestions, merges and their undoing, CSV import and export.
// Shapes follow server/http/routes/customer-records.route.ts.
import type { ImportReport } from '../../../server/domain/customer-import.js';
import type { DuplicateReason } from '../../../server/domain/customer-matching.js';
import type { MergeSummary } from '../../../server/domain/customer-merge.js';
import type { Customer } from '../../../server/domain/types.js';
import { ApiError, type Api } from '../api';
import { loadSession } from '../session';

export type { ImportReport, MergeSummary };

export interface Suggestion {
  id: string;
  reasons: DuplicateReason[];
  score: number;
  keep: Customer;
  other: Customer;
}

const authHeader = () => ({ authorization: `Bearer ${loadSession()?.token ?? ''}` });

export function customersApi(api: Api) {
  return {
    duplicates: (cursor?: string | null) =>
      api.json<{ duplicates: Suggestion[]; nextCursor: string | null; pending: number }>(
        'GET',
        `/customers/duplicates?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    dismiss: (id: string) => api.json<void>('POST', `/customers/duplicates/${encodeURIComponent(id)}/dismiss`),
    merge: (keepId: string, otherId: string) =>
      api.json<{ customer: Customer }>('POST', `/customers/${encodeURIComponent(keepId)}/merge`, { sourceCustomerId: otherId }),
    merges: (cursor?: string | null) =>
      api.json<{ merges: MergeSummary[]; nextCursor: string | null }>(
        'GET',
        `/customers/merges?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    undo: (mergeId: string) => api.json<unknown>('POST', `/customers/merges/${encodeURIComponent(mergeId)}/undo`),

    /** Uploads the file; an all-or-nothing import refused for bad rows still resolves with its report. */
    async importCsv(file: File, mode: ImportReport['mode'], dryRun: boolean): Promise<ImportReport> {
      const form = new FormData();
      form.append('file', file, file.name);
      const res = await fetch(`/api/v1/customers/import?mode=${mode}&dryRun=${dryRun}`, {
        method: 'POST',
        headers: authHeader(),
        body: form,
      });
      if (res.status === 401) void api.me().catch(() => undefined); // the Api ends the session on its own 401
      const body = (await res.json().catch(() => undefined)) as
        (ImportReport & { error?: undefined }) | { error?: { code?: string; message?: string; details?: unknown } } | undefined;
      if (res.ok) return body as ImportReport;
      const details = body?.error?.details as ImportReport | undefined;
      if (details && Array.isArray(details.errors)) return details;
      throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
    },

    /** The export as a file the browser saves. */
    async exportCsv(): Promise<{ blob: Blob; filename: string }> {
      const res = await fetch('/api/v1/customers/export', { headers: authHeader() });
      if (!res.ok) {
        if (res.status === 401) void api.me().catch(() => undefined);
        const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
        throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
      }
      const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'customers.csv';
      return { blob: await res.blob(), filename };
    },
  };
}

export type CustomersApi = ReturnType<typeof customersApi>;
