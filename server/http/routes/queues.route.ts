import type { z } from 'zod';
import type { NewQueue, QueuePatch } from '../../../db/stores/queues.store.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';
import { NewQueueBody, QueueMembersBody, QueuePatchBody, RoutingProfileBody } from './queue-schemas.js';

export function queueRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/queues',
      summary: 'List queues with their routing settings and members',
      tag: 'queues',
      role: 'agent',
      handler: async () => ({ queues: await s.queues.list() }),
    }),
    route({
      method: 'post',
      path: '/queues',
      summary: 'Create a queue (channels, required skills, strategy, hours, overflow, SLA, service level)',
      tag: 'queues',
      role: 'admin',
      status: 201,
      body: NewQueueBody,
      // The schema's SLA keys are the strings "0"-"3": JSON's spelling of the policy's numeric bands.
      handler: async ({ user, body }) => ({ queue: await s.queues.create(user, body as NewQueue) }),
    }),
    route({
      method: 'get',
      path: '/queues/:id',
      summary: 'Read a queue',
      tag: 'queues',
      role: 'agent',
      handler: async ({ params }) => ({ queue: await s.queues.get(params.id!) }),
    }),
    route({
      method: 'patch',
      path: '/queues/:id',
      summary: "Change a queue's settings",
      tag: 'queues',
      role: 'admin',
      body: QueuePatchBody,
      handler: async ({ user, params, body }) => ({ queue: await s.queues.update(user, params.id!, body as QueuePatch) }),
    }),
    route({
      method: 'delete',
      path: '/queues/:id',
      summary: 'Delete a queue that no open conversation, channel account or overflow rule uses',
      tag: 'queues',
      role: 'admin',
      handler: async ({ user, params }) => {
        await s.queues.remove(user, params.id!);
        return undefined;
      },
    }),
    route({
      method: 'put',
      path: '/queues/:id/members',
      summary: 'Set who works a queue (replaces the member list)',
      tag: 'queues',
      role: 'admin',
      body: QueueMembersBody,
      handler: async ({ user, params, body }) => ({
        queue: await s.queues.setMembers(user, params.id!, (body as z.infer<typeof QueueMembersBody>).userIds),
      }),
    }),
    route({
      method: 'get',
      path: '/users/:id/routing',
      summary: "An agent's routing profile (skills, capacity, queues, presence, current load); supervisors, or the agent themself",
      tag: 'queues',
      role: 'agent',
      handler: async ({ user, params }) => ({ routing: await s.agentRouting.get(user, params.id!) }),
    }),
    route({
      method: 'patch',
      path: '/users/:id/routing',
      summary: "Change an agent's skills (replaced), capacity per channel class (merged) or queues (replaced)",
      tag: 'queues',
      role: 'admin',
      body: RoutingProfileBody,
      handler: async ({ user, params, body }) => ({
        routing: await s.agentRouting.update(user, params.id!, body as z.infer<typeof RoutingProfileBody>),
      }),
    }),
  ];
}
