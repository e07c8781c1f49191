// Admins define queues (channels served, required skills, strategy, hours, overflow, SLA) and who
// works them. Every change is audited; a queue that work still depends on cannot be deleted.
import { isUniqueViolation } from '../../db/connection.js';
import type { Stores } from '../../db/store.js';
import type { NewQueue, Queue, QueuePatch } from '../../db/stores/queues.store.js';
import { AppError, invalidField, notFound } from '../domain/errors.js';
import type { Actor } from '../domain/policy.js';
import type { Deps } from './deps.js';

/** A queue with the users who work it. */
export interface QueueView extends Queue {
  memberIds: string[];
}

export function makeManageQueues(deps: Deps) {
  const { store } = deps;

  const audit = (tx: Stores, actor: Actor, action: string, queueId: string, data: Record<string, unknown>) =>
    tx.audit.record({ actorType: 'user', actorId: actor.id, action, targetType: 'queue', targetId: queueId, data }, deps.now());

  /** The overflow target must be another queue that exists. */
  async function checkOverflow(tx: Stores, queueId: string | undefined, settings: QueuePatch): Promise<void> {
    const target = settings.overflow?.toQueueId;
    if (target === undefined) return;
    if (target === queueId) throw invalidField('body.overflow.toQueueId', 'a queue cannot overflow into itself');
    if ((await tx.queues.existing([target])).length === 0) throw invalidField('body.overflow.toQueueId', 'no queue has this id');
  }

  /** Channel accounts that send work to the queue must stay within the channels it serves. */
  async function checkChannels(tx: Stores, queueId: string, patch: QueuePatch): Promise<void> {
    if (!patch.channels) return;
    const { channelAccountIds } = await tx.queues.usage(queueId);
    for (const accountId of channelAccountIds) {
      const account = await tx.channelAccounts.findById(accountId);
      if (account && !patch.channels.includes(account.kind)) {
        throw new AppError(
          'CONFLICT',
          `channel account "${account.name}" (${account.kind}) sends its conversations to this queue; ` +
            `keep ${account.kind} in channels or point the account at another queue first`,
        );
      }
    }
  }

  const nameTaken = (name: string) => new AppError('CONFLICT', `a queue named "${name}" already exists; choose another name`);

  // Checked first so the common case answers without a failed insert; the unique index settles races.
  async function checkName(tx: Stores, queueId: string | undefined, name: string | undefined): Promise<void> {
    if (name === undefined) return;
    const holder = await tx.queues.findByName(name);
    if (holder && holder.id !== queueId) throw nameTaken(name);
  }

  /** Routing reloads its queues and agents after any change here. */
  async function changed<T>(work: Promise<T>): Promise<T> {
    const result = await work;
    deps.events.publish({ type: 'routing.config_changed' });
    return result;
  }

  return {
    async list(): Promise<QueueView[]> {
      const [queues, members] = await Promise.all([store.queues.list(), store.queues.allMembers()]);
      return queues.map((q) => ({ ...q, memberIds: members.get(q.id) ?? [] }));
    },

    async get(id: string): Promise<QueueView> {
      const queue = await store.queues.findById(id);
      if (!queue) throw notFound('queue');
      return { ...queue, memberIds: await store.queues.members(id) };
    },

    async create(actor: Actor, input: NewQueue): Promise<QueueView> {
      try {
        return await changed(
          store.transaction(async (tx) => {
            await checkName(tx, undefined, input.name);
            await checkOverflow(tx, undefined, input);
            const queue = await tx.queues.create(input, deps.now());
            await audit(tx, actor, 'queue.create', queue.id, { name: queue.name, fields: Object.keys(input) });
            return { ...queue, memberIds: [] };
          }),
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(input.name);
        throw err;
      }
    },

    async update(actor: Actor, id: string, patch: QueuePatch): Promise<QueueView> {
      try {
        return await changed(
          store.transaction(async (tx) => {
            if (!(await tx.queues.findById(id))) throw notFound('queue');
            await checkName(tx, id, patch.name);
            await checkOverflow(tx, id, patch);
            await checkChannels(tx, id, patch);
            const queue = (await tx.queues.update(id, patch, deps.now()))!;
            await audit(tx, actor, 'queue.update', id, { fields: Object.keys(patch) });
            return { ...queue, memberIds: await tx.queues.members(id) };
          }),
        );
      } catch (err) {
        if (isUniqueViolation(err) && patch.name !== undefined) throw nameTaken(patch.name);
        throw err;
      }
    },

    async remove(actor: Actor, id: string): Promise<void> {
      await changed(
        store.transaction(async (tx) => {
          const queue = await tx.queues.findById(id);
          if (!queue) throw notFound('queue');
          const usage = await tx.queues.usage(id);
          const inUse = [
            usage.openConversations > 0 && `${usage.openConversations} unresolved conversation(s) are in it (transfer or resolve them)`,
            usage.channelAccountIds.length > 0 &&
              `channel account(s) ${usage.channelAccountIds.join(', ')} send to it (point them at another queue)`,
            usage.overflowFromQueueIds.length > 0 &&
              `queue(s) ${usage.overflowFromQueueIds.join(', ')} overflow into it (change their overflow rule)`,
          ].filter((reason): reason is string => Boolean(reason));
          if (inUse.length > 0) throw new AppError('CONFLICT', `queue "${queue.name}" is in use: ${inUse.join('; ')}`, { usage });
          await tx.queues.delete(id);
          await audit(tx, actor, 'queue.delete', id, { name: queue.name });
        }),
      );
    },

    /** Replaces who works the queue. */
    async setMembers(actor: Actor, id: string, userIds: string[]): Promise<QueueView> {
      return changed(
        store.transaction(async (tx) => {
          const queue = await tx.queues.findById(id);
          if (!queue) throw notFound('queue');
          const known = new Set((await tx.users.list()).map((u) => u.id));
          const unknown = userIds.findIndex((u) => !known.has(u));
          if (unknown >= 0) throw invalidField(`body.userIds.${unknown}`, 'no user has this id');
          const before = new Set(await tx.queues.members(id));
          await tx.queues.setMembers(id, userIds);
          const after = await tx.queues.members(id);
          await audit(tx, actor, 'queue.set_members', id, {
            added: after.filter((u) => !before.has(u)),
            removed: [...before].filter((u) => !after.includes(u)),
          });
          return { ...queue, memberIds: after };
        }),
      );
    },
  };
}
