// Admins add, change and remove channel accounts. Credentials are sealed before they are stored
// and never returned; the response carries the URLs to paste into the provider's console.
import { z } from 'zod';
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

  /**
   * Settings and credentials as the channel kind wants them (defaults filled in), checked against the
   * provider (an email account logs in to IMAP and SMTP) before anything is saved.
   */
  async function vetted(
    kind: ChannelKind,
    settings: Record<string, unknown>,
    credentials: Record<string, unknown> | undefined,
    sealedBefore?: string | null,
  ): Promise<{ settings: Record<string, unknown>; credentials: Record<string, unknown> | undefined }> {
    const adapter = requireAdapter(kind);
    if (!adapter.parseAccount) return { settings, credentials };
    let parsed: ReturnType<NonNullable<typeof adapter.parseAccount>>;
    try {
      parsed = adapter.parseAccount(settings, credentials);
    } catch (err) {
      if (!(err instanceof z.ZodError)) throw err;
      const details = err.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message }));
      throw new AppError('VALIDATION', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
    }
    const usable = parsed.credentials ?? (sealedBefore ? deps.secrets.open<Record<string, unknown>>(sealedBefore) : undefined);
    if (adapter.checkAccount) {
      if (!usable) throw invalidField('body.credentials', `a ${kind} account needs credentials`);
      await adapter.checkAccount(parsed.settings, usable);
    }
    return parsed;
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
      const { settings, credentials } = await vetted(input.kind, input.settings ?? {}, input.credentials);
      const created = await store.transaction(async (tx) => {
        await checkQueue(tx, input.queueId, input.kind);
        const now = deps.now();
        const account = await tx.channelAccounts.create(
          {
            kind: input.kind,
            name: input.name,
            settings,
            credentialsSealed: credentials ? deps.secrets.seal(credentials) : null,
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
      deps.events.publish({ type: 'channel_accounts.changed', accountId: created.id });
      return created;
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
      const current = await store.channelAccounts.findById(id);
      if (!current) throw notFound('channel account');
      if (patch.settings !== undefined || patch.credentials !== undefined) {
        const vet = await vetted(
          current.kind,
          patch.settings ?? current.settings,
          patch.credentials,
          await store.channelAccounts.sealedCredentials(id),
        );
        patch = { ...patch, settings: vet.settings, credentials: vet.credentials };
      }
      const updated = await store.transaction(async (tx) => {
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
      deps.events.publish({ type: 'channel_accounts.changed', accountId: id });
      return updated;
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
      deps.events.publish({ type: 'channel_accounts.changed', accountId: id });
    },
  };
}
