import { z } from 'zod';
import { invalidField, notFound } from '../../domain/errors.js';
import { hasRole } from '../../domain/policy.js';
import { CONSENT_STATUSES, type ConsentStatus } from '../../domain/customer-merge.js';
import { CHANNEL_KINDS, VALUE_TIERS } from '../../domain/types.js';
import type { TypedIdentityKind } from '../../usecases/link-customers.js';
import type { CustomerPatch } from '../../usecases/update-customer.js';
import { route } from '../route-kit.js';
import { Tag } from './shared-schemas.js';
import type { Services } from '../services.js';

const ChannelParam = z.enum(CHANNEL_KINDS);
const AttributeKey = z.string().regex(/^[\p{L}\p{M}\p{N}_.-]{1,64}$/u, 'attribute names are 1-64 letters, digits, _ . and -');
const CustomerPatchBody = z
  .object({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    locale: z
      .string()
      .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag such as th or en-GB')
      .nullable()
      .optional(),
    tags: z.array(Tag).max(30, 'at most 30 tags').optional(),
    attributes: z
      .record(AttributeKey, z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]))
      .refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes at once')
      .optional(),
    valueTier: z.enum(VALUE_TIERS).nullable().optional(),
    vip: z.boolean().nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one field to change');

export function customerRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/customers',
      summary: 'Find customers by name or identity (phone, email, channel id)',
      tag: 'customers',
      role: 'agent',
      query: z
        .object({
          q: z.string().trim().min(1).max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(25),
          cursor: z.uuid({ message: 'not a cursor this API returned' }).optional(),
        })
        .strict(),
      handler: async ({ query }) => {
        const q = query as { q?: string; limit: number; cursor?: string };
        const items = await s.store.customers.list({ query: q.q, limit: q.limit + 1, before: q.cursor });
        const page = items.slice(0, q.limit);
        return { customers: page, nextCursor: items.length > q.limit ? (page.at(-1)?.id ?? null) : null };
      },
    }),
    route({
      method: 'get',
      path: '/customers/:id',
      summary:
        'A customer with identities, consent per channel and their conversation history on every channel (a merged profile says `mergedInto`)',
      tag: 'customers',
      role: 'agent',
      handler: async ({ user, params }) => {
        const customer = await s.store.customers.findById(params.id!);
        if (!customer) throw notFound('customer');
        const [identities, consents, conversations] = await Promise.all([
          s.store.customers.identities(customer.id),
          s.store.consents.list(customer.id),
          s.store.conversations.list({ customerId: customer.id, visibleTo: hasRole(user, 'supervisor') ? undefined : user.id }, 200),
        ]);
        return { customer: { ...customer, identities, consents }, conversations };
      },
    }),
    route({
      method: 'patch',
      path: '/customers/:id',
      summary:
        "Change a customer's profile: name, language, tags, custom attributes (merged; null removes); value tier and VIP (supervisors)",
      tag: 'customers',
      role: 'agent',
      body: CustomerPatchBody,
      handler: async ({ user, params, body }) => ({ customer: await s.updateCustomer(user, params.id!, body as CustomerPatch) }),
    }),
    route({
      method: 'post',
      path: '/customers/:id/identities',
      summary: 'Add a phone number (E.164, or Thai national format) or an email address; 409 names the customer who already has it',
      tag: 'customers',
      role: 'agent',
      body: z.object({ kind: z.enum(['phone', 'email']), value: z.string().trim().min(3).max(320) }).strict(),
      status: 201,
      handler: async ({ user, params, body }) => ({
        identity: await s.linkCustomers.addIdentity(user, params.id!, body as { kind: TypedIdentityKind; value: string }),
      }),
    }),
    route({
      method: 'delete',
      path: '/customers/:id/identities/:identityId',
      summary: 'Remove a wrongly linked identity (supervisors)',
      tag: 'customers',
      role: 'supervisor',
      status: 204,
      handler: async ({ user, params }) => {
        await s.linkCustomers.removeIdentity(user, params.id!, params.identityId!);
      },
    }),
    route({
      method: 'put',
      path: '/customers/:id/consents/:channel',
      summary: 'Record that the customer opted in to or out of contact on a channel, and how',
      tag: 'customers',
      role: 'agent',
      body: z.object({ status: z.enum(CONSENT_STATUSES), source: z.string().trim().min(1).max(200) }).strict(),
      handler: async ({ user, params, body }) => {
        const channel = ChannelParam.safeParse(params.channel);
        if (!channel.success) throw invalidField('channel', `one of ${CHANNEL_KINDS.join(', ')}`);
        return {
          consent: await s.linkCustomers.setConsent(user, params.id!, channel.data, body as { status: ConsentStatus; source: string }),
        };
      },
    }),
    route({
      method: 'post',
      path: '/customers/:id/merge',
      summary:
        'Link another profile into this one: its identities, conversations, chat sessions and consents move here, and it is marked merged',
      tag: 'customers',
      role: 'agent',
      body: z.object({ sourceCustomerId: z.uuid({ message: 'a customer id' }) }).strict(),
      handler: async ({ user, params, body }) => ({
        customer: await s.linkCustomers.merge(user, params.id!, (body as { sourceCustomerId: string }).sourceCustomerId),
      }),
    }),
  ];
}
