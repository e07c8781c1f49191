// The segment-to-SQL compiler, for campaigns and reports: `segmentCustomerQuery(knex, rules, now)`
// selects `customers.id` of the live (not merged) customers matching a segment's rules. It lives in
// db/ (the only place that talks SQL); this is its stable import path.
export { segmentCustomerQuery, ATTRIBUTE_KEY } from '../../db/crm/segment-query.js';
export type { SegmentRules, SegmentNode, SegmentCondition, SegmentGroup } from '../domain/crm/segment-rules.js';
