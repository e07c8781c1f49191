import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import { hasRole } from '../../domain/policy.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

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
      summary: 'A customer with identities and their conversation history on every channel',
      tag: 'customers',
      role: 'agent',
      handler: async ({ user, params }) => {
        const customer = await s.store.customers.findById(params.id!);
        if (!customer) throw notFound('customer');
        const [identities, conversations] = await Promise.all([
          s.store.customers.identities(customer.id),
          s.store.conversations.list({ customerId: customer.id, visibleTo: hasRole(user, 'supervisor') ? undefined : user.id }, 200),
        ]);
        return { customer: { ...customer, identities }, conversations };
      },
    }),
    route({
      method: 'patch',
      path: '/customers/:id',
      summary: "Change a customer's name or language",
      tag: 'customers',
      role: 'agent',
      body: z
        .object({
          name: z.string().trim().min(1).max(200).nullable().optional(),
          locale: z
            .string()
            .regex(/^[a-z]{2}(-[A-Z]{2})?$/)
            .nullable()
            .optional(),
        })
        .strict(),
      handler: async ({ params, body }) => {
        if (!(await s.store.customers.findById(params.id!))) throw notFound('customer');
        await s.store.customers.update(params.id!, body as { name?: string | null; locale?: string | null }, s.now());
        return { customer: await s.store.customers.findById(params.id!) };
      },
    }),
  ];
}
