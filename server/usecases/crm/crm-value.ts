// The CRM's value side, assembled: attribute definitions, orders (posted, bulk, CSV), segments, and
// the RFM administration. server.ts builds it once; the HTTP routes call into it.
import type { Logger } from 'pino';
import type { SegmentReads } from '../../../db/crm/segment-reads.js';
import type { Deps } from '../deps.js';
import { makeCustomerValueAdmin } from './customer-value-admin.js';
import { makeImportOrders } from './import-orders.js';
import { makeManageAttributes } from './manage-attributes.js';
import { makeManageSegments } from './manage-segments.js';
import { makeRecordOrders } from './record-orders.js';

export function makeCrmValue(deps: Deps & { log: Logger }, reads: SegmentReads) {
  const admin = makeCustomerValueAdmin(deps, reads);
  const orders = makeRecordOrders(deps, admin.refreshLater);
  // A merge brings the merged profile's orders to the customer it joined: rescore that customer.
  deps.events.subscribe((e) => {
    if (e.type !== 'customer.updated' || !e.mergedInto) return;
    const target = e.mergedInto;
    orders.rescore(target).catch((err: unknown) => deps.log.warn({ err, customerId: target }, 'crm: rescoring after a merge failed'));
  });
  return {
    attributes: makeManageAttributes(deps),
    orders,
    importOrders: makeImportOrders(deps, orders),
    segments: makeManageSegments(deps, reads),
    admin,
  };
}

export type CrmValue = ReturnType<typeof makeCrmValue>;
