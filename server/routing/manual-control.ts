// Manual control of routing: transfer to an agent or a queue (with a private note), a supervisor's
// priority change, an agent picking a waiting conversation. Each checks who may do it and what the
// request names before writing anything, writes in one transaction with a conditional update (a
// concurrent change makes it a 409, never a half-done transfer), then brings the board in step.
// The routing service runs these inside its serial chain.
import type { Store, Stores } from '../../db/store.js';
import { AppError, forbidden, invalidField, notFound } from '../domain/errors.js';
import { hasRole, type Actor } from '../domain/policy.js';
import type { RoutingBoard } from '../domain/routing/board.js';
import { hasRoom } from '../domain/routing/rank.js';
import { capacityClassOf, type AgentRouting, type Offer, type QueueConfig, type RoutingDecision } from '../domain/routing/types.js';
import type { Conversation, Customer, Message } from '../domain/types.js';
import type { EventBus } from '../event-bus.js';
import type { SlaClocks } from './sla-clocks.js';
import { once, toWaiting } from './waiting.js';

/** What manual control needs of the routing service (its board and the steps every routing change shares). */
export interface RoutingCore {
  store: Store;
  events: EventBus;
  now: () => number;
  board: RoutingBoard;
  sla: SlaClocks;
  apply(decisions: RoutingDecision[]): Promise<void>;
  /** Publishes a conversation update the board already reflects. */
  publishOwn(conversation: Conversation, previous: Conversation): void;
  publishOfferEnded(offer: Offer, reason: 'withdrawn'): void;
  reloadAgent(agentId: string): Promise<AgentRouting>;
  replyAfterHours(c: Conversation, queue: QueueConfig, customer: Customer | undefined, now: number): Promise<void>;
}

export class ManualControl {
  constructor(private readonly core: RoutingCore) {}

  /**
   * Hands a conversation to another agent (agents: their own; supervisors: any), with an optional
   * private note. A live offer of it is withdrawn; capacity moves from the old holder to the new.
   */
  async transferToAgent(conversationId: string, toAgentId: string, actor: Actor, note?: string): Promise<Conversation> {
    const { store } = this.core;
    const previous = await this.transferable(conversationId, actor);
    if (previous.assigneeId === toAgentId) throw new AppError('CONFLICT', 'the conversation is already with this agent');
    const target = await store.users.findById(toAgentId);
    if (!target?.active) throw invalidField('body.toAgentId', 'is not an active user');
    const now = this.core.now();
    const offer = this.core.board.offer(conversationId);
    const { conversation, noteMessage } = await store.transaction(async (tx) => {
      if (!(await tx.conversations.updateIfHeldBy(conversationId, previous.assigneeId, { assigneeId: toAgentId }, now))) {
        throw changedMeanwhile();
      }
      await tx.offers.delete(conversationId);
      const noteMessage = note ? await insertNote(tx, previous, actor, note, now) : undefined;
      await this.recordTransfer(tx, previous, { agentId: toAgentId }, actor, now);
      return { conversation: (await tx.conversations.findById(conversationId))!, noteMessage };
    });
    this.core.board.dequeue(conversationId); // if it was waiting; drops its offer and the offered agent's hold
    if (previous.assigneeId) this.core.board.release(previous.assigneeId, previous.channelKind);
    this.core.board.occupy(toAgentId, conversation.channelKind);
    this.announce(conversation, previous, offer, noteMessage);
    for (const agentId of new Set([previous.assigneeId, offer?.agentId])) {
      if (agentId) await this.core.apply(this.core.board.routeAgent(agentId, now));
    }
    return conversation;
  }

  /**
   * Sends a conversation back to waiting, in `queueId`: unassigned (its agent's capacity returns),
   * offered afresh but not to the agent who held it. Its SLA due times stay (the customer's wait does
   * not restart); one without them gets the queue's from now.
   */
  async transferToQueue(conversationId: string, queueId: string, actor: Actor, note?: string): Promise<Conversation> {
    const { store } = this.core;
    const previous = await this.transferable(conversationId, actor);
    const queue = await store.queues.findById(queueId);
    if (!queue) throw invalidField('body.toQueueId', 'no such queue');
    if (!queue.channels.includes(previous.channelKind)) {
      throw invalidField('body.toQueueId', `queue "${queue.name}" does not serve ${previous.channelKind} conversations`);
    }
    if (previous.assigneeId === null && previous.queueId === queueId && this.core.board.conversation(conversationId)) {
      throw new AppError('CONFLICT', 'the conversation is already waiting in this queue');
    }
    const now = this.core.now();
    const offer = this.core.board.offer(conversationId);
    const hasSla = previous.firstResponseDueAt !== null || previous.resolutionDueAt !== null;
    const patch = {
      assigneeId: null,
      queueId,
      enqueuedAt: now,
      requiredSkills: queue.requiredSkills,
      refusedBy: previous.assigneeId ? [previous.assigneeId] : [],
      ...(hasSla ? {} : this.core.sla.dueTimes(previous, queue, previous.priority, now)),
    };
    const { conversation, noteMessage } = await store.transaction(async (tx) => {
      if (!(await tx.conversations.updateIfHeldBy(conversationId, previous.assigneeId, patch, now))) throw changedMeanwhile();
      await tx.offers.delete(conversationId);
      const noteMessage = note ? await insertNote(tx, previous, actor, note, now) : undefined;
      await this.recordTransfer(tx, previous, { queueId }, actor, now);
      return { conversation: (await tx.conversations.findById(conversationId))!, noteMessage };
    });
    this.core.board.dequeue(conversationId);
    if (previous.assigneeId) this.core.board.release(previous.assigneeId, previous.channelKind);
    this.core.board.enqueue(toWaiting(conversation));
    this.core.sla.track(conversation, queue, now);
    this.announce(conversation, previous, offer, noteMessage);
    await this.core.apply(once(this.core.board.routeConversation(conversationId, now)));
    for (const agentId of new Set([previous.assigneeId, offer?.agentId])) {
      if (agentId) await this.core.apply(this.core.board.routeAgent(agentId, now));
    }
    const customer = await store.customers.findById(conversation.customerId);
    await this.core.replyAfterHours(conversation, queue, customer, now);
    return conversation;
  }

  /** A supervisor sets a conversation's priority (-10…10): a waiting one moves in line at once. */
  async setPriority(conversationId: string, priority: number, actor: Actor): Promise<Conversation> {
    const { store } = this.core;
    if (!hasRole(actor, 'supervisor')) throw forbidden('only supervisors change priority');
    const previous = await store.conversations.findById(conversationId);
    if (!previous) throw notFound('conversation');
    if (previous.status === 'resolved') throw new AppError('CONFLICT', 'the conversation is resolved; reopen it first');
    const now = this.core.now();
    const conversation = await store.transaction(async (tx) => {
      const updated = (await tx.conversations.update(conversationId, { priority }, now))!;
      await tx.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'conversation.priority',
          targetType: 'conversation',
          targetId: conversationId,
          data: { from: previous.priority, to: priority },
        },
        now,
      );
      return updated;
    });
    this.core.board.reprioritize(conversationId, priority);
    this.core.publishOwn(conversation, previous);
    return conversation;
  }

  /**
   * Takes a waiting conversation: agents from a queue they work, with room for it in its capacity
   * class; supervisors any. A live offer of it to someone else is withdrawn.
   */
  async pick(conversationId: string, actor: Actor): Promise<Conversation> {
    const { store } = this.core;
    const previous = await store.conversations.findById(conversationId);
    if (!previous) throw notFound('conversation');
    if (previous.status === 'resolved') throw new AppError('CONFLICT', 'the conversation is resolved');
    if (previous.assigneeId) throw new AppError('CONFLICT', 'the conversation is already assigned');
    const w = this.core.board.conversation(conversationId);
    if (!w) throw new AppError('CONFLICT', 'the conversation is not waiting in a queue; assign it instead');
    const offer = this.core.board.offer(conversationId);
    const agent = this.core.board.agent(actor.id);
    if (!hasRole(actor, 'supervisor')) {
      if (!agent?.queueIds.includes(w.queueId)) throw forbidden('you may pick only from queues you work in');
      // An offer of it to this agent already holds the room it needs.
      if (offer?.agentId !== actor.id && !hasRoom(agent, w)) {
        const cls = capacityClassOf(w.channelKind);
        throw new AppError('CONFLICT', `you have no room for another ${cls} conversation (${agent.load[cls]} of ${agent.capacity[cls]})`);
      }
    }
    const now = this.core.now();
    const conversation = await store.transaction(async (tx) => {
      if (!(await tx.conversations.assignIfUnassigned(conversationId, actor.id, now))) throw changedMeanwhile();
      await tx.offers.delete(conversationId);
      await tx.routingEvents.record({
        type: 'assigned',
        conversationId,
        queueId: w.queueId,
        agentId: actor.id,
        at: now,
        data: { waitedMs: now - w.enqueuedAt, picked: true },
      });
      await tx.audit.record(
        { actorType: 'user', actorId: actor.id, action: 'conversation.pick', targetType: 'conversation', targetId: conversationId },
        now,
      );
      return (await tx.conversations.findById(conversationId))!;
    });
    this.core.board.dequeue(conversationId);
    this.core.board.occupy(actor.id, conversation.channelKind);
    if (agent) {
      await store.agentRouting.setIdleSince(actor.id, now); // "longest idle" counts from the latest assignment
      await this.core.reloadAgent(actor.id);
    }
    this.announce(conversation, previous, offer, undefined);
    if (offer && offer.agentId !== actor.id) await this.core.apply(this.core.board.routeAgent(offer.agentId, now));
    return conversation;
  }

  /** After a transfer or pick: the withdrawn offer, the conversation's move, the note. */
  private announce(conversation: Conversation, previous: Conversation, offer: Offer | undefined, note: Message | undefined): void {
    if (offer) this.core.publishOfferEnded(offer, 'withdrawn');
    this.core.publishOwn(conversation, previous);
    if (note) this.core.events.publish({ type: 'message.created', message: note, conversation });
  }

  /** The conversation as it stands, if this actor may transfer it: agents their own, supervisors any. */
  private async transferable(conversationId: string, actor: Actor): Promise<Conversation> {
    const c = await this.core.store.conversations.findById(conversationId);
    if (!c) throw notFound('conversation');
    if (!hasRole(actor, 'supervisor') && c.assigneeId !== actor.id)
      throw forbidden('agents may transfer only conversations assigned to them');
    if (c.status === 'resolved') throw new AppError('CONFLICT', 'the conversation is resolved; reopen it first');
    return c;
  }

  private async recordTransfer(
    tx: Stores,
    previous: Conversation,
    to: { agentId: string } | { queueId: string },
    actor: Actor,
    now: number,
  ): Promise<void> {
    const from = { agentId: previous.assigneeId, queueId: previous.queueId };
    await tx.routingEvents.record({
      type: 'transferred',
      conversationId: previous.id,
      queueId: previous.queueId,
      agentId: 'agentId' in to ? to.agentId : null,
      at: now,
      data: { from, to, by: actor.id },
    });
    await tx.audit.record(
      {
        actorType: 'user',
        actorId: actor.id,
        action: 'conversation.transfer',
        targetType: 'conversation',
        targetId: previous.id,
        data: { from, to },
      },
      now,
    );
  }
}

const changedMeanwhile = () =>
  new AppError('CONFLICT', 'the conversation changed meanwhile (assigned, transferred or resolved); reload it');

/** A private note written with a transfer: agents see it in the conversation, the customer never does. */
async function insertNote(tx: Stores, c: Conversation, actor: Actor, text: string, now: number): Promise<Message> {
  const message = await tx.messages.insert(
    {
      conversationId: c.id,
      channelAccountId: c.channelAccountId,
      direction: 'outbound',
      senderType: 'agent',
      senderId: actor.id,
      parts: [{ type: 'text', text }],
      text,
      private: true,
      providerMessageId: null,
      status: 'sent',
    },
    now,
  );
  await tx.conversations.touch(c.id, { lastMessageAt: now }, now);
  return message;
}
