// The routing service: keeps the pure RoutingBoard in step with the database, turns its decisions
// into stored offers and assignments, runs the clocks (offer timeouts, overflow, wrap-up, the
// disconnect grace, SLA), answers after hours, and carries out manual control (transfer, priority,
// pick). Every operation runs one at a time (a promise chain), so the board never sees two changes
// interleave; the database's conditional writes decide races with other nodes.
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';
import type { DomainEvent } from '../domain/events.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import { hasRole, type Actor } from '../domain/policy.js';
import { afterHoursReplyText } from '../domain/routing/after-hours.js';
import { RoutingBoard } from '../domain/routing/board.js';
import { nextOpening } from '../domain/routing/business-hours.js';
import type { AgentRouting, Offer, Presence, QueueConfig, RoutingDecision, WaitingConversation } from '../domain/routing/types.js';
import type { Conversation, ConversationStatus, Customer } from '../domain/types.js';
import type { EventBus } from '../event-bus.js';
import { makeSendSystemReply } from '../usecases/send-system-reply.js';
import { ManualControl } from './manual-control.js';
import { SlaClocks } from './sla-clocks.js';
import { once, toWaiting } from './waiting.js';

export interface RoutingOptions {
  /** How long an agent may be disconnected before they are set offline and their offers re-routed. */
  disconnectGraceMs: number;
  /** How often the clocks are checked. */
  tickMs: number;
  isQueueOpen?: (queue: QueueConfig, now: number) => boolean;
  /** Whether the agent has a live socket on any node (the grace period ends only if not). */
  isAgentConnected?: (agentId: string) => Promise<boolean>;
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
  /** When each agent's wrap-up ends (from the stored presence reason), so the clock needs no query. */
  private readonly wrapUpUntil = new Map<string, number>();
  /** Queues open at the last tick, and sticky reservations not yet expired: a full pass runs only when one changes. */
  private readonly openQueues = new Set<string>();
  private stickyDeadlines: number[] = [];
  /** Conversation updates this service published itself (the board already counted them). */
  /** Counted: one conversation can have several own updates published before the first is heard back. */
  private readonly ownUpdates = new Map<string, number>();
  private readonly sla: SlaClocks;
  private readonly sendSystemReply: ReturnType<typeof makeSendSystemReply>;
  private readonly manual: ManualControl;

  constructor(
    private readonly deps: { store: Store; events: EventBus; log: Logger; now: () => number },
    private readonly options: RoutingOptions = DEFAULT_ROUTING_OPTIONS,
  ) {
    this.board = new RoutingBoard({ isQueueOpen: options.isQueueOpen });
    this.sla = new SlaClocks(deps);
    this.sendSystemReply = makeSendSystemReply(deps);
    this.manual = new ManualControl({
      store: deps.store,
      events: deps.events,
      now: deps.now,
      board: this.board,
      sla: this.sla,
      apply: (decisions) => this.apply(decisions),
      publishOwn: (conversation, previous) => this.publishOwn(conversation, previous),
      publishOfferEnded: (offer, reason) => this.publishOfferEnded(offer, reason),
      reloadAgent: (agentId) => this.reloadAgent(agentId),
      replyAfterHours: (c, queue, customer, now) => this.replyAfterHours(c, queue, customer, now),
    });
  }

  // ---- life cycle ---------------------------------------------------------------------------

  /** Loads queues, agents, waiting conversations and live offers, then routes what can be routed. */
  async start(): Promise<void> {
    // Listening first: what happens while the board loads queues behind the load, and is not missed.
    this.unsubscribe = this.deps.events.subscribe((e) => this.onEvent(e));
    await this.serial(async () => {
      const { store } = this.deps;
      for (const q of await store.queues.list()) this.board.setQueue(q);
      const loads = await store.agentRouting.loadByAgent();
      for (const a of await store.agentRouting.list()) {
        this.board.setAgent({ ...a, load: loads.get(a.id) ?? { voice: 0, chat: 0, messaging: 0, email: 0 } });
        this.noteWrapUp(a.id, a.presence, a.presenceReason);
      }
      for (const c of await store.conversations.list({ status: ['open', 'pending'], assigneeId: null, queued: true }, 100_000)) {
        this.board.enqueue(toWaiting(c));
      }
      // Live offers survive a restart: their timers resume from the stored expiry; so do SLA clocks.
      for (const o of await store.offers.listAll()) this.board.restoreOffer(o);
      // Conversations that arrived while no node was routing (a leader had died, or this node was
      // killed before it queued them) queue now, through their channel account's queue.
      for (const account of (await store.channelAccounts.list()).filter((a) => a.queueId)) {
        const filter = {
          status: ['open', 'pending'] as ConversationStatus[],
          assigneeId: null,
          queued: false,
          channelAccountId: account.id,
        };
        for (const c of await store.conversations.list(filter, 100_000)) await this.enqueue(c, this.deps.now());
      }
      await this.sla.load(new Map(this.board.allQueues().map((q) => [q.id, q])));
      await this.apply(this.board.routeAll(this.deps.now()));
      // Agents left signed in by a node that stopped (or by this one before a restart) get the grace
      // period to reconnect; whoever does not is set offline and their offers move on.
      const connected = this.options.isAgentConnected;
      if (connected) {
        for (const a of this.board.allAgents()) if (a.presence !== 'offline' && !(await connected(a.id))) this.agentDisconnected(a.id);
      }
    });
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
        if (!agent || agent.presence === 'offline' || this.stopped) return;
        // Signed in on another node meanwhile: nothing to do.
        if (await this.options.isAgentConnected?.(agentId).catch(() => false)) return;
        await this.changePresence(agentId, 'offline', 'disconnected');
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

  // ---- manual control (manual-control.ts) ----------------------------------------------------

  /** Hands a conversation to another agent, with an optional private note (agents: their own; supervisors: any). */
  transferToAgent(conversationId: string, toAgentId: string, actor: Actor, note?: string): Promise<Conversation> {
    return this.serial(() => this.manual.transferToAgent(conversationId, toAgentId, actor, note));
  }

  /** Sends a conversation back to waiting in `queueId`: unassigned, offered afresh, not to the agent who held it. */
  transferToQueue(conversationId: string, queueId: string, actor: Actor, note?: string): Promise<Conversation> {
    return this.serial(() => this.manual.transferToQueue(conversationId, queueId, actor, note));
  }

  /** A supervisor sets a conversation's priority (-10…10): a waiting one moves in line at once. */
  setPriority(conversationId: string, priority: number, actor: Actor): Promise<Conversation> {
    return this.serial(() => this.manual.setPriority(conversationId, priority, actor));
  }

  /** Takes a waiting conversation (agents: from a queue they work, with room for it; supervisors: any). */
  pick(conversationId: string, actor: Actor): Promise<Conversation> {
    return this.serial(() => this.manual.pick(conversationId, actor));
  }

  /**
   * Puts a conversation that waits outside routing (a call in the IVR) into a queue, with `priority`
   * added to its own (the customer's tier is added as for any arrival). Already waiting or assigned: unchanged.
   */
  enqueueInto(conversationId: string, queueId: string, priority: number): Promise<Conversation | undefined> {
    return this.serial(async () => {
      const { store } = this.deps;
      const c = await store.conversations.findById(conversationId);
      if (!c || c.status === 'resolved' || c.assigneeId || this.board.conversation(c.id)) return c;
      const now = this.deps.now();
      const updated = await store.transaction(async (tx) => {
        // Remembered, so leaving the queue (leaveQueue) takes off exactly this.
        if (priority !== 0) await tx.customerValue.addQueuePriority(c.id, priority);
        return (await tx.conversations.update(c.id, { queueId, priority: c.priority + priority }, now))!;
      });
      await this.enqueue(updated, now);
      return store.conversations.findById(c.id);
    });
  }

  /**
   * Takes a waiting conversation out of its queue without resolving it: a caller who waited as long as
   * the IVR allows goes on in the flow (a callback, a voicemail). The queue counts it abandoned (it did
   * not answer). The priority its arrival added (its IVR node's, the customer's tier) comes off again,
   * so a later queue adds them afresh. Assigned meanwhile (an agent was quicker): returned unchanged.
   */
  leaveQueue(conversationId: string): Promise<Conversation | undefined> {
    return this.serial(async () => {
      const { store } = this.deps;
      const c = await store.conversations.findById(conversationId);
      const waiting = c && this.board.conversation(c.id);
      if (!c || !waiting || c.status === 'resolved' || c.assigneeId) return c;
      const now = this.deps.now();
      const freed = await this.withdraw(c.id);
      this.sla.drop(c.id);
      const updated = await store.transaction(async (tx) => {
        const shares = await tx.customerValue.priorityShares(c.id);
        await tx.customerValue.clearPriorityShares(c.id);
        return (await tx.conversations.update(c.id, { enqueuedAt: null, priority: c.priority - shares.queue - shares.tier }, now))!;
      });
      this.publishOwn(updated, c);
      const waitedMs = Math.max(0, now - waiting.enqueuedAt);
      await store.routingEvents.record({ type: 'abandoned', conversationId: c.id, queueId: c.queueId, at: now, data: { waitedMs } });
      if (freed) await this.apply(this.board.routeAgent(freed, now));
      return updated;
    });
  }

  /**
   * The agent took a call and did not pick up (their softphone and phone rang out): the call waits again,
   * in its place (its time in the queue counts on), for any agent but them, and they are set away
   * ("missed a call") so the next caller does not ring them too. Counted as a timed-out offer of theirs.
   * Answered, reassigned or resolved meanwhile: unchanged.
   */
  returnUnanswered(conversationId: string, agentId: string): Promise<Conversation | undefined> {
    return this.serial(async () => {
      const { store } = this.deps;
      const c = await store.conversations.findById(conversationId);
      const queue = c?.queueId ? await store.queues.findById(c.queueId) : undefined;
      if (!c || !queue || c.status === 'resolved' || c.assigneeId !== agentId) return c;
      const now = this.deps.now();
      const refusedBy = [...new Set([...c.refusedBy, agentId])];
      const updated = await store.transaction(async (tx) => {
        if (!(await tx.conversations.updateIfHeldBy(c.id, agentId, { assigneeId: null, refusedBy }, now))) return undefined;
        await tx.routingEvents.record({
          type: 'timed_out',
          conversationId: c.id,
          queueId: queue.id,
          agentId,
          at: now,
          data: { reason: 'no_answer' },
        });
        return tx.conversations.findById(c.id);
      });
      if (!updated) return store.conversations.findById(c.id);
      this.board.release(agentId, c.channelKind);
      this.board.enqueue(toWaiting(updated));
      this.sla.track(updated, queue, now);
      this.publishOwn(updated, c);
      await this.changePresence(agentId, 'away', 'missed a call');
      await this.apply(once(this.board.routeConversation(c.id, now)));
      return updated;
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
    else if (e.type === 'customer.updated' && e.conversationIds.length)
      void this.serial(() => this.retier(e.customerId, e.conversationIds));
    else if (e.type === 'message.created') {
      // An agent's first reply stops the first-response clock (checked cheaply: most messages are inbound).
      const at = e.conversation.firstResponseAt;
      if (at !== null && e.message.direction === 'outbound' && !e.message.private && this.sla.awaitsFirstResponse(e.conversation.id)) {
        void this.serial(() => this.sla.firstResponded(e.conversation.id, at));
      }
    }
  }

  /** Keeps the board in step with conversations: new and reopened ones queue, assigned and resolved ones leave. */
  private async onConversation(c: Conversation, previous: Conversation | undefined): Promise<void> {
    // Heard while the board was loading, which already found it.
    if (!previous && this.board.conversation(c.id)) return;
    if (c.status === 'resolved') this.sla.drop(c.id);
    const own = this.ownUpdates.get(c.id);
    if (own !== undefined) {
      if (own > 1) this.ownUpdates.set(c.id, own - 1);
      else this.ownUpdates.delete(c.id);
      return;
    }
    const now = this.deps.now();
    const wasAssignedTo = previous?.assigneeId ?? null;
    // Capacity follows the assignee (manual assign, transfer, resolve).
    if (previous && wasAssignedTo && (wasAssignedTo !== c.assigneeId || (c.status === 'resolved' && previous.status !== 'resolved'))) {
      this.board.release(wasAssignedTo, c.channelKind);
      if (c.status === 'resolved') await this.recordResolved(c, wasAssignedTo, now);
      if (c.status === 'resolved') await this.startWrapUp(wasAssignedTo, c, now);
      await this.apply(this.board.routeAgent(wasAssignedTo, now));
    }
    if (previous && c.assigneeId && c.assigneeId !== wasAssignedTo && c.status !== 'resolved') {
      const freed = this.board.conversation(c.id) ? await this.withdraw(c.id) : undefined;
      this.board.occupy(c.assigneeId, c.channelKind);
      if (freed) await this.apply(this.board.routeAgent(freed, now));
    }
    if (c.status === 'resolved' && this.board.conversation(c.id)) {
      const freed = await this.withdraw(c.id);
      await this.deps.store.routingEvents.record({ type: 'abandoned', conversationId: c.id, queueId: c.queueId, at: now });
      if (freed) await this.apply(this.board.routeAgent(freed, now));
      return;
    }
    const arrives = !previous || (previous.status === 'resolved' && c.status !== 'resolved');
    if (arrives && !c.assigneeId && c.status !== 'resolved') await this.enqueue(c, now);
  }

  /**
   * A customer's tier or VIP flag may have changed (the CRM rescored them, a supervisor set it): their
   * waiting conversations move in line by the difference from the tier share they were queued with.
   */
  private async retier(customerId: string, conversationIds: string[]): Promise<void> {
    const waiting = conversationIds.filter((id) => this.board.conversation(id));
    if (waiting.length === 0) return;
    const { store } = this.deps;
    const customer = await store.customers.findById(customerId);
    if (!customer || customer.mergedInto) return;
    const bonus = tierPriority(customer);
    const applied = await store.customerValue.tierPriorities(waiting);
    for (const id of waiting) {
      const before = applied.get(id) ?? 0;
      if (before === bonus) continue;
      const now = this.deps.now();
      const moved = await store.transaction(async (tx) => {
        const previous = await tx.conversations.findById(id);
        if (!previous || previous.customerId !== customerId || previous.assigneeId || previous.status === 'resolved') return undefined;
        const updated = (await tx.conversations.update(id, { priority: previous.priority - before + bonus }, now))!;
        await tx.customerValue.setTierPriority(id, bonus);
        return { previous, updated };
      });
      if (!moved) continue;
      this.board.reprioritize(id, moved.updated.priority);
      this.publishOwn(moved.updated, moved.previous);
    }
  }

  /** Stored with its handle time (from the routing assignment), so statistics survive a restart or a new leader. */
  private async recordResolved(c: Conversation, agentId: string, now: number): Promise<void> {
    const queueId = c.queueId;
    if (!queueId) return;
    const { routingEvents } = this.deps.store;
    const at = c.resolvedAt ?? now;
    const starts = [await routingEvents.latestOf(c.id, 'accepted'), await routingEvents.latestOf(c.id, 'assigned')];
    const assignedAt = Math.max(...starts.map((e) => (e && e.agentId === agentId ? e.at : -Infinity)));
    const data = Number.isFinite(assignedAt) ? { handleMs: Math.max(0, at - assignedAt) } : {};
    await routingEvents.record({ type: 'resolved', conversationId: c.id, queueId, agentId, at, data });
  }

  private async enqueue(c: Conversation, now: number): Promise<void> {
    const { store } = this.deps;
    const account = await store.channelAccounts.findById(c.channelAccountId);
    const queueId = c.queueId ?? account?.queueId ?? null;
    const queue = queueId ? await store.queues.findById(queueId) : undefined;
    if (!queue) return; // no queue: the conversation stays in the shared inbox, as before routing
    const customer = await store.customers.findById(c.customerId);
    // The first arrival folds the customer's tier into the stored priority; a reopened one has it already.
    const firstArrival = c.enqueuedAt === null;
    const bonus = tierPriority(customer);
    const priority = firstArrival ? c.priority + bonus : c.priority;
    const sticky = queue.stickyMs > 0 ? await store.conversations.lastAssigneeOf(c.customerId, c.id) : null;
    // SLA clocks run from the conversation's creation, or from its reopening.
    const sla = this.sla.dueTimes(c, queue, priority, firstArrival ? c.createdAt : now);
    const updated = (await store.conversations.update(
      c.id,
      { queueId: queue.id, enqueuedAt: now, priority, requiredSkills: queue.requiredSkills, refusedBy: [], ...sla },
      now,
    ))!;
    // Remembered, so a later tier change moves it by the difference (retier).
    if (firstArrival && bonus !== 0) await store.customerValue.setTierPriority(c.id, bonus);
    // Agents of the queue hear that it waits there (its queue room), before any offer.
    this.publishOwn(updated, c);
    this.board.enqueue({ ...toWaiting(updated), sticky: sticky ? { agentId: sticky, until: now + queue.stickyMs } : null });
    if (sticky) this.stickyDeadlines.push(now + queue.stickyMs);
    this.sla.track(updated, queue, now);
    await store.routingEvents.record({ type: 'enqueued', conversationId: c.id, queueId: queue.id, at: now });
    await this.apply(once(this.board.routeConversation(c.id, now)));
    await this.replyAfterHours(updated, queue, customer, now);
  }

  /**
   * A closed queue with an auto-reply answers once per closed period: the customer's language, the
   * next opening in the queue's time zone, sent through the outbox. The routing event that marks it
   * commits with the message, so neither a reopening nor a transfer back repeats it.
   */
  private async replyAfterHours(c: Conversation, queue: QueueConfig, customer: Customer | undefined, now: number): Promise<void> {
    if (queue.afterHours.action !== 'auto_reply' || (this.options.isQueueOpen?.(queue, now) ?? true)) return;
    const opensAt = nextOpening(queue.businessHours, now);
    const text = afterHoursReplyText(queue.afterHours.message, customer?.locale ?? null, opensAt, queue.businessHours?.timeZone ?? 'UTC');
    if (!text) return;
    try {
      await this.sendSystemReply({
        conversationId: c.id,
        text,
        guard: async (tx, _c, at) => {
          // An out-of-office or a bounce is never answered automatically (two auto-responders would loop).
          const [latest] = await tx.messages.listRecent(c.id, at, 1);
          if (latest?.meta?.autoReply || latest?.meta?.bounce) return false;
          const last = await tx.routingEvents.latestOf(c.id, 'auto_replied');
          if (last && last.data.opensAt === opensAt) return false;
          await tx.routingEvents.record({ type: 'auto_replied', conversationId: c.id, queueId: queue.id, at, data: { opensAt } });
          return true;
        },
      });
    } catch (err) {
      // The conversation waits either way; a failed courtesy reply must not stop routing.
      this.deps.log.error({ err, conversationId: c.id }, 'after-hours reply failed');
    }
  }

  private async apply(decisions: RoutingDecision[]): Promise<void> {
    const { store } = this.deps;
    for (const d of decisions) {
      const now = this.deps.now();
      const kind = d.type === 'assign' ? undefined : this.board.conversation(d.conversationId)?.channelKind;
      if (d.type === 'assign') {
        if (!(await this.assign(d.conversationId, d.agentId, d.queueId, now, 'assigned').catch(conflictAsUndefined))) {
          await this.resync(d.conversationId, d.agentId);
          continue;
        }
        await store.agentRouting.setIdleSince(d.agentId, now);
        continue;
      }
      const offer = this.board.offer(d.conversationId)!;
      // The capacity fence and the one-offer-per-conversation key decide against anything this board
      // could not see (a deposed leader still finishing its last step).
      const placed = await store.transaction(
        async (tx) => (await tx.agentRouting.lockAndHasRoom(d.agentId, kind!)) && (await tx.offers.create(offer)),
      );
      if (!placed) {
        // Someone else offered it first, or the agent is fuller than this board knew: step back
        // without blaming the agent, and take the agent's load from the database.
        this.board.refuse(d.conversationId, d.agentId);
        await this.reloadAgent(d.agentId);
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
    // Accepting turns the agent's offer (already counted against capacity) into the assignment; a
    // direct assignment (auto-accept) passes the capacity fence first.
    const assigned =
      previous &&
      (await store.transaction(
        async (tx) =>
          (how === 'accepted' || (await tx.agentRouting.lockAndHasRoom(agentId, previous.channelKind))) &&
          (await tx.conversations.assignIfUnassigned(conversationId, agentId, now)),
      ));
    if (!assigned) {
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
    this.publishOwn(conversation, previous);
    return conversation;
  }

  /**
   * A direct assignment the database refused (taken elsewhere, or the agent was full): the board takes
   * the agent's load from the database, and the conversation waits again if it is still unassigned.
   */
  private async resync(conversationId: string, agentId: string): Promise<void> {
    await this.reloadAgent(agentId);
    const c = await this.deps.store.conversations.findById(conversationId);
    if (c && !c.assigneeId && c.status !== 'resolved' && c.enqueuedAt !== null) {
      this.board.enqueue(toWaiting(c));
      await this.apply(once(this.board.routeConversation(c.id, this.deps.now())));
    }
  }

  /** Published for sockets and stats; this service skips its own updates (the board counted them). */
  private publishOwn(conversation: Conversation, previous: Conversation): void {
    this.ownUpdates.set(conversation.id, (this.ownUpdates.get(conversation.id) ?? 0) + 1);
    this.deps.events.publish({ type: 'conversation.updated', conversation, previous });
  }

  private async refuse(offer: Offer, reason: 'declined' | 'timed_out' | 'withdrawn'): Promise<void> {
    const { store } = this.deps;
    if (!(await store.offers.claim(offer.conversationId, offer.agentId))) return; // someone else acted first
    const now = this.deps.now();
    this.board.refuse(offer.conversationId, offer.agentId);
    const w = this.board.conversation(offer.conversationId);
    if (w) await store.conversations.update(offer.conversationId, { refusedBy: w.refusedBy }, now);
    if (reason !== 'withdrawn') {
      await store.routingEvents.record({
        type: reason,
        conversationId: offer.conversationId,
        queueId: offer.queueId,
        agentId: offer.agentId,
        at: now,
      });
    }
    // Announced once recorded, so whoever hears it finds the history that goes with it.
    this.publishOfferEnded(offer, reason);
    if (reason !== 'withdrawn') {
      const misses = await store.agentRouting.recordMiss(offer.agentId);
      const queue = this.board.agent(offer.agentId) && (await store.queues.findById(offer.queueId));
      if (queue && queue.maxMisses > 0 && misses >= queue.maxMisses) await this.changePresence(offer.agentId, 'away', 'missed offers');
    }
    await this.apply(once(this.board.routeConversation(offer.conversationId, now)));
    await this.apply(this.board.routeAgent(offer.agentId, now));
  }

  /** Takes a conversation out of routing (assigned by hand, resolved), withdrawing a live offer. */
  /** Returns the agent whose offer was withdrawn: they are free again and the caller routes them. */
  private async withdraw(conversationId: string): Promise<string | undefined> {
    const offer = this.board.offer(conversationId);
    if (offer && (await this.deps.store.offers.claim(conversationId, offer.agentId))) this.publishOfferEnded(offer, 'withdrawn');
    this.board.dequeue(conversationId);
    return offer?.agentId;
  }

  private noteWrapUp(agentId: string, presence: Presence, reason: string | null): void {
    const until = presence === 'wrap_up' && reason?.startsWith('until:') ? Number(reason.slice(6)) : NaN;
    if (Number.isFinite(until)) this.wrapUpUntil.set(agentId, until);
    else this.wrapUpUntil.delete(agentId);
  }

  private async changePresence(agentId: string, presence: Presence, reason: string | null): Promise<AgentRouting> {
    const { store } = this.deps;
    const now = this.deps.now();
    this.noteWrapUp(agentId, presence, reason);
    await store.agentRouting.ensure(agentId, now);
    await store.agentRouting.setPresence(agentId, presence, reason, now);
    if (presence === 'available') await store.agentRouting.resetMisses(agentId);
    const agent = await this.reloadAgent(agentId);
    if (presence !== 'available') {
      for (const o of [...this.board.allOffers()].filter((o) => o.agentId === agentId)) await this.refuse(o, 'withdrawn');
    }
    // Announced once their offers are withdrawn, so whoever hears it sees the state that follows.
    this.deps.events.publish({ type: 'presence.changed', agentId, presence, reason, since: now });
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
    for (const [agentId, until] of [...this.wrapUpUntil]) {
      if (until <= now) await this.changePresence(agentId, 'available', null);
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
      this.sla.moved(w.id, moved.queueId);
      await this.apply(once(this.board.routeConversation(w.id, now)));
    }
    // A full pass only when something that held conversations back has changed: a queue opened
    // (business hours) or a sticky reservation ran out. Everything else routes on its own event.
    let opened = false;
    for (const queue of this.board.allQueues()) {
      const open = this.options.isQueueOpen?.(queue, now) ?? true;
      if (open && !this.openQueues.has(queue.id)) opened = true;
      if (open) this.openQueues.add(queue.id);
      else this.openQueues.delete(queue.id);
    }
    const stickyEnded = this.stickyDeadlines.some((t) => t <= now);
    if (stickyEnded) this.stickyDeadlines = this.stickyDeadlines.filter((t) => t > now);
    if (opened || stickyEnded) await this.apply(this.board.routeAll(now));
    await this.sla.tick(now);
  }

  private publishOfferEnded(offer: Offer, reason: OfferEnd): void {
    this.deps.events.publish({ type: 'offer.ended', offer, reason });
  }
}

const conflictAsUndefined = (err: unknown): undefined => {
  if (err instanceof AppError && err.code === 'CONFLICT') return undefined;
  throw err;
};

/** The CRM's value tier and VIP flag raise routing priority. */
export function tierPriority(customer: { valueTier?: string | null; vip?: boolean } | undefined): number {
  const tier = { platinum: 3, gold: 2, silver: 1, bronze: 0 }[customer?.valueTier ?? ''] ?? 0;
  return tier + (customer?.vip ? 2 : 0);
}
