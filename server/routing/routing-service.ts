// The routing service: keeps the pure RoutingBoard in step with the database, turns its decisions
// into stored offers and assignments, and runs the clocks (offer timeouts, overflow, wrap-up, the
// disconnect grace). Every operation runs one at a time (a promise chain), so the board never sees
// two changes interleave; the database's conditional writes decide races with other nodes.
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';
import type { DomainEvent } from '../domain/events.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import { hasRole, type Actor } from '../domain/policy.js';
import { RoutingBoard } from '../domain/routing/board.js';
import type { AgentRouting, Offer, Presence, QueueConfig, RoutingDecision, WaitingConversation } from '../domain/routing/types.js';
import type { Conversation } from '../domain/types.js';
import type { EventBus } from '../event-bus.js';

export interface RoutingOptions {
  /** How long an agent may be disconnected before they are set offline and their offers re-routed. */
  disconnectGraceMs: number;
  /** How often the clocks are checked. */
  tickMs: number;
  isQueueOpen?: (queue: QueueConfig, now: number) => boolean;
}

export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = { disconnectGraceMs: 60_000, tickMs: 500 };

type OfferEnd = 'accepted' | 'declined' | 'timed_out' | 'withdrawn';

export class RoutingService {
  private readonly board: RoutingBoard;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private readonly selfAssigned = new Set<string>();

  constructor(
    private readonly deps: { store: Store; events: EventBus; log: Logger; now: () => number },
    private readonly options: RoutingOptions = DEFAULT_ROUTING_OPTIONS,
  ) {
    this.board = new RoutingBoard({ isQueueOpen: options.isQueueOpen });
  }

  // ---- life cycle ---------------------------------------------------------------------------

  /** Loads queues, agents, waiting conversations and live offers, then routes what can be routed. */
  async start(): Promise<void> {
    await this.serial(async () => {
      const { store } = this.deps;
      for (const q of await store.queues.list()) this.board.setQueue(q);
      const loads = await store.agentRouting.loadByAgent();
      for (const a of await store.agentRouting.list()) {
        this.board.setAgent({ ...a, load: loads.get(a.id) ?? { voice: 0, chat: 0, messaging: 0, email: 0 } });
      }
      for (const c of await store.conversations.list({ status: ['open', 'pending'], assigneeId: null, queued: true }, 100_000)) {
        this.board.enqueue(toWaiting(c));
      }
      // Live offers survive a restart: their timers resume from the stored expiry.
      for (const o of await store.offers.listAll()) this.board.restoreOffer(o);
      await this.apply(this.board.routeAll(this.deps.now()));
    });
    this.unsubscribe = this.deps.events.subscribe((e) => this.onEvent(e));
    this.timer = setInterval(() => void this.serial(() => this.tick()), this.options.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const t of this.graceTimers.values()) clearTimeout(t);
    this.unsubscribe?.();
    await this.chain.catch(() => undefined);
  }

  // ---- agents -------------------------------------------------------------------------------

  /** Sets an agent's presence: by the agent, a supervisor (actor) or the system (no actor). */
  setPresence(agentId: string, presence: Presence, reason: string | null, actor: Actor | null): Promise<AgentRouting> {
    return this.serial(async () => {
      if (actor && actor.id !== agentId && !hasRole(actor, 'supervisor')) throw forbidden('only supervisors set another agent’s presence');
      if (!(await this.deps.store.users.findById(agentId))) throw notFound('user');
      return this.changePresence(agentId, presence, reason);
    });
  }

  /** The agent's last socket closed: after the grace period they go offline and their offers move on. */
  agentDisconnected(agentId: string): void {
    clearTimeout(this.graceTimers.get(agentId));
    const timer = setTimeout(() => {
      this.graceTimers.delete(agentId);
      void this.serial(async () => {
        const agent = this.board.agent(agentId);
        if (agent && agent.presence !== 'offline') await this.changePresence(agentId, 'offline', 'disconnected');
      });
    }, this.options.disconnectGraceMs);
    timer.unref();
    this.graceTimers.set(agentId, timer);
  }

  agentConnected(agentId: string): void {
    clearTimeout(this.graceTimers.get(agentId));
    this.graceTimers.delete(agentId);
  }

  /** Agents' routing state as the board sees it (presence, load, idle time), for the supervisor board. */
  agents(): AgentRouting[] {
    return [...this.board.allAgents()].map((a) => ({ ...a, load: { ...a.load } }));
  }

  /** A copy of the board for live statistics: queues, agents, who waits, live offers. */
  snapshot(): { queues: QueueConfig[]; agents: AgentRouting[]; waiting: WaitingConversation[]; offers: Offer[] } {
    return {
      queues: this.board.allQueues().map((q) => ({ ...q })),
      agents: this.agents(),
      waiting: [...this.board.allWaiting()].map((w) => ({ ...w, refusedBy: [...w.refusedBy] })),
      offers: [...this.board.allOffers()].map((o) => ({ ...o })),
    };
  }

  /** The live offer of a conversation, if any. */
  offerOf(conversationId: string): Offer | undefined {
    const o = this.board.offer(conversationId);
    return o && { ...o };
  }

  // ---- offers -------------------------------------------------------------------------------

  accept(agentId: string, conversationId: string): Promise<Conversation> {
    return this.serial(async () => {
      const { store } = this.deps;
      const offer = this.board.offer(conversationId);
      if (!offer || offer.agentId !== agentId || !(await store.offers.claim(conversationId, agentId))) {
        throw new AppError('CONFLICT', 'this offer is no longer yours (it expired, was declined or withdrawn)');
      }
      const now = this.deps.now();
      const conversation = await this.assign(conversationId, agentId, offer.queueId, now, 'accepted');
      this.board.accept(conversationId, agentId);
      await store.agentRouting.resetMisses(agentId);
      // "Longest idle" counts from an agent's latest assignment.
      await store.agentRouting.setIdleSince(agentId, now);
      await this.reloadAgent(agentId);
      this.publishOfferEnded(offer, 'accepted');
      await this.apply(this.board.routeAgent(agentId, now));
      return conversation;
    });
  }

  decline(agentId: string, conversationId: string): Promise<void> {
    return this.serial(async () => {
      const offer = this.board.offer(conversationId);
      if (!offer || offer.agentId !== agentId) throw new AppError('CONFLICT', 'this offer is no longer yours');
      await this.refuse(offer, 'declined');
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch((err: unknown) => {
      if (!(err instanceof AppError)) this.deps.log.error({ err }, 'routing operation failed');
    });
    return next;
  }

  private onEvent(e: DomainEvent): void {
    if (this.stopped) return;
    if (e.type === 'conversation.created') void this.serial(() => this.onConversation(e.conversation, undefined));
    else if (e.type === 'conversation.updated') void this.serial(() => this.onConversation(e.conversation, e.previous));
    else if (e.type === 'routing.config_changed') void this.serial(() => this.reloadConfig());
  }

  /** Keeps the board in step with conversations: new and reopened ones queue, assigned and resolved ones leave. */
  private async onConversation(c: Conversation, previous: Conversation | undefined): Promise<void> {
    if (this.selfAssigned.delete(c.id)) return;
    const now = this.deps.now();
    const wasAssignedTo = previous?.assigneeId ?? null;
    // Capacity follows the assignee (manual assign, transfer, resolve).
    if (previous && wasAssignedTo && (wasAssignedTo !== c.assigneeId || (c.status === 'resolved' && previous.status !== 'resolved'))) {
      this.board.release(wasAssignedTo, c.channelKind);
      if (c.status === 'resolved') await this.startWrapUp(wasAssignedTo, c, now);
      await this.apply(this.board.routeAgent(wasAssignedTo, now));
    }
    if (previous && c.assigneeId && c.assigneeId !== wasAssignedTo && c.status !== 'resolved') {
      if (this.board.conversation(c.id)) await this.withdraw(c.id);
      this.board.occupy(c.assigneeId, c.channelKind);
    }
    if (c.status === 'resolved' && this.board.conversation(c.id)) {
      await this.withdraw(c.id);
      await this.deps.store.routingEvents.record({ type: 'abandoned', conversationId: c.id, queueId: c.queueId, at: now });
      return;
    }
    const arrives = !previous || (previous.status === 'resolved' && c.status !== 'resolved');
    if (arrives && !c.assigneeId && c.status !== 'resolved') await this.enqueue(c, now);
  }

  private async enqueue(c: Conversation, now: number): Promise<void> {
    const { store } = this.deps;
    const account = await store.channelAccounts.findById(c.channelAccountId);
    const queueId = c.queueId ?? account?.queueId ?? null;
    const queue = queueId ? await store.queues.findById(queueId) : undefined;
    if (!queue) return; // no queue: the conversation stays in the shared inbox, as before routing
    const customer = await store.customers.findById(c.customerId);
    const priority = c.priority + tierPriority(customer);
    const sticky = queue.stickyMs > 0 ? await store.conversations.lastAssigneeOf(c.customerId, c.id) : null;
    const updated = (await store.conversations.update(
      c.id,
      { queueId: queue.id, enqueuedAt: now, priority, requiredSkills: queue.requiredSkills, refusedBy: [] },
      now,
    ))!;
    this.board.enqueue({ ...toWaiting(updated), sticky: sticky ? { agentId: sticky, until: now + queue.stickyMs } : null });
    await store.routingEvents.record({ type: 'enqueued', conversationId: c.id, queueId: queue.id, at: now });
    await this.apply(once(this.board.routeConversation(c.id, now)));
  }

  private async apply(decisions: RoutingDecision[]): Promise<void> {
    const { store } = this.deps;
    for (const d of decisions) {
      const now = this.deps.now();
      if (d.type === 'assign') {
        await this.assign(d.conversationId, d.agentId, d.queueId, now, 'assigned');
        await store.agentRouting.setIdleSince(d.agentId, now);
        continue;
      }
      const offer = this.board.offer(d.conversationId)!;
      if (!(await store.offers.create(offer))) {
        // Another node offered it first: step back without blaming the agent.
        this.board.refuse(d.conversationId, d.agentId);
        continue;
      }
      await store.agentRouting.recordOffer(d.agentId, now);
      await store.routingEvents.record({
        type: 'offered',
        conversationId: d.conversationId,
        queueId: d.queueId,
        agentId: d.agentId,
        at: now,
      });
      const conversation = await store.conversations.findById(d.conversationId);
      if (conversation) this.deps.events.publish({ type: 'offer.created', offer, conversation });
    }
  }

  /** Assigns if still unassigned (a conditional write: two nodes can never both win). */
  private async assign(
    conversationId: string,
    agentId: string,
    queueId: string,
    now: number,
    how: 'accepted' | 'assigned',
  ): Promise<Conversation> {
    const { store } = this.deps;
    const previous = await store.conversations.findById(conversationId);
    if (!previous || !(await store.conversations.assignIfUnassigned(conversationId, agentId, now))) {
      throw new AppError('CONFLICT', 'the conversation was assigned to someone else meanwhile');
    }
    const conversation = (await store.conversations.findById(conversationId))!;
    await store.routingEvents.record({
      type: how,
      conversationId,
      queueId,
      agentId,
      at: now,
      data: { waitedMs: now - (previous.enqueuedAt ?? now) },
    });
    // Published for sockets and stats; this service skips its own assignment (the board counted it).
    this.selfAssigned.add(conversationId);
    this.deps.events.publish({ type: 'conversation.updated', conversation, previous });
    return conversation;
  }

  private async refuse(offer: Offer, reason: 'declined' | 'timed_out' | 'withdrawn'): Promise<void> {
    const { store } = this.deps;
    if (!(await store.offers.claim(offer.conversationId, offer.agentId))) return; // someone else acted first
    const now = this.deps.now();
    this.board.refuse(offer.conversationId, offer.agentId);
    const w = this.board.conversation(offer.conversationId);
    if (w) await store.conversations.update(offer.conversationId, { refusedBy: w.refusedBy }, now);
    this.publishOfferEnded(offer, reason);
    if (reason !== 'withdrawn') {
      await store.routingEvents.record({
        type: reason,
        conversationId: offer.conversationId,
        queueId: offer.queueId,
        agentId: offer.agentId,
        at: now,
      });
      const misses = await store.agentRouting.recordMiss(offer.agentId);
      const queue = this.board.agent(offer.agentId) && (await store.queues.findById(offer.queueId));
      if (queue && queue.maxMisses > 0 && misses >= queue.maxMisses) await this.changePresence(offer.agentId, 'away', 'missed offers');
    }
    await this.apply(once(this.board.routeConversation(offer.conversationId, now)));
    await this.apply(this.board.routeAgent(offer.agentId, now));
  }

  /** Takes a conversation out of routing (assigned by hand, resolved), withdrawing a live offer. */
  private async withdraw(conversationId: string): Promise<void> {
    const offer = this.board.offer(conversationId);
    if (offer && (await this.deps.store.offers.claim(conversationId, offer.agentId))) this.publishOfferEnded(offer, 'withdrawn');
    this.board.dequeue(conversationId);
  }

  private async changePresence(agentId: string, presence: Presence, reason: string | null): Promise<AgentRouting> {
    const { store } = this.deps;
    const now = this.deps.now();
    await store.agentRouting.ensure(agentId, now);
    await store.agentRouting.setPresence(agentId, presence, reason, now);
    if (presence === 'available') await store.agentRouting.resetMisses(agentId);
    const agent = await this.reloadAgent(agentId);
    this.deps.events.publish({ type: 'presence.changed', agentId, presence, reason, since: now });
    if (presence !== 'available') {
      for (const o of [...this.board.allOffers()].filter((o) => o.agentId === agentId)) await this.refuse(o, 'withdrawn');
    }
    await this.apply(this.board.routeAgent(agentId, now));
    // Conversations held for this agent (sticky) may now go to the queue.
    await this.apply(this.board.routeAll(now));
    return agent;
  }

  /** Queues, skills, capacities or memberships changed (admin API): reload them and route again. */
  private async reloadConfig(): Promise<void> {
    for (const q of await this.deps.store.queues.list()) this.board.setQueue(q);
    for (const a of await this.deps.store.agentRouting.list()) await this.reloadAgent(a.id);
    await this.apply(this.board.routeAll(this.deps.now()));
  }

  private async reloadAgent(agentId: string): Promise<AgentRouting> {
    const { store } = this.deps;
    const record = (await store.agentRouting.get(agentId)) ?? (await store.agentRouting.ensure(agentId, this.deps.now()));
    const load = (await store.agentRouting.loadByAgent([agentId])).get(agentId) ?? { voice: 0, chat: 0, messaging: 0, email: 0 };
    const agent: AgentRouting = { ...record, load };
    this.board.setAgent(agent);
    return this.board.agent(agentId)!;
  }

  private async startWrapUp(agentId: string, c: Conversation, now: number): Promise<void> {
    const queue = c.queueId ? await this.deps.store.queues.findById(c.queueId) : undefined;
    const agent = this.board.agent(agentId);
    if (!queue || queue.wrapUpMs <= 0 || agent?.presence !== 'available') return;
    await this.deps.store.agentRouting.setIdleSince(agentId, now);
    await this.changePresence(agentId, 'wrap_up', `until:${now + queue.wrapUpMs}`);
  }

  /** Offer timeouts, wrap-up ends and overflow, from stored due times (so they resume after a restart). */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.deps.now();
    for (const offer of this.board.expiredOffers(now)) await this.refuse(offer, 'timed_out');
    for (const agent of await this.deps.store.agentRouting.list()) {
      const until =
        agent.presence === 'wrap_up' && agent.presenceReason?.startsWith('until:') ? Number(agent.presenceReason.slice(6)) : NaN;
      if (until <= now) await this.changePresence(agent.id, 'available', null);
    }
    for (const due of this.board.dueOverflows(now)) {
      const w = this.board.conversation(due.conversationId);
      if (!w) continue;
      const moved: WaitingConversation =
        due.action === 'move'
          ? { ...w, queueId: due.toQueueId, enqueuedAt: now }
          : { ...w, enqueuedAt: now, requiredSkills: w.requiredSkills.map((r) => ({ ...r, minLevel: 1 })) };
      await this.deps.store.conversations.update(
        w.id,
        { queueId: moved.queueId, enqueuedAt: now, requiredSkills: moved.requiredSkills },
        now,
      );
      await this.deps.store.routingEvents.record({
        type: 'overflowed',
        conversationId: w.id,
        queueId: due.fromQueueId,
        at: now,
        data: { ...due },
      });
      this.board.enqueue(moved);
      await this.apply(once(this.board.routeConversation(w.id, now)));
    }
    await this.apply(this.board.routeAll(now));
  }

  private publishOfferEnded(offer: Offer, reason: OfferEnd): void {
    this.deps.events.publish({ type: 'offer.ended', offer, reason });
  }
}

const once = <T>(d: T | undefined): T[] => (d ? [d] : []);

/** The CRM's value tier and VIP flag raise routing priority. */
export function tierPriority(customer: { valueTier?: string | null; vip?: boolean } | undefined): number {
  const tier = { platinum: 3, gold: 2, silver: 1, bronze: 0 }[customer?.valueTier ?? ''] ?? 0;
  return tier + (customer?.vip ? 2 : 0);
}

function toWaiting(c: Conversation): WaitingConversation {
  return {
    id: c.id,
    queueId: c.queueId!,
    channelKind: c.channelKind,
    priority: c.priority,
    enqueuedAt: c.enqueuedAt ?? c.createdAt,
    requiredSkills: c.requiredSkills ?? [],
    sticky: null,
    refusedBy: c.refusedBy,
  };
}
