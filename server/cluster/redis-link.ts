// The cluster link: what several nodes share through Redis (DESIGN.md, "Growing past one machine").
//
// - The socket.io Redis adapter, so a broadcast from any node reaches sockets on every node.
// - Domain events: each node publishes its own on `<name>:events` and hands the other nodes' to its
//   EventBus as remote events (event-bus.ts says who acts on which).
// - Calls to the routing leader: a node publishes a call on `<name>:rpc`, to which only the leader
//   subscribes; the leader answers on the caller's own `<name>:reply:<node>`. PUBLISH returns how
//   many subscribers heard it, so "no leader right now" (an election under way) is known at once
//   and the call is sent again until the deadline, then answered UNAVAILABLE.
//
// Redis pub/sub delivers at most once. Nothing here is the record: messages, conversations and
// offers live in the database, and a new leader rebuilds from it, so a lost event delays routing at
// worst until the next election or restart, and never loses a customer's message.
import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { EventBus } from '../event-bus.js';
import { fromWire, toWire, type RpcTransport, type WireError } from '../routing/routing-front.js';

export interface ClusterLinkOptions {
  url: string;
  /** Nodes of one cluster share a name; it prefixes every channel. */
  name: string;
  nodeId: string;
  /** How long a call to the leader may take, election included. */
  callTimeoutMs: number;
  /** Pause between attempts while no node leads. */
  retryMs: number;
}

interface CallMessage {
  id: string;
  from: string;
  method: string;
  args: unknown[];
}

type ReplyMessage = { id: string; ok: true; value: unknown } | { id: string; ok: false; error: WireError };

export class ClusterLink implements RpcTransport {
  readonly adapter: ReturnType<typeof createAdapter>;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout }>();
  private handler: ((method: string, args: unknown[]) => Promise<unknown>) | undefined;
  private unrelay: (() => void) | undefined;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly adapterSub: Redis,
    private readonly options: ClusterLinkOptions,
    private readonly log: Logger,
  ) {
    this.adapter = createAdapter(pub, adapterSub, { key: `${options.name}:sio` });
    sub.on('message', (channel: string, raw: string) => this.onMessage(channel, raw));
  }

  static async connect(options: ClusterLinkOptions, log: Logger): Promise<ClusterLink> {
    const open = (role: string) => {
      const r = new Redis(options.url, {
        lazyConnect: true,
        connectionName: `omnidesk:${options.nodeId}:${role}`,
        maxRetriesPerRequest: 3,
      });
      r.on('error', (err: Error) => log.warn({ err: err.message, role }, 'redis connection problem; reconnecting'));
      return r;
    };
    const [pub, sub, adapterSub] = [open('pub'), open('sub'), open('adapter')];
    try {
      await Promise.all([pub.connect(), sub.connect(), adapterSub.connect()]);
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      adapterSub.disconnect();
      throw new Error(`could not reach Redis at REDIS_URL: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const link = new ClusterLink(pub, sub, adapterSub, options, log);
    await sub.subscribe(link.channel('events'), link.channel(`reply:${options.nodeId}`));
    return link;
  }

  /** Sends this node's domain events to the others and hands theirs to `bus` as remote events. */
  relay(bus: EventBus): void {
    this.unrelay = bus.subscribe((event, { remote }) => {
      if (remote) return;
      this.pub.publish(this.channel('events'), JSON.stringify({ from: this.options.nodeId, event })).catch((err: unknown) => {
        this.log.error({ err, event: event.type }, 'could not relay an event to the other nodes');
      });
    });
    this.deliver = (event) => bus.deliverRemote(event);
  }

  async call(method: string, args: unknown[]): Promise<unknown> {
    const id = randomUUID();
    const message = JSON.stringify({ id, from: this.options.nodeId, method, args } satisfies CallMessage);
    const deadline = Date.now() + this.options.callTimeoutMs;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppError('UNAVAILABLE', 'routing did not answer in time; try again'));
      }, this.options.callTimeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
    });
    // Only the leader listens on the call channel: no listener means an election is under way.
    for (;;) {
      const heard = await this.pub.publish(this.channel('rpc'), message).catch(() => 0);
      if (heard > 0) return answer;
      if (Date.now() + this.options.retryMs >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, this.options.retryMs));
    }
    const p = this.pending.get(id);
    if (p) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new AppError('UNAVAILABLE', 'no node is leading routing right now; try again in a moment'));
    }
    return answer;
  }

  async serve(handler: (method: string, args: unknown[]) => Promise<unknown>): Promise<() => Promise<void>> {
    this.handler = handler;
    await this.sub.subscribe(this.channel('rpc'));
    return async () => {
      this.handler = undefined;
      await this.sub.unsubscribe(this.channel('rpc')).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.unrelay?.();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new AppError('UNAVAILABLE', 'this node is shutting down'));
    }
    this.pending.clear();
    await Promise.all([this.pub.quit(), this.sub.quit(), this.adapterSub.quit()].map((q) => q.catch(() => undefined)));
  }

  // ---- internals ----------------------------------------------------------------------------

  private deliver: (event: DomainEvent) => void = () => undefined;

  private channel(suffix: string): string {
    return `${this.options.name}:${suffix}`;
  }

  private onMessage(channel: string, raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      this.log.warn({ channel }, 'ignored a malformed cluster message');
      return;
    }
    if (channel === this.channel('events')) {
      const m = message as { from: string; event: DomainEvent };
      if (m.from !== this.options.nodeId) this.deliver(m.event);
    } else if (channel === this.channel('rpc')) {
      void this.answer(message as CallMessage);
    } else if (channel === this.channel(`reply:${this.options.nodeId}`)) {
      const r = message as ReplyMessage;
      const p = this.pending.get(r.id);
      if (!p) return; // answered after its deadline
      clearTimeout(p.timer);
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(fromWire(r.error));
    }
  }

  private async answer(call: CallMessage): Promise<void> {
    let reply: ReplyMessage;
    try {
      if (!this.handler) throw new AppError('UNAVAILABLE', 'this node no longer leads routing');
      reply = { id: call.id, ok: true, value: (await this.handler(call.method, call.args)) ?? null };
    } catch (err) {
      if (!(err instanceof AppError)) this.log.error({ err, method: call.method }, 'routing call failed');
      reply = { id: call.id, ok: false, error: toWire(err) };
    }
    await this.pub.publish(this.channel(`reply:${call.from}`), JSON.stringify(reply)).catch((err: unknown) => {
      this.log.error({ err }, 'could not answer a routing call');
    });
  }
}
