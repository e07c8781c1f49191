// Segment rules as the API takes them, checked with zod and against the attribute definitions. Every
// problem names where it is (`rules.all[1].any[0].value`) and what would be right.
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { AttributeDefinition } from '../../domain/crm/attributes.js';
import { isIsoDay } from '../../domain/crm/attributes.js';
import { AGE_OPS, NUMBER_OPS, type SegmentNode, type SegmentRules } from '../../domain/crm/segment-rules.js';
import { CHANNEL_KINDS, VALUE_TIERS } from '../../domain/types.js';

const MAX_DEPTH = 4;
const MAX_CONDITIONS = 100;

const Days = z.number().int().min(0).max(36_500);
const IsoDay = z.string().refine(isIsoDay, 'a date as YYYY-MM-DD');
const Score = z.number().int().min(1).max(15);
const NumberOp = z.enum(NUMBER_OPS);
const AttributeKey = z.string().min(1).max(64);

const attributeBase = { field: z.literal('attribute'), key: AttributeKey };
/** The value conditions of each attribute type (the type is checked against the definition first). */
const ATTRIBUTE_CONDITION = {
  text: z.object({ ...attributeBase, type: z.literal('text'), op: z.enum(['eq', 'neq', 'contains']), value: z.string().max(200) }).strict(),
  number: z.object({ ...attributeBase, type: z.literal('number'), op: NumberOp, value: z.number().finite() }).strict(),
  boolean: z.object({ ...attributeBase, type: z.literal('boolean'), op: z.literal('is'), value: z.boolean() }).strict(),
  date: z
    .object({
      ...attributeBase,
      type: z.literal('date'),
      op: z.enum(['before', 'after', 'on', 'withinDays', 'olderThanDays']),
      value: IsoDay.optional(),
      days: Days.optional(),
    })
    .strict()
    .superRefine((c, ctx) => {
      const byDays = c.op === 'withinDays' || c.op === 'olderThanDays';
      if (byDays && c.days === undefined) ctx.addIssue({ code: 'custom', path: ['days'], message: 'give days (how many days back)' });
      if (!byDays && c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'give the date as YYYY-MM-DD' });
    }),
  choice: z
    .object({
      ...attributeBase,
      type: z.literal('choice'),
      op: z.enum(['in', 'notIn']),
      values: z.array(z.string().max(200)).min(1).max(50),
    })
    .strict(),
};
const PresenceCondition = z
  .object({
    field: z.literal('attribute'),
    key: AttributeKey,
    type: z.enum(['text', 'number', 'boolean', 'date', 'choice']),
    op: z.enum(['set', 'unset']),
  })
  .strict();

const Age = <F extends string>(field: F) =>
  z
    .object({ field: z.literal(field), op: z.enum(AGE_OPS), days: Days.optional() })
    .strict()
    .refine((c) => c.op === 'never' || c.days !== undefined, { message: 'give days (how many days back)', path: ['days'] });

const Condition = z.discriminatedUnion('field', [
  z.object({ field: z.literal('tag'), op: z.enum(['has', 'notHas']), value: z.string().trim().toLowerCase().min(1).max(32) }).strict(),
  z.object({ field: z.literal('tier'), op: z.enum(['in', 'notIn']), values: z.array(z.enum([...VALUE_TIERS, 'none'])).min(1) }).strict(),
  z.object({ field: z.literal('vip'), value: z.boolean() }).strict(),
  z.object({ field: z.literal('channel'), op: z.enum(['reachable', 'contacted']), value: z.enum(CHANNEL_KINDS) }).strict(),
  Age('lastContactAt'),
  Age('lastOrderAt'),
  z.object({ field: z.enum(['recency', 'frequency', 'monetary']), op: NumberOp, value: Score.max(5) }).strict(),
  z.object({ field: z.literal('rfmTotal'), op: NumberOp, value: Score.min(3) }).strict(),
  z.object({ field: z.literal('orderCount'), op: NumberOp, value: z.number().int().min(0) }).strict(),
  z.object({ field: z.literal('totalSpent'), op: NumberOp, value: z.number().finite().min(0) }).strict(),
]);

interface Problem {
  path: string;
  message: string;
}

/** Checks and normalizes segment rules; throws a VALIDATION error listing every problem. */
export function parseSegmentRules(input: unknown, definitions: Map<string, AttributeDefinition>, where = 'rules'): SegmentRules {
  const problems: Problem[] = [];
  let conditions = 0;

  const walk = (node: unknown, path: string, depth: number): SegmentNode | undefined => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      problems.push({ path, message: 'expected a group ({"all": [...]} or {"any": [...]}) or a condition ({"field": ...})' });
      return undefined;
    }
    const o = node as Record<string, unknown>;
    if ('all' in o || 'any' in o) {
      const keys = Object.keys(o);
      if (keys.length !== 1) {
        problems.push({ path, message: 'a group has exactly one key, "all" or "any"' });
        return undefined;
      }
      const kind = keys[0] as 'all' | 'any';
      const children = o[kind];
      if (!Array.isArray(children)) {
        problems.push({ path: `${path}.${kind}`, message: 'expected a list of conditions and groups' });
        return undefined;
      }
      if (depth >= MAX_DEPTH) {
        problems.push({ path, message: `groups nest at most ${MAX_DEPTH} deep` });
        return undefined;
      }
      const parsed = children.map((c, i) => walk(c, `${path}.${kind}[${i}]`, depth + 1));
      const list = parsed.filter((c): c is SegmentNode => c !== undefined);
      return kind === 'all' ? { all: list } : { any: list };
    }
    if (++conditions > MAX_CONDITIONS) {
      if (conditions === MAX_CONDITIONS + 1) problems.push({ path, message: `at most ${MAX_CONDITIONS} conditions in a segment` });
      return undefined;
    }
    if (o.field === 'attribute') return attribute(o, path);
    const r = Condition.safeParse(o);
    if (!r.success) {
      for (const issue of r.error.issues) problems.push({ path: [path, ...issue.path].join('.'), message: issue.message });
      return undefined;
    }
    return r.data as SegmentNode;
  };

  const attribute = (o: Record<string, unknown>, path: string): SegmentNode | undefined => {
    const def = typeof o.key === 'string' ? definitions.get(o.key) : undefined;
    if (!def) {
      problems.push({
        path: `${path}.key`,
        message: `no attribute is defined as ${JSON.stringify(o.key)} (define it first under CRM attributes)`,
      });
      return undefined;
    }
    if (o.type !== def.type) {
      problems.push({ path: `${path}.type`, message: `the attribute ${def.key} is of type ${def.type}` });
      return undefined;
    }
    const r = (o.op === 'set' || o.op === 'unset' ? PresenceCondition : ATTRIBUTE_CONDITION[def.type]).safeParse(o);
    if (!r.success) {
      for (const issue of r.error.issues) problems.push({ path: [path, ...issue.path].join('.'), message: issue.message });
      return undefined;
    }
    const c = r.data as Record<string, unknown>;
    if (def.type === 'choice' && Array.isArray(c.values)) {
      const unknown = (c.values as string[]).filter((v) => !def.options.includes(v));
      if (unknown.length)
        problems.push({ path: `${path}.values`, message: `${unknown.join(', ')}: not a choice of ${def.key} (${def.options.join(', ')})` });
    }
    return c as SegmentNode;
  };

  const root = walk(input, where, 0);
  if (root && !('all' in root || 'any' in root))
    problems.push({ path: where, message: 'the rules are a group: {"all": [...]} or {"any": [...]}' });
  if (problems.length || !root) {
    throw new AppError('VALIDATION', problems.map((p) => `${p.path}: ${p.message}`).join('; ') || `${where}: invalid`, problems);
  }
  return root as SegmentRules;
}

/** The attribute keys a rule tree mentions (to load their definitions). */
export function attributeKeysOf(input: unknown): string[] {
  const keys = new Set<string>();
  const walk = (n: unknown) => {
    if (typeof n !== 'object' || n === null) return;
    const o = n as Record<string, unknown>;
    if (Array.isArray(o.all)) o.all.forEach(walk);
    if (Array.isArray(o.any)) o.any.forEach(walk);
    if (o.field === 'attribute' && typeof o.key === 'string') keys.add(o.key);
  };
  walk(input);
  return [...keys];
}
