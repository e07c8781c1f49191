import { z } from 'zod';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const SettingsBody = z
  .object({
    enabled: z.boolean(),
    replyWindowHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 14)
      .default(24),
    questions: z
      .object({ en: z.string().trim().max(300).optional(), th: z.string().trim().max(300).optional() })
      .strict()
      .default({}),
  })
  .strict();
const SinceQuery = z.object({ since: z.coerce.number().int().min(0).default(0) }).strict();

export function csatRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/csat/settings',
      summary: 'CSAT settings per channel account (surveys after resolving: on or off, the reply window, the question)',
      tag: 'csat',
      role: 'admin',
      handler: async () => {
        const [accounts, saved] = await Promise.all([s.store.channelAccounts.list(), s.csat.listSettings()]);
        const byAccount = new Map(saved.map((x) => [x.channelAccountId, x]));
        return {
          settings: accounts.map(
            (a) => byAccount.get(a.id) ?? { channelAccountId: a.id, enabled: false, replyWindowHours: 24, questions: {}, updatedAt: null },
          ),
        };
      },
    }),
    route({
      method: 'put',
      path: '/csat/settings/:channelAccountId',
      summary: "Turn a channel account's CSAT survey on or off",
      tag: 'csat',
      role: 'admin',
      body: SettingsBody,
      handler: async ({ user, params, body }) => {
        const b = body as z.infer<typeof SettingsBody>;
        return { settings: await s.csat.putSettings(user, { channelAccountId: params.channelAccountId!, ...b }) };
      },
    }),
    route({
      method: 'get',
      path: '/csat/agents',
      summary: 'Satisfaction per agent: answered surveys and their average score (since: epoch ms)',
      tag: 'csat',
      role: 'supervisor',
      query: SinceQuery,
      handler: async ({ query }) => ({ agents: await s.csat.byAgent((query as z.infer<typeof SinceQuery>).since) }),
    }),
    route({
      method: 'get',
      path: '/conversations/:id/csat',
      summary: "The conversation's satisfaction survey and its score (null when none was sent)",
      tag: 'csat',
      role: 'agent',
      handler: async ({ user, params }) => ({ survey: await s.csat.forConversation(user, params.id!) }),
    }),
    route({
      method: 'get',
      path: '/customers/:id/csat',
      summary: "The customer's satisfaction: answered surveys, the average score and the latest answers",
      tag: 'csat',
      role: 'agent',
      handler: async ({ params }) => ({ csat: await s.csat.forCustomer(params.id!) }),
    }),
    route({
      method: 'get',
      path: '/users/:id/csat',
      summary: "An agent's satisfaction: answered surveys of conversations they resolved, the average and the latest (own, or supervisors)",
      tag: 'csat',
      role: 'agent',
      handler: async ({ user, params }) => ({ csat: await s.csat.forAgent(user, params.id!) }),
    }),
  ];
}
