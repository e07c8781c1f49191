// Publish/subscribe for domain events. Handlers run synchronously after commit; a failing handler is
// reported and never breaks the publisher or the other handlers.
//
// With several nodes, events published here also travel to the other nodes (server/cluster/), which
// hand them in through `deliverRemote`: handlers then see `remote: true`. Socket broadcasts skip
// remote events (the origin node's socket.io adapter already reached every node's sockets); the
// routing leader, statistics and per-socket housekeeping take both.
import type { DomainEvent } from './domain/events.js';

export interface EventMeta {
  /** Published on another node and relayed here. */
  remote: boolean;
}

export type EventHandler = (event: DomainEvent, meta: EventMeta) => void;

const LOCAL: EventMeta = Object.freeze({ remote: false });
const REMOTE: EventMeta = Object.freeze({ remote: true });

export class EventBus {
  private readonly handlers = new Set<EventHandler>();

  constructor(private readonly onHandlerError: (err: unknown, event: DomainEvent) => void) {}

  subscribe(handler: EventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  publish(...events: DomainEvent[]): void {
    for (const event of events) this.deliver(event, LOCAL);
  }

  /** An event another node published (see server/cluster/). */
  deliverRemote(event: DomainEvent): void {
    this.deliver(event, REMOTE);
  }

  private deliver(event: DomainEvent, meta: EventMeta): void {
    for (const handler of this.handlers) {
      try {
        handler(event, meta);
      } catch (err) {
        this.onHandlerError(err, event);
      }
    }
  }
}
