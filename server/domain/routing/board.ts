// The routing board: queues, agents, waiting conversations and live offers held in memory, with the
// indexes that keep each decision cheap (10,000 waiting, 1,000 agents). Deterministic given its
// inputs and the clock passed in; no I/O. The routing service persists what it decides.
import { compareWaiting, effectivePriority, isEligible, pickAgent, reservedFor, staticKey } from './rank.js';
import type { AgentRouting, Offer, QueueConfig, RoutingDecision, WaitingConversation } from './types.js';
import { CAPACITY_CLASSES, capacityClassOf } from './types.js';

export interface BoardOptions {
  /** Whether a queue routes now (business hours). Defaults to always. */
  isQueueOpen?: (queue: QueueConfig, now: number) => boolean;
}

export type OverflowDue = { conversationId: string; fromQueueId: string } & ({ action: 'move'; toQueueId: string } | { action: 'widen' });

export class RoutingBoard {
  private readonly queues = new Map<string, QueueConfig>();
  private readonly agents = new Map<string, AgentRouting>();
  private readonly waiting = new Map<string, WaitingConversation>();
  /** Per queue, the conversations that can be offered now (not under offer), in serving order. */
  private readonly routable = new Map<string, WaitingConversation[]>();
  private readonly offers = new Map<string, Offer>();
  /** Agents with an offer awaiting their answer: one offer at a time, so nobody faces a pile of pop-ups. */
  private readonly offering = new Set<string>();
  /** Agents who are available, have no offer pending and have room in a capacity class; overall and per queue. */
  private readonly free = new Set<string>();
  private readonly freeByQueue = new Map<string, Set<string>>();
  private readonly isOpen: (queue: QueueConfig, now: number) => boolean;

  constructor(options: BoardOptions = {}) {
    this.isOpen = options.isQueueOpen ?? (() => true);
  }

  // ---- state --------------------------------------------------------------------------------

  setQueue(queue: QueueConfig): void {
    this.queues.set(queue.id, queue);
    const list = this.routable.get(queue.id) ?? [];
    list.sort((a, b) => this.order(a, b, queue));
    this.routable.set(queue.id, list);
  }

  setAgent(agent: AgentRouting): void {
    this.unindexFree(agent.id);
    this.agents.set(agent.id, { ...agent, load: { ...agent.load }, queueIds: [...agent.queueIds] });
    this.refreshFree(agent.id);
  }

  removeAgent(agentId: string): void {
    this.unindexFree(agentId);
    this.agents.delete(agentId);
  }

  enqueue(w: WaitingConversation): void {
    this.dequeue(w.id);
    const copy = { ...w, refusedBy: [...w.refusedBy] };
    this.waiting.set(w.id, copy);
    this.insertRoutable(copy);
  }

  /** The conversation leaves routing (assigned, resolved, abandoned); its offer, if any, is dropped. */
  dequeue(conversationId: string): void {
    const w = this.waiting.get(conversationId);
    if (!w) return;
    this.waiting.delete(conversationId);
    this.removeRoutable(w);
    const offer = this.offers.get(conversationId);
    if (offer) this.dropOffer(offer, w);
  }

  /** Restores a live offer (after a restart): the agent's load counts it, and it is not routable. */
  restoreOffer(offer: Offer): void {
    const w = this.waiting.get(offer.conversationId);
    if (!w) return;
    this.offers.set(offer.conversationId, offer);
    this.offering.add(offer.agentId);
    this.refreshFree(offer.agentId);
    this.removeRoutable(w);
  }

  /** A waiting conversation's own priority changed (by a supervisor): it moves in line; a live offer stays. */
  reprioritize(conversationId: string, priority: number): boolean {
    const w = this.waiting.get(conversationId);
    if (!w) return false;
    const routable = !this.offers.has(conversationId);
    if (routable) this.removeRoutable(w);
    w.priority = priority;
    if (routable) this.insertRoutable(w);
    return true;
  }

  /** The agent accepted: the conversation is theirs (the capacity the offer held stays taken). */
  accept(conversationId: string, agentId: string): boolean {
    const offer = this.offers.get(conversationId);
    if (!offer || offer.agentId !== agentId) return false;
    this.offers.delete(conversationId);
    this.offering.delete(agentId);
    this.refreshFree(agentId);
    const w = this.waiting.get(conversationId);
    if (w) {
      this.waiting.delete(conversationId);
      this.removeRoutable(w);
    }
    return true;
  }

  /** Declined or timed out: the capacity returns, and this agent is not offered it again. */
  refuse(conversationId: string, agentId: string): boolean {
    const offer = this.offers.get(conversationId);
    const w = this.waiting.get(conversationId);
    if (!offer || offer.agentId !== agentId || !w) return false;
    this.dropOffer(offer, w);
    w.refusedBy.push(agentId);
    this.insertRoutable(w);
    return true;
  }

  /** An assigned conversation ended or moved away: the agent's capacity for it returns. */
  release(agentId: string, channelKind: WaitingConversation['channelKind']): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    const cls = capacityClassOf(channelKind);
    agent.load[cls] = Math.max(0, agent.load[cls] - 1);
    this.refreshFree(agentId);
  }

  /** A conversation assigned without an offer (manual assign, transfer, pick): it takes capacity. */
  occupy(agentId: string, channelKind: WaitingConversation['channelKind']): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    agent.load[capacityClassOf(channelKind)] += 1;
    this.refreshFree(agentId);
  }

  // ---- decisions ----------------------------------------------------------------------------

  /** Routes one newly waiting conversation, if an agent can take it now. */
  routeConversation(conversationId: string, now: number): RoutingDecision | undefined {
    const w = this.waiting.get(conversationId);
    if (!w || this.offers.has(conversationId)) return undefined;
    const queue = this.queues.get(w.queueId);
    if (!queue || !this.isOpen(queue, now)) return undefined;
    const agent = this.bestAgentFor(w, queue, now);
    return agent && this.decide(w, queue, agent, now);
  }

  /**
   * Gives a free agent the best conversations they may take: one offer (then they are not free until
   * they answer it), or, in auto-accept queues, assignments up to their capacity.
   */
  routeAgent(agentId: string, now: number): RoutingDecision[] {
    const decisions: RoutingDecision[] = [];
    // What an agent could not take earlier in this call stays out of reach (their skills, refusals and
    // reservations do not change, and their room only shrinks), so each queue is scanned once.
    const cursors = new Map<string, number>();
    for (;;) {
      const agent = this.agents.get(agentId);
      if (!agent || !this.free.has(agentId)) return decisions;
      const next = this.bestConversationFor(agent, now, cursors);
      if (!next) return decisions;
      decisions.push(this.decide(next.w, next.queue, agent, now));
    }
  }

  /** A full pass (start-up, clock ticks): serves waiting conversations in order while agents are free. */
  routeAll(now: number): RoutingDecision[] {
    const decisions: RoutingDecision[] = [];
    if (this.free.size === 0) return decisions;
    const candidates: { w: WaitingConversation; queue: QueueConfig; p: number }[] = [];
    for (const [queueId, list] of this.routable) {
      const queue = this.queues.get(queueId);
      if (!queue || !this.isOpen(queue, now)) continue;
      for (const w of list) candidates.push({ w, queue, p: effectivePriority(w, queue, now) });
    }
    candidates.sort((a, b) => compareWaiting(a.w, a.p, b.w, b.p));
    for (const { w, queue } of candidates) {
      if (this.free.size === 0) break;
      const agent = this.bestAgentFor(w, queue, now);
      if (agent) decisions.push(this.decide(w, queue, agent, now));
    }
    return decisions;
  }

  /** Offers whose accept timeout has passed. */
  expiredOffers(now: number): Offer[] {
    return [...this.offers.values()].filter((o) => o.expiresAt <= now);
  }

  /** Conversations that have waited past their queue's overflow time (not while under offer). */
  dueOverflows(now: number): OverflowDue[] {
    const due: OverflowDue[] = [];
    for (const w of this.waiting.values()) {
      const queue = this.queues.get(w.queueId);
      if (!queue?.overflow || this.offers.has(w.id) || now - w.enqueuedAt < queue.overflow.afterMs) continue;
      const target = queue.overflow.toQueueId;
      if (target && target !== queue.id && this.queues.has(target)) {
        due.push({ conversationId: w.id, fromQueueId: queue.id, action: 'move', toQueueId: target });
      } else if (!target && w.requiredSkills.some((r) => r.minLevel > 1)) {
        due.push({ conversationId: w.id, fromQueueId: queue.id, action: 'widen' });
      }
    }
    return due;
  }

  /** The earliest moment the board's decisions could change without a new event. */
  nextDeadline(now: number): number | undefined {
    let next: number | undefined;
    const consider = (t: number) => {
      if (t > now && (next === undefined || t < next)) next = t;
    };
    for (const o of this.offers.values()) consider(o.expiresAt);
    for (const w of this.waiting.values()) {
      const queue = this.queues.get(w.queueId);
      if (queue?.overflow) consider(w.enqueuedAt + queue.overflow.afterMs);
      if (w.sticky) consider(w.sticky.until);
    }
    return next;
  }

  // ---- reads (stats, tests) -------------------------------------------------------------------

  agent(agentId: string): Readonly<AgentRouting> | undefined {
    return this.agents.get(agentId);
  }

  conversation(conversationId: string): Readonly<WaitingConversation> | undefined {
    return this.waiting.get(conversationId);
  }

  offer(conversationId: string): Readonly<Offer> | undefined {
    return this.offers.get(conversationId);
  }

  allQueues(): QueueConfig[] {
    return [...this.queues.values()];
  }

  allAgents(): Iterable<Readonly<AgentRouting>> {
    return this.agents.values();
  }

  allWaiting(): Iterable<Readonly<WaitingConversation>> {
    return this.waiting.values();
  }

  allOffers(): Iterable<Readonly<Offer>> {
    return this.offers.values();
  }

  // ---- internals ------------------------------------------------------------------------------

  private order(a: WaitingConversation, b: WaitingConversation, queue: QueueConfig): number {
    return compareWaiting(a, staticKey(a, queue), b, staticKey(b, queue));
  }

  private insertRoutable(w: WaitingConversation): void {
    const queue = this.queues.get(w.queueId);
    let list = this.routable.get(w.queueId);
    if (!list) this.routable.set(w.queueId, (list = []));
    if (!queue) {
      list.push(w); // sorted when the queue arrives
      return;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order(list[mid]!, w, queue) <= 0) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, w);
  }

  private removeRoutable(w: WaitingConversation): void {
    const list = this.routable.get(w.queueId);
    const i = list ? list.indexOf(w) : -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  private dropOffer(offer: Offer, w: WaitingConversation): void {
    this.offers.delete(offer.conversationId);
    this.offering.delete(offer.agentId);
    const agent = this.agents.get(offer.agentId);
    if (agent) {
      const cls = capacityClassOf(w.channelKind);
      agent.load[cls] = Math.max(0, agent.load[cls] - 1);
      this.refreshFree(agent.id);
    }
  }

  private refreshFree(agentId: string): void {
    const a = this.agents.get(agentId);
    if (!a) return;
    if (a.presence === 'available' && !this.offering.has(agentId) && CAPACITY_CLASSES.some((c) => a.load[c] < a.capacity[c])) {
      if (this.free.has(agentId)) return;
      this.free.add(agentId);
      for (const q of a.queueIds) {
        let set = this.freeByQueue.get(q);
        if (!set) this.freeByQueue.set(q, (set = new Set()));
        set.add(agentId);
      }
    } else {
      this.unindexFree(agentId);
    }
  }

  private unindexFree(agentId: string): void {
    if (!this.free.delete(agentId)) return;
    for (const q of this.agents.get(agentId)?.queueIds ?? []) this.freeByQueue.get(q)?.delete(agentId);
  }

  private bestAgentFor(w: WaitingConversation, queue: QueueConfig, now: number): AgentRouting | undefined {
    const reserved = reservedFor(w, this.agents, now);
    if (reserved) {
      const agent = this.agents.get(reserved)!;
      return this.free.has(reserved) && isEligible(agent, w) ? agent : undefined;
    }
    const candidates: AgentRouting[] = [];
    for (const id of this.freeByQueue.get(w.queueId) ?? []) {
      const agent = this.agents.get(id)!;
      if (isEligible(agent, w)) candidates.push(agent);
    }
    return pickAgent(queue.strategy, w, candidates);
  }

  private bestConversationFor(
    agent: AgentRouting,
    now: number,
    cursors: Map<string, number>,
  ): { w: WaitingConversation; queue: QueueConfig } | undefined {
    let best: { w: WaitingConversation; queue: QueueConfig; p: number } | undefined;
    for (const queueId of agent.queueIds) {
      const queue = this.queues.get(queueId);
      const list = this.routable.get(queueId);
      if (!queue || !list || !this.isOpen(queue, now)) continue;
      // The first conversation in serving order that this agent may take is this queue's candidate.
      let i = cursors.get(queueId) ?? 0;
      for (; i < list.length; i++) {
        const w = list[i]!;
        if (!isEligible(agent, w)) continue;
        const reserved = reservedFor(w, this.agents, now);
        if (reserved && reserved !== agent.id) continue;
        const p = effectivePriority(w, queue, now);
        if (!best || compareWaiting(w, p, best.w, best.p) < 0) best = { w, queue, p };
        break;
      }
      cursors.set(queueId, i);
    }
    return best;
  }

  private decide(w: WaitingConversation, queue: QueueConfig, agent: AgentRouting, now: number): RoutingDecision {
    agent.load[capacityClassOf(w.channelKind)] += 1;
    agent.lastOfferAt = now;
    this.refreshFree(agent.id);
    this.removeRoutable(w);
    if (queue.autoAccept) {
      this.waiting.delete(w.id);
      return { type: 'assign', conversationId: w.id, agentId: agent.id, queueId: queue.id };
    }
    const offer: Offer = {
      conversationId: w.id,
      agentId: agent.id,
      queueId: queue.id,
      offeredAt: now,
      expiresAt: now + queue.offerTimeoutMs,
    };
    this.offers.set(w.id, offer);
    this.offering.add(agent.id);
    this.refreshFree(agent.id);
    return { type: 'offer', conversationId: w.id, agentId: agent.id, queueId: queue.id, expiresAt: offer.expiresAt };
  }
}
