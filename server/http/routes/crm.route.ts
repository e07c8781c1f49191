// The CRM's admin side of value: attribute definitions, the RFM/tier settings and refresh, segments.
import { z } from 'zod';
import { ATTRIBUTE_TYPES } from '../../domain/crm/segment-rules.js';
import type { CrmSettings } from '../../domain/crm/rfm.js';
import { VALUE_TIERS } from '../../domain/types.js';
import type { AttributeInput } from '../../usecases/crm/manage-attributes.js';
import type { SegmentInput } from '../../usecases/crm/manage-segments.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const Label = z.string().trim().min(1).max(200);
const Options = z.array(z.string().trim().min(1).max(100)).max(100);
const AttributeBody = z
  .object({
    key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a key starts with a letter, then letters, digits and _ (at most 64)'),
    label: Label,
    type: z.enum(ATTRIBUTE_TYPES),
    options: Options.optional(),
  })
  .strict();
const AttributePatch = z
  .object({ label: Label.optional(), options: Options.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one field to change (label, options)');

const Cuts = z
  .tuple([z.number().min(0), z.number().min(0), z.number().min(0), z.number().min(0)])
  .refine((c) => c.every((v, i) => i === 0 || v >= c[i - 1]!), 'four cut points in ascending order');
const SettingsBody = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as THB'),
    windowDays: z.number().int().min(1).max(3650),
    scoring: z.discriminatedUnion('mode', [
      z.object({ mode: z.literal('quintiles') }).strict(),
      z.object({ mode: z.literal('fixed'), cuts: z.object({ recencyDays: Cuts, frequency: Cuts, monetary: Cuts }).strict() }).strict(),
    ]),
    tiers: z
      .object({
        basis: z.enum(['monetary', 'rfm']),
        thresholds: z
          .object({ platinum: z.number().min(0), gold: z.number().min(0), silver: z.number().min(0), bronze: z.number().min(0) })
          .strict(),
      })
      .strict()
      .refine(
        (t) =>
          t.thresholds.platinum >= t.thresholds.gold &&
          t.thresholds.gold >= t.thresholds.silver &&
          t.thresholds.silver >= t.thresholds.bronze,
        {
          message: 'thresholds go down from platinum to bronze',
          path: ['thresholds'],
        },
      )
      .refine((t) => t.basis === 'monetary' || Object.values(t.thresholds).every((v) => Number.isInteger(v) && v >= 3 && v <= 15), {
        message: 'RFM-total thresholds are whole numbers from 3 to 15',
        path: ['thresholds'],
      }),
    vipTiers: z.array(z.enum(VALUE_TIERS)).max(4),
    refreshEveryHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
  })
  .strict();

const SegmentName = z.string().trim().min(1).max(200);
const SegmentBody = z
  .object({ name: SegmentName, description: z.string().trim().max(1000).nullable().optional(), rules: z.unknown() })
  .strict();
const SegmentPatch = z
  .object({ name: SegmentName.optional(), description: z.string().trim().max(1000).nullable().optional(), rules: z.unknown().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one field to change');

export function crmRoutes(s: Services) {
  const { crmValue: crm } = s;
  return [
    route({
      method: 'get',
      path: '/crm/attributes',
      summary: 'The custom attribute definitions (key, label, type, options)',
      tag: 'crm',
      role: 'agent',
      handler: async () => ({ attributes: await crm.attributes.list() }),
    }),
    route({
      method: 'post',
      path: '/crm/attributes',
      summary: 'Define a custom attribute: key, label, type (text, number, boolean, date, choice) and the options of a choice (admins)',
      tag: 'crm',
      role: 'admin',
      body: AttributeBody,
      status: 201,
      handler: async ({ user, body }) => ({ attribute: await crm.attributes.create(user, body as AttributeInput) }),
    }),
    route({
      method: 'patch',
      path: '/crm/attributes/:key',
      summary: "Change an attribute's label or options; its type is fixed (admins)",
      tag: 'crm',
      role: 'admin',
      body: AttributePatch,
      handler: async ({ user, params, body }) => ({
        attribute: await crm.attributes.update(user, params.key!, body as { label?: string; options?: string[] }),
      }),
    }),
    route({
      method: 'delete',
      path: '/crm/attributes/:key',
      summary: 'Remove an attribute definition; customers keep their values, untyped (admins)',
      tag: 'crm',
      role: 'admin',
      status: 204,
      handler: async ({ user, params }) => {
        await crm.attributes.remove(user, params.key!);
      },
    }),
    route({
      method: 'get',
      path: '/crm/rfm',
      summary:
        'The CRM settings (currency, scoring window, RFM cuts, tier thresholds, VIP tiers), the last quintile cuts and the last refresh (supervisors)',
      tag: 'crm',
      role: 'supervisor',
      handler: async () => crm.admin.status(),
    }),
    route({
      method: 'put',
      path: '/crm/settings',
      summary: 'Replace the CRM settings; every customer is rescored in the background (admins)',
      tag: 'crm',
      role: 'admin',
      body: SettingsBody,
      handler: async ({ user, body }) => ({ settings: await crm.admin.updateSettings(user, body as CrmSettings) }),
    }),
    route({
      method: 'post',
      path: '/crm/rfm/refresh',
      summary:
        "Rescore every customer now (new quintile cuts, recency aged to today); answers when it is done with the run's figures (admins)",
      tag: 'crm',
      role: 'admin',
      handler: async () => ({ refresh: await crm.admin.refresh() }),
    }),
    route({
      method: 'get',
      path: '/segments',
      summary: 'Saved segments (supervisors)',
      tag: 'segments',
      role: 'supervisor',
      handler: async () => ({ segments: await crm.segments.list() }),
    }),
    route({
      method: 'post',
      path: '/segments',
      summary:
        'Save a segment: a name and rules, a group {"all": [...]} or {"any": [...]} of conditions and groups over attributes, tags, tier, vip, channel, lastContactAt, lastOrderAt, recency/frequency/monetary/rfmTotal, orderCount, totalSpent (supervisors)',
      tag: 'segments',
      role: 'supervisor',
      body: SegmentBody,
      status: 201,
      handler: async ({ user, body }) => ({ segment: await crm.segments.create(user, body as SegmentInput) }),
    }),
    route({
      method: 'post',
      path: '/segments/preview',
      summary: 'Count the customers that rules match, without saving them (the rule builder) (supervisors)',
      tag: 'segments',
      role: 'supervisor',
      body: z.object({ rules: z.unknown() }).strict(),
      handler: async ({ body }) => crm.segments.preview((body as { rules: unknown }).rules),
    }),
    route({
      method: 'get',
      path: '/segments/:id',
      summary: 'A segment (supervisors)',
      tag: 'segments',
      role: 'supervisor',
      handler: async ({ params }) => ({ segment: await crm.segments.get(params.id!) }),
    }),
    route({
      method: 'patch',
      path: '/segments/:id',
      summary: "Change a segment's name, description or rules (supervisors)",
      tag: 'segments',
      role: 'supervisor',
      body: SegmentPatch,
      handler: async ({ user, params, body }) => ({ segment: await crm.segments.update(user, params.id!, body as Partial<SegmentInput>) }),
    }),
    route({
      method: 'delete',
      path: '/segments/:id',
      summary: 'Delete a segment (supervisors)',
      tag: 'segments',
      role: 'supervisor',
      status: 204,
      handler: async ({ user, params }) => {
        await crm.segments.remove(user, params.id!);
      },
    }),
    route({
      method: 'get',
      path: '/segments/:id/count',
      summary: 'How many live customers the segment matches now (supervisors)',
      tag: 'segments',
      role: 'supervisor',
      handler: async ({ params }) => crm.segments.count(params.id!),
    }),
    route({
      method: 'get',
      path: '/segments/:id/members',
      summary: "The segment's customers in id order, `limit` at a time; pass nextCursor as `after` for the next page (supervisors)",
      tag: 'segments',
      role: 'supervisor',
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), after: z.string().min(1).max(64).optional() }).strict(),
      handler: async ({ params, query }) => {
        const q = query as { limit: number; after?: string };
        return crm.segments.members(params.id!, { afterId: q.after, limit: q.limit });
      },
    }),
  ];
}
