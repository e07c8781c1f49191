// Customer value, attribute and segment calls, typed, on top of Api.json. Shapes follow
// server/http/routes/crm.route.ts and orders.route.ts.
import type { AttributeDefinition } from '../../../server/domain/crm/attributes.js';
import type { CrmSettings } from '../../../server/domain/crm/rfm.js';
import type { RefreshSummary, RfmStatus } from '../../../server/domain/crm/value-status.js';
import type { Segment } from '../../../server/domain/crm/segments.js';
import type { AttributeType, SegmentRules } from '../../../server/domain/crm/segment-rules.js';
import type { Customer, ValueTier } from '../../../server/domain/types.js';
import type { Api } from '../api';

export type { RfmStatus };

export interface CustomerValue {
  currency: string;
  orderCount: number;
  totalSpent: string;
  lastOrderAt: number | null;
  windowDays: number;
  windowOrders: number;
  windowSpent: string;
  scores: { recency: number | null; frequency: number | null; monetary: number | null };
  valueTier: ValueTier | null;
  vip: boolean;
  tierOverride: ValueTier | null;
  vipOverride: boolean | null;
}

export interface OrderView {
  id: string;
  source: string;
  externalId: string;
  amount: string;
  currency: string;
  orderedAt: number;
}

export interface AttributeBody {
  key: string;
  label: string;
  type: AttributeType;
  options?: string[];
}

const at = (id: string) => encodeURIComponent(id);

export function valueApi(api: Api) {
  return {
    attributes: () => api.json<{ attributes: AttributeDefinition[] }>('GET', '/crm/attributes'),
    createAttribute: (body: AttributeBody) => api.json<{ attribute: AttributeDefinition }>('POST', '/crm/attributes', body),
    updateAttribute: (key: string, body: { label?: string; options?: string[] }) =>
      api.json<{ attribute: AttributeDefinition }>('PATCH', `/crm/attributes/${at(key)}`, body),
    removeAttribute: (key: string) => api.json<void>('DELETE', `/crm/attributes/${at(key)}`),

    status: () => api.json<RfmStatus>('GET', '/crm/rfm'),
    saveSettings: (settings: CrmSettings) => api.json<{ settings: CrmSettings }>('PUT', '/crm/settings', settings),
    refresh: () => api.json<{ refresh: RefreshSummary }>('POST', '/crm/rfm/refresh'),

    segments: () => api.json<{ segments: Segment[] }>('GET', '/segments'),
    createSegment: (body: { name: string; description: string | null; rules: SegmentRules }) =>
      api.json<{ segment: Segment }>('POST', '/segments', body),
    updateSegment: (id: string, body: { name?: string; description?: string | null; rules?: SegmentRules }) =>
      api.json<{ segment: Segment }>('PATCH', `/segments/${at(id)}`, body),
    removeSegment: (id: string) => api.json<void>('DELETE', `/segments/${at(id)}`),
    preview: (rules: SegmentRules) => api.json<{ count: number; countedAt: number }>('POST', '/segments/preview', { rules }),
    members: (id: string, after: string | null) =>
      api.json<{ customers: Customer[]; nextCursor: string | null }>(
        'GET',
        `/segments/${at(id)}/members?limit=25${after ? `&after=${at(after)}` : ''}`,
      ),

    customerValue: (id: string) => api.json<{ value: CustomerValue }>('GET', `/customers/${at(id)}/value`),
    customerOrders: (id: string) =>
      api.json<{ orders: OrderView[]; nextCursor: string | null }>('GET', `/customers/${at(id)}/orders?limit=5`),
  };
}

export type ValueApi = ReturnType<typeof valueApi>;
