import type { Request } from 'express';
import { z } from 'zod';
import { CHANNEL_KINDS, type ChannelAccount } from '../../domain/types.js';
import { notFound } from '../../domain/errors.js';
import { route } from '../route-kit.js';
import type { HttpOptions, Services } from '../services.js';

const Json = z.record(z.string().max(100), z.unknown());
const QueueId = z.string().min(1).max(64).nullable().describe('the queue its conversations wait in; null = the default pool');
const NewAccount = z
  .object({
    kind: z.enum(CHANNEL_KINDS),
    name: z.string().trim().min(1).max(200),
    settings: Json.optional(),
    credentials: Json.optional(),
    queueId: QueueId.optional(),
  })
  .strict();
const AccountPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    settings: Json.optional(),
    active: z.boolean().optional(),
    credentials: Json.optional(),
    queueId: QueueId.optional(),
  })
  .strict();

export function channelAccountRoutes(s: Services, options: HttpOptions) {
  const baseUrl = (req: Request) => options.publicUrl ?? `${req.protocol}://${req.get('host')}`;
  const withUrls = (a: ChannelAccount, req: Request) => ({ account: a, urls: s.channelAccounts.urls(a, baseUrl(req)) });
  return [
    route({
      method: 'get',
      path: '/channel-accounts',
      summary: 'List channel accounts (credentials are never returned)',
      tag: 'channel accounts',
      role: 'supervisor',
      handler: async () => ({ accounts: await s.store.channelAccounts.list() }),
    }),
    route({
      method: 'post',
      path: '/channel-accounts',
      summary: 'Add a channel account; returns its webhook URLs',
      tag: 'channel accounts',
      role: 'admin',
      status: 201,
      body: NewAccount,
      handler: async ({ user, body, req }) => withUrls(await s.channelAccounts.create(user, body), req),
    }),
    route({
      method: 'get',
      path: '/channel-accounts/:id',
      summary: 'Read a channel account with its webhook URLs',
      tag: 'channel accounts',
      role: 'supervisor',
      handler: async ({ params, req }) => {
        const account = await s.store.channelAccounts.findById(params.id!);
        if (!account) throw notFound('channel account');
        return withUrls(account, req);
      },
    }),
    route({
      method: 'patch',
      path: '/channel-accounts/:id',
      summary: 'Change a channel account (name, settings, credentials, active, queue)',
      tag: 'channel accounts',
      role: 'admin',
      body: AccountPatch,
      handler: async ({ user, params, body, req }) => withUrls(await s.channelAccounts.update(user, params.id!, body), req),
    }),
    route({
      method: 'delete',
      path: '/channel-accounts/:id',
      summary: 'Delete a channel account that has no conversations',
      tag: 'channel accounts',
      role: 'admin',
      handler: async ({ user, params }) => {
        await s.channelAccounts.remove(user, params.id!);
        return undefined;
      },
    }),
  ];
}
