// Admins add, change and remove channel accounts. Credentials are sealed before they are stored
// and never returned; the response carries the URLs to paste into the provider's console.
import type { ChannelRegistry } from '../../channels/registry.js';
import type { Stores } from '../../db/store.js';
import type { Actor } from '../domain/policy.js';
import { AppError, invalidField, notFound } from '../domain/errors.js';
import type { ChannelAccount, ChannelKind } from '../domain/types.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Deps } from './deps.js';

export function makeManageChannelAccounts(deps: Deps & { channels: ChannelRegistry; secrets: SecretBox }) {
  const { store } = deps;
  const requireAdapter = (kind: ChannelKind) => {
    const adapter = deps.channels.get(kind);
    if (!adapter)
      throw new AppError('VALIDATION', `channel kind ${kind} is not available yet; available: ${deps.channels.kinds().join(', ')}`);
    return adapter;
  };

  /** A channel account may send its conversations only to a queue that exists and serves its kind. */
  async function checkQueue(tx: Stores, queueId: string | null | undefined, kind: ChannelKind): Promise<void> {
    if (queueId === undefined || queueId === null) return;
    const queue = await tx.queues.findById(queueId);
    if (!queue) throw invalidField('body.queueId', 'no queue has this id');
    if (!queue.channels.includes(kind)) {
      throw invalidField('body.queueId', `queue "${queue.name}" does not serve ${kind}; add ${kind} to its channels first`);
    }
  }

  return {
    urls(account: ChannelAccount, baseUrl: string): Record<string, string> {
      return requireAdapter(account.kind).publicUrls(baseUrl, account);
    },

    async create(
      actor: Actor,
      input: {
        kind: ChannelKind;
        name: string;
        settings?: Record<string, unknown>;
        credentials?: Record<string, unknown>;
        queueId?: string | null;
      },
    ): Promise<ChannelAccount> {
      requireAdapter(input.kind);
      return store.transaction(async (tx) => {
        await checkQueue(tx, input.queueId, input.kind);
        const now = deps.now();
        const account = await tx.channelAccounts.create(
          {
            kind: input.kind,
            name: input.name,
            settings: input.settings ?? {},
            credentialsSealed: input.credentials ? deps.secrets.seal(input.credentials) : null,
            queueId: input.queueId ?? null,
          },
          now,
        );
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'channel_account.create',
            targetType: 'channel_account',
            targetId: account.id,
            data: { kind: account.kind, queueId: account.queueId },
          },
          now,
        );
        return account;
      });
    },

    async update(
      actor: Actor,
      id: string,
      patch: {
        name?: string;
        settings?: Record<string, unknown>;
        active?: boolean;
        credentials?: Record<string, unknown>;
        queueId?: string | null;
      },
    ): Promise<ChannelAccount> {
      return store.transaction(async (tx) => {
        const before = await tx.channelAccounts.findById(id);
        if (!before) throw notFound('channel account');
        await checkQueue(tx, patch.queueId, before.kind);
        const now = deps.now();
        const { credentials, ...rest } = patch;
        const account = (await tx.channelAccounts.update(
          id,
          { ...rest, credentialsSealed: credentials ? deps.secrets.seal(credentials) : undefined },
          now,
        ))!;
        await tx.audit.record(
          // Field names only: credential values never reach the audit log.
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'channel_account.update',
            targetType: 'channel_account',
            targetId: id,
            data: { fields: Object.keys(patch) },
          },
          now,
        );
        return account;
      });
    },

    async remove(actor: Actor, id: string): Promise<void> {
      await store.transaction(async (tx) => {
        if (!(await tx.channelAccounts.findById(id))) throw notFound('channel account');
        if (await tx.channelAccounts.hasConversations(id)) {
          throw new AppError(
            'CONFLICT',
            'this channel account has conversations; deactivate it instead (PATCH active=false) to keep their history',
          );
        }
        const now = deps.now();
        await tx.channelAccounts.delete(id);
        await tx.audit.record(
          { actorType: 'user', actorId: actor.id, action: 'channel_account.delete', targetType: 'channel_account', targetId: id },
          now,
        );
      });
    },
  };
}
