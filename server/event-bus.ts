// In-process publish/subscribe for domain events. Handlers run synchronously after commit; a failing
// handler is reported and never breaks the publisher or the other handlers.
import type { DomainEvent } from './domain/events.js';

export type EventHandler = (event: DomainEvent) => void;

export class EventBus {
  private readonly handlers = new Set<EventHandler>();

  constructor(private readonly onHandlerError: (err: unknown, event: DomainEvent) => void) {}

  subscribe(handler: EventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  publish(...events: DomainEvent[]): void {
    for (const event of events) {
      for (const handler of this.handlers) {
        try {
          handler(event);
        } catch (err) {
          this.onHandlerError(err, event);
        }
      }
    }
  }
}
