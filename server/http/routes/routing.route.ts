import { z } from 'zod';
import { PRESENCES } from '../../domain/routing/types.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const PresenceBody = z.object({ presence: z.enum(PRESENCES), reason: z.string().trim().min(1).max(100).optional() }).strict();

export function routingRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/agents',
      summary: 'Agents in routing: presence, load per channel class, queues, idle time (the supervisor board)',
      tag: 'routing',
      role: 'supervisor',
      handler: async () => ({ agents: await s.routing.agents() }),
    }),
    route({
      method: 'post',
      path: '/agents/:id/presence',
      summary: 'Set presence (available, away with a reason, busy, wrap_up, offline): your own, or any agent’s as a supervisor',
      tag: 'routing',
      role: 'agent',
      body: PresenceBody,
      handler: async ({ user, params, body }) => {
        const b = body as z.infer<typeof PresenceBody>;
        return { agent: await s.routing.setPresence(params.id!, b.presence, b.reason ?? null, user) };
      },
    }),
    route({
      method: 'post',
      path: '/offers/:conversationId/accept',
      summary: 'Accept the conversation offered to you: it is assigned to you',
      tag: 'routing',
      role: 'agent',
      handler: async ({ user, params }) => ({ conversation: await s.routing.accept(user.id, params.conversationId!) }),
    }),
    route({
      method: 'post',
      path: '/offers/:conversationId/decline',
      summary: 'Decline the conversation offered to you: it goes to the next agent (counts as a miss)',
      tag: 'routing',
      role: 'agent',
      handler: async ({ user, params }) => {
        await s.routing.decline(user.id, params.conversationId!);
        return undefined;
      },
    }),
  ];
}
