import { z } from 'zod';
import type { CannedResponsePatch, NewCannedResponse } from '../../../db/stores/canned-responses.store.js';
import { TEMPLATE_PLACEHOLDERS } from '../../usecases/manage-canned-responses.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const Shortcut = z.string().regex(/^[\p{L}\p{M}\p{N}_-]{1,40}$/u, 'shortcuts are 1-40 letters, digits, _ and - (no spaces, no leading /)');
const Fields = {
  title: z.string().trim().min(1).max(120),
  shortcut: Shortcut,
  body: z.string().trim().min(1).max(4000),
  locale: z.enum(['en', 'th']).nullable(),
};
const NewBody = z.object({ ...Fields, locale: Fields.locale.optional() }).strict();
const PatchBody = z
  .object(Fields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one field to change');
const ListQuery = z.object({ q: z.string().trim().max(100).optional() }).strict();
const RenderBody = z.object({ conversationId: z.string().min(1).max(64) }).strict();

export function cannedResponseRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/canned-responses',
      summary: 'List canned responses (q: matches shortcut, title or text), with the placeholders templates may use',
      tag: 'canned responses',
      role: 'agent',
      query: ListQuery,
      handler: async ({ query }) => ({
        cannedResponses: await s.cannedResponses.list((query as z.infer<typeof ListQuery>).q || undefined),
        placeholders: TEMPLATE_PLACEHOLDERS,
      }),
    }),
    route({
      method: 'post',
      path: '/canned-responses',
      summary: 'Create a canned response (a handlebars template such as "Hello {{customer.firstName}}")',
      tag: 'canned responses',
      role: 'supervisor',
      status: 201,
      body: NewBody,
      handler: async ({ user, body }) => ({ cannedResponse: await s.cannedResponses.create(user, body as NewCannedResponse) }),
    }),
    route({
      method: 'patch',
      path: '/canned-responses/:id',
      summary: 'Change a canned response',
      tag: 'canned responses',
      role: 'supervisor',
      body: PatchBody,
      handler: async ({ user, params, body }) => ({
        cannedResponse: await s.cannedResponses.update(user, params.id!, body as CannedResponsePatch),
      }),
    }),
    route({
      method: 'delete',
      path: '/canned-responses/:id',
      summary: 'Delete a canned response',
      tag: 'canned responses',
      role: 'supervisor',
      handler: async ({ user, params }) => {
        await s.cannedResponses.remove(user, params.id!);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/canned-responses/:id/render',
      summary: "A canned response's text for one conversation, placeholders filled with its customer's data (to preview and send)",
      tag: 'canned responses',
      role: 'agent',
      body: RenderBody,
      handler: async ({ user, params, body }) =>
        s.cannedResponses.render(user, params.id!, (body as z.infer<typeof RenderBody>).conversationId),
    }),
  ];
}
