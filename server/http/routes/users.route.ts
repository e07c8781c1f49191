import { z } from 'zod';
import { ROLES } from '../../domain/types.js';
import { notFound } from '../../domain/errors.js';
import { phoneIdentity } from '../../domain/identity.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const NewUser = z
  .object({
    email: z.email().max(320),
    name: z.string().trim().min(1).max(200),
    role: z.enum(ROLES),
    password: z.string().min(12, 'must be at least 12 characters').max(200),
    locale: z.enum(['en', 'th']).optional(),
  })
  .strict();

const UserPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    role: z.enum(ROLES).optional(),
    locale: z.enum(['en', 'th']).optional(),
    active: z.boolean().optional(),
    password: z.string().min(12, 'must be at least 12 characters').max(200).optional(),
    /** Where calls are put through when the agent has no softphone open (E.164; numbers without a country code are Thai). */
    phone: z
      .string()
      .max(40)
      .nullable()
      .optional()
      .transform((v, ctx) => {
        if (v === null || v === undefined) return v;
        const parsed = phoneIdentity(v);
        if (!parsed.ok) {
          ctx.addIssue({ code: 'custom', message: parsed.reason });
          return z.NEVER;
        }
        return parsed.identity.value;
      }),
  })
  .strict();

export function userRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/users',
      summary: 'List users',
      tag: 'users',
      role: 'supervisor',
      handler: async () => ({ users: await s.store.users.list() }),
    }),
    route({
      method: 'post',
      path: '/users',
      summary: 'Create a user (admin, supervisor or agent)',
      tag: 'users',
      role: 'admin',
      status: 201,
      body: NewUser,
      handler: async ({ user, body }) => ({ user: await s.users.create(user, body) }),
    }),
    route({
      method: 'get',
      path: '/users/:id',
      summary: 'Read a user',
      tag: 'users',
      role: 'supervisor',
      handler: async ({ params }) => {
        const found = await s.store.users.findById(params.id!);
        if (!found) throw notFound('user');
        return { user: found };
      },
    }),
    route({
      method: 'patch',
      path: '/users/:id',
      summary: 'Change a user; a new password or deactivation revokes their sessions',
      tag: 'users',
      role: 'admin',
      body: UserPatch,
      handler: async ({ user, params, body }) => {
        const { user: updated, sessionsRevoked } = await s.users.update(user, params.id!, body);
        if (sessionsRevoked) s.onSessionsRevoked({ userId: updated.id });
        return { user: updated };
      },
    }),
  ];
}
