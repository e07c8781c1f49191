// A segment is a rule tree over a customer's profile, tags, value and contact history. Pure data: the
// shape is validated in usecases/crm (zod, against the attribute definitions) and compiled to one SQL
// query in db/crm/segment-query.ts.
import type { ChannelKind, ValueTier } from '../types.js';

export type NumberOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';
export const NUMBER_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const satisfies readonly NumberOp[];

/** A time condition: within the last N days, older than N days, or never happened. */
export type AgeOp = 'withinDays' | 'olderThanDays' | 'never';
export const AGE_OPS = ['withinDays', 'olderThanDays', 'never'] as const satisfies readonly AgeOp[];

export type AttributeValueCondition =
  | { field: 'attribute'; key: string; type: 'text'; op: 'eq' | 'neq' | 'contains'; value: string }
  | { field: 'attribute'; key: string; type: 'number'; op: NumberOp; value: number }
  | { field: 'attribute'; key: string; type: 'boolean'; op: 'is'; value: boolean }
  /** Dates are ISO days (YYYY-MM-DD); `withinDays`/`olderThanDays` take `days` back from now. */
  | { field: 'attribute'; key: string; type: 'date'; op: 'before' | 'after' | 'on'; value: string }
  | { field: 'attribute'; key: string; type: 'date'; op: 'withinDays' | 'olderThanDays'; days: number }
  | { field: 'attribute'; key: string; type: 'choice'; op: 'in' | 'notIn'; values: string[] };
/** `set` / `unset`: the attribute has a (non-null) value or not, whatever its type. */
export type AttributePresenceCondition = { field: 'attribute'; key: string; type: AttributeType; op: 'set' | 'unset' };
export type AttributeCondition = AttributeValueCondition | AttributePresenceCondition;
export const isPresenceCondition = (c: AttributeCondition): c is AttributePresenceCondition => c.op === 'set' || c.op === 'unset';

export type AttributeType = 'text' | 'number' | 'boolean' | 'date' | 'choice';
export const ATTRIBUTE_TYPES = ['text', 'number', 'boolean', 'date', 'choice'] as const satisfies readonly AttributeType[];

export type TierValue = ValueTier | 'none';

export type SegmentCondition =
  | AttributeCondition
  | { field: 'tag'; op: 'has' | 'notHas'; value: string }
  | { field: 'tier'; op: 'in' | 'notIn'; values: TierValue[] }
  | { field: 'vip'; value: boolean }
  /** `reachable`: has an identity the channel reaches (a phone for SMS and voice); `contacted`: had a conversation on it. */
  | { field: 'channel'; op: 'reachable' | 'contacted'; value: ChannelKind }
  | { field: 'lastContactAt'; op: AgeOp; days?: number }
  | { field: 'lastOrderAt'; op: AgeOp; days?: number }
  /** RFM scores 1-5 (as of the last scoring); customers without orders have none and never match. */
  | { field: 'recency' | 'frequency' | 'monetary' | 'rfmTotal'; op: NumberOp; value: number }
  | { field: 'orderCount'; op: NumberOp; value: number }
  /** All-time spend in the desk's currency, major units (e.g. 1500.50). */
  | { field: 'totalSpent'; op: NumberOp; value: number };

export type SegmentGroup = { all: SegmentNode[] } | { any: SegmentNode[] };
export type SegmentNode = SegmentCondition | SegmentGroup;
/** The root of a segment's rules is always a group. */
export type SegmentRules = SegmentGroup;

export const isGroup = (node: SegmentNode): node is SegmentGroup => 'all' in node || 'any' in node;

/** The identity kind through which a channel reaches a customer. */
export const IDENTITY_FOR_CHANNEL = {
  web_chat: 'web_chat',
  email: 'email',
  sms: 'phone',
  voice: 'phone',
  line: 'line',
  messenger: 'messenger',
  slack: 'slack',
} as const satisfies Record<ChannelKind, string>;

/** Money is stored in hundredths of the currency unit (two fixed decimals) on both engines. */
export const toHundredths = (major: number): number => Math.round(major * 100);
