import { z } from 'zod';
import type { EmailImportStatus } from '../../../db/stores/email.store.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const STATUSES = ['imported', 'duplicate', 'unprocessable', 'too_large', 'own', 'failed_delivery'] as const;

export function emailRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/email/imports',
      summary: 'Mail fetched from email accounts and what became of each (e.g. status=unprocessable,too_large)',
      tag: 'email',
      role: 'admin',
      query: z
        .object({
          accountId: z.uuid({ message: 'a channel account id' }).optional(),
          status: z
            .string()
            .transform((v) => v.split(','))
            .pipe(z.array(z.enum(STATUSES)))
            .optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        })
        .strict(),
      handler: async ({ query }) => {
        const q = query as { accountId?: string; status?: EmailImportStatus[]; limit: number };
        return { imports: await s.store.email.listImports({ channelAccountId: q.accountId, status: q.status }, q.limit) };
      },
    }),
    route({
      method: 'post',
      path: '/email/imports/:id/reprocess',
      summary: 'Run an unprocessable mail through the parser again (its raw copy was kept)',
      tag: 'email',
      role: 'admin',
      handler: async ({ params }) => ({ import: await s.importEmail.reprocess(params.id!) }),
    }),
  ];
}
