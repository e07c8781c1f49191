// An agent's routing profile: skills with levels, capacity per channel class, the queues they work.
// Admins change it (audited); supervisors and the agent themself read it, with the current load.
import type { Load } from '../../db/stores/agent-routing.store.js';
import { forbidden, invalidField, notFound } from '../domain/errors.js';
import { hasRole, type Actor } from '../domain/policy.js';
import { DEFAULT_CAPACITY, type Presence } from '../domain/routing/types.js';
import type { Deps } from './deps.js';

export interface RoutingProfile {
  userId: string;
  presence: Presence;
  presenceReason: string | null;
  /** Null until the agent has routing state (first profile change or presence). */
  presenceSince: number | null;
  skills: Record<string, number>;
  capacity: Load;
  queueIds: string[];
  /** Conversations assigned or offered to the agent right now, per capacity class. */
  load: Load;
  /** Offers missed in a row. */
  misses: number;
}

export interface RoutingProfilePatch {
  /** Replaces the whole skill set. */
  skills?: Record<string, number>;
  /** Changes the classes given; the others keep their value. */
  capacity?: Partial<Load>;
  /** Replaces the queues the agent works. */
  queueIds?: string[];
}

const NO_LOAD: Load = { voice: 0, chat: 0, messaging: 0, email: 0 };

export function makeManageAgentRouting(deps: Deps) {
  const { store } = deps;

  async function profileOf(userId: string): Promise<RoutingProfile> {
    const [routing, load] = await Promise.all([store.agentRouting.get(userId), store.agentRouting.loadByAgent([userId])]);
    const current = load.get(userId) ?? NO_LOAD;
    if (routing) {
      const { id, idleSince: _idle, lastOfferAt: _offer, ...rest } = routing;
      return { userId: id, ...rest, load: current };
    }
    // Never configured: what the router would assume, without writing anything.
    return {
      userId,
      presence: 'offline',
      presenceReason: null,
      presenceSince: null,
      skills: {},
      capacity: { ...DEFAULT_CAPACITY },
      queueIds: await store.queues.queuesOf(userId),
      load: current,
      misses: 0,
    };
  }

  return {
    /** Supervisors read anyone's profile; agents only their own. */
    async get(actor: Actor, userId: string): Promise<RoutingProfile> {
      if (actor.id !== userId && !hasRole(actor, 'supervisor')) throw forbidden("only supervisors may read another agent's routing");
      if (!(await store.users.findById(userId))) throw notFound('user');
      return profileOf(userId);
    },

    async update(actor: Actor, userId: string, patch: RoutingProfilePatch): Promise<RoutingProfile> {
      await store.transaction(async (tx) => {
        if (!(await tx.users.findById(userId))) throw notFound('user');
        if (patch.queueIds) {
          const known = new Set(await tx.queues.existing(patch.queueIds));
          const unknown = patch.queueIds.findIndex((q) => !known.has(q));
          if (unknown >= 0) throw invalidField(`body.queueIds.${unknown}`, 'no queue has this id');
        }
        const now = deps.now();
        const current = await tx.agentRouting.ensure(userId, now);
        await tx.agentRouting.updateProfile(userId, {
          skills: patch.skills,
          capacity: patch.capacity && { ...current.capacity, ...patch.capacity },
        });
        if (patch.queueIds) await tx.queues.setQueuesOf(userId, patch.queueIds);
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'agent_routing.update',
            targetType: 'user',
            targetId: userId,
            data: { fields: Object.keys(patch) },
          },
          now,
        );
      });
      deps.events.publish({ type: 'routing.config_changed' });
      return profileOf(userId);
    },
  };
}
