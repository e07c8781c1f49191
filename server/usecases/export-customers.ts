// Every live customer (merged profiles are part of another) as CSV, produced page by page so a large
// desk streams out in bounded memory. UTF-8 with a byte-order mark, so Excel shows Thai names as Thai.
import { stringify } from 'csv-stringify/sync';
import { exportHeader, exportRow } from '../domain/customer-csv.js';
import type { Actor } from '../domain/policy.js';
import type { Deps } from './deps.js';

const PAGE = 500;

export function makeExportCustomers(deps: Deps) {
  const { store } = deps;

  return async function* exportCustomers(actor: Actor): AsyncGenerator<string> {
    const attributeKeys = await store.customerRecords.attributeKeys();
    await store.audit.record(
      { actorType: 'user', actorId: actor.id, action: 'customer.export', targetType: 'customer', targetId: null, data: {} },
      deps.now(),
    );
    yield '\ufeff' + stringify([exportHeader(attributeKeys)], { record_delimiter: 'windows' });
    for (let after: string | null = null; ;) {
      const page = await store.customerRecords.livePage(after, PAGE);
      if (!page.length) return;
      yield stringify(
        page.map(({ customer, identities }) => exportRow(customer, identities, attributeKeys)),
        { record_delimiter: 'windows' },
      );
      after = page.at(-1)!.customer.id;
    }
  };
}

export type ExportCustomers = ReturnType<typeof makeExportCustomers>;
