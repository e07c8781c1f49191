// The routing front: what HTTP routes and sockets call on every node. One node of a cluster (the
// leader, holding db/leader-lock.ts) runs the routing board and the live statistics; the front of
// that node calls them directly, the front of any other node forwards the call to the leader over
// the cluster link (server/cluster/) and returns its answer or its coded error.
//
// Leadership is taken when the lock is free and given up when the lock is lost. A new leader builds
// its board from the database (as after a restart: waiting conversations, live offers with their
// stored expiries, SLA due times), so a leader killed mid-work loses nothing; the database's
// conditional writes and capacity fence decide anything a deposed leader was still finishing.
import type { Logger } from 'pino';
import type { LeaderLock } from '../../db/leader-lock.js';
import { AppError, type ErrorCode } from '../domain/errors.js';
import type { Actor } from '../domain/policy.js';
import type { QueueStatsFull } from '../domain/routing/stats-delta.js';
import type { AgentRouting, Presence } from '../domain/routing/types.js';
import type { Conversation } from '../domain/types.js';
import type { RoutingService } from './routing-service.js';
import type { StatsPublisher } from './stats-publisher.js';

/** What the rest of the server asks of routing, on any node. */
export interface RoutingApi {
  setPresence(agentId: string, presence: Presence, reason: string | null, actor: Actor | null): Promise<AgentRouting>;
  accept(agentId: string, conversationId: string): Promise<Conversation>;
  decline(agentId: string, conversationId: string): Promise<void>;
  transferToAgent(conversationId: string, toAgentId: string, actor: Actor, note?: string): Promise<Conversation>;
  transferToQueue(conversationId: string, queueId: string, actor: Actor, note?: string): Promise<Conversation>;
  setPriority(conversationId: string, priority: number, actor: Actor): Promise<Conversation>;
  pick(conversationId: string, actor: Actor): Promise<Conversation>;
  /** A conversation waiting outside routing (a call in the IVR) enters a queue, its priority raised by `priority`. */
  enqueueInto(conversationId: string, queueId: string, priority: number): Promise<Conversation | undefined>;
  /** A call that waited as long as its IVR allows leaves the queue (unresolved), the priority it added taken off. */
  leaveQueue(conversationId: string): Promise<Conversation | undefined>;
  /** The agent did not pick up a call they took: it waits again in its place, and they are set away. */
  returnUnanswered(conversationId: string, agentId: string): Promise<Conversation | undefined>;
  agents(): Promise<AgentRouting[]>;
  queueStats(): Promise<QueueStatsFull>;
  agentConnected(agentId: string): void;
  agentDisconnected(agentId: string): void;
}

/** The leader's working parts. */
export interface RoutingLeader {
  routing: RoutingService;
  stats: StatsPublisher;
}

/** A serialisable error crossing nodes. */
export interface WireError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** Request/response between nodes (server/cluster/redis-link.ts): only the serving node answers. */
export interface RpcTransport {
  /** Sends a call to whichever node serves; rejects with an AppError (UNAVAILABLE when none answers). */
  call(method: string, args: unknown[]): Promise<unknown>;
  /** Starts answering calls; resolves once subscribed. Returns how to stop. */
  serve(handler: (method: string, args: unknown[]) => Promise<unknown>): Promise<() => Promise<void>>;
}

type Method = Exclude<keyof RoutingApi, 'agentConnected' | 'agentDisconnected'> | 'agentConnected' | 'agentDisconnected';

/** Each call as the leader carries it out (arguments arrive as JSON from other nodes). */
const ON_LEADER: Record<Method, (l: RoutingLeader, a: never) => Promise<unknown>> = {
  setPresence: (l, [agentId, presence, reason, actor]: [string, Presence, string | null, Actor | null]) =>
    l.routing.setPresence(agentId, presence, reason, actor),
  accept: (l, [agentId, conversationId]: [string, string]) => l.routing.accept(agentId, conversationId),
  decline: (l, [agentId, conversationId]: [string, string]) => l.routing.decline(agentId, conversationId),
  transferToAgent: (l, [id, to, actor, note]: [string, string, Actor, string | undefined]) =>
    l.routing.transferToAgent(id, to, actor, note),
  transferToQueue: (l, [id, to, actor, note]: [string, string, Actor, string | undefined]) =>
    l.routing.transferToQueue(id, to, actor, note),
  setPriority: (l, [id, priority, actor]: [string, number, Actor]) => l.routing.setPriority(id, priority, actor),
  pick: (l, [id, actor]: [string, Actor]) => l.routing.pick(id, actor),
  enqueueInto: (l, [id, queueId, priority]: [string, string, number]) => l.routing.enqueueInto(id, queueId, priority),
  leaveQueue: (l, [id]: [string]) => l.routing.leaveQueue(id),
  returnUnanswered: (l, [id, agentId]: [string, string]) => l.routing.returnUnanswered(id, agentId),
  agents: async (l) => l.routing.agents(),
  queueStats: (l) => l.stats.current(),
  agentConnected: async (l, [agentId]: [string]) => l.routing.agentConnected(agentId),
  agentDisconnected: async (l, [agentId]: [string]) => l.routing.agentDisconnected(agentId),
};

export interface RoutingFrontOptions {
  /** How often a node that does not lead tries to take the lock. */
  electionMs: number;
}

export const DEFAULT_FRONT_OPTIONS: RoutingFrontOptions = { electionMs: 1_000 };

export class RoutingFront implements RoutingApi {
  private leader: RoutingLeader | undefined;
  private stopServing: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Leadership changes one at a time (taking it loads the board; losing it waits for the last step). */
  private transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      lock: LeaderLock;
      /** Builds and starts the leader's parts (loading the board from the database). */
      lead: () => Promise<RoutingLeader>;
      /** Reaches the leader from other nodes; absent on a single node. */
      rpc?: RpcTransport;
      log: Logger;
      /** Told when this node starts or stops leading. */
      onLeadership?: (leading: boolean) => void;
    },
    private readonly options: RoutingFrontOptions = DEFAULT_FRONT_OPTIONS,
  ) {
    deps.lock.onLost(() => {
      deps.log.error('lost the routing leadership lock: routing stops on this node');
      this.transition = this.transition.then(() => this.stepDown());
    });
  }

  /** True while this node runs routing. */
  get leading(): boolean {
    return this.leader !== undefined;
  }

  /** Tries for leadership now (a single node leads before it serves), then keeps trying in the background. */
  async start(): Promise<void> {
    await this.elect();
    this.timer = setInterval(() => void this.elect(), this.options.electionMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await (this.transition = this.transition.then(() => this.stepDown()));
    await this.deps.lock.release();
  }

  setPresence(agentId: string, presence: Presence, reason: string | null, actor: Actor | null): Promise<AgentRouting> {
    return this.call('setPresence', [agentId, presence, reason, actor]) as Promise<AgentRouting>;
  }
  accept(agentId: string, conversationId: string): Promise<Conversation> {
    return this.call('accept', [agentId, conversationId]) as Promise<Conversation>;
  }
  async decline(agentId: string, conversationId: string): Promise<void> {
    await this.call('decline', [agentId, conversationId]);
  }
  transferToAgent(conversationId: string, toAgentId: string, actor: Actor, note?: string): Promise<Conversation> {
    return this.call('transferToAgent', [conversationId, toAgentId, actor, note]) as Promise<Conversation>;
  }
  transferToQueue(conversationId: string, queueId: string, actor: Actor, note?: string): Promise<Conversation> {
    return this.call('transferToQueue', [conversationId, queueId, actor, note]) as Promise<Conversation>;
  }
  setPriority(conversationId: string, priority: number, actor: Actor): Promise<Conversation> {
    return this.call('setPriority', [conversationId, priority, actor]) as Promise<Conversation>;
  }
  pick(conversationId: string, actor: Actor): Promise<Conversation> {
    return this.call('pick', [conversationId, actor]) as Promise<Conversation>;
  }
  enqueueInto(conversationId: string, queueId: string, priority: number): Promise<Conversation | undefined> {
    return this.call('enqueueInto', [conversationId, queueId, priority]) as Promise<Conversation | undefined>;
  }
  leaveQueue(conversationId: string): Promise<Conversation | undefined> {
    return this.call('leaveQueue', [conversationId]) as Promise<Conversation | undefined>;
  }
  returnUnanswered(conversationId: string, agentId: string): Promise<Conversation | undefined> {
    return this.call('returnUnanswered', [conversationId, agentId]) as Promise<Conversation | undefined>;
  }
  agents(): Promise<AgentRouting[]> {
    return this.call('agents', []) as Promise<AgentRouting[]>;
  }
  queueStats(): Promise<QueueStatsFull> {
    return this.call('queueStats', []) as Promise<QueueStatsFull>;
  }
  agentConnected(agentId: string): void {
    this.notify('agentConnected', agentId);
  }
  agentDisconnected(agentId: string): void {
    this.notify('agentDisconnected', agentId);
  }

  // ---- internals ----------------------------------------------------------------------------

  private call(method: Method, args: unknown[]): Promise<unknown> {
    // Actors cross nodes as id and role only (no password hashes or tokens on the wire).
    const wire = args.map((a) => (isActor(a) ? { id: a.id, role: a.role } : a));
    if (this.leader) return ON_LEADER[method](this.leader, wire as never);
    if (this.deps.rpc) return this.deps.rpc.call(method, wire);
    return Promise.reject(new AppError('UNAVAILABLE', 'routing is starting on this node; try again in a moment'));
  }

  private notify(method: 'agentConnected' | 'agentDisconnected', agentId: string): void {
    this.call(method, [agentId]).catch((err: unknown) => this.deps.log.warn({ err, agentId }, `could not tell routing: ${method}`));
  }

  private elect(): Promise<void> {
    return (this.transition = this.transition.then(async () => {
      if (this.stopped || this.leader) return;
      let won: boolean;
      try {
        won = await this.deps.lock.tryAcquire();
      } catch (err) {
        this.deps.log.warn({ err }, 'routing election failed; trying again');
        return;
      }
      if (!won) return;
      try {
        this.leader = await this.deps.lead();
        this.stopServing = await this.deps.rpc?.serve((method, args) => {
          const leader = this.leader;
          if (!leader || !(method in ON_LEADER)) throw new AppError('UNAVAILABLE', 'this node no longer leads routing');
          return ON_LEADER[method as Method](leader, args as never);
        });
        this.deps.log.info('this node leads routing');
        this.deps.onLeadership?.(true);
      } catch (err) {
        this.deps.log.error({ err }, 'could not start routing as leader; giving the lock back');
        await this.stepDown();
        await this.deps.lock.release();
      }
    }));
  }

  private async stepDown(): Promise<void> {
    const leader = this.leader;
    this.leader = undefined;
    const stopServing = this.stopServing;
    this.stopServing = undefined;
    await stopServing?.().catch(() => undefined);
    if (!leader) return;
    await leader.stats.stop();
    await leader.routing.stop();
    this.deps.onLeadership?.(false);
  }
}

function isActor(a: unknown): a is Actor {
  return typeof a === 'object' && a !== null && 'id' in a && 'role' in a;
}

/** An error as it crosses to another node. */
export function toWire(err: unknown): WireError {
  if (err instanceof AppError) return { code: err.code, message: err.message, details: err.details };
  return { code: 'INTERNAL', message: 'something went wrong; try again' };
}

export function fromWire(e: WireError): AppError {
  return new AppError(e.code, e.message, e.details);
}
