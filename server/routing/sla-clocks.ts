// SLA clocks around the pure SlaWatch: due times set when a conversation arrives in a queue, checked
// on every routing tick, persisted (conversations.sla_status, routing events) and published
// (`sla.changed`). Loaded from stored due times at start, so the clocks resume after a restart.
// The routing service calls these one at a time (inside its serial chain).
import type { Store } from '../../db/store.js';
import { slaDueTimes, slaTargetFor, warnBeforeMsFor } from '../domain/routing/sla.js';
import { SlaWatch, type SlaChange } from '../domain/routing/sla-watch.js';
import type { QueueConfig } from '../domain/routing/types.js';
import type { Conversation } from '../domain/types.js';
import type { EventBus } from '../event-bus.js';

export class SlaClocks {
  private readonly watch = new SlaWatch();

  constructor(private readonly deps: { store: Store; events: EventBus; now: () => number }) {}

  /** Watches every unresolved conversation with due times (after a restart: from what was stored). */
  async load(queues: ReadonlyMap<string, QueueConfig>): Promise<void> {
    const now = this.deps.now();
    for (const c of await this.deps.store.conversations.listWithSlaClocks()) {
      this.track(c, c.queueId ? queues.get(c.queueId) : undefined, now);
    }
  }

  /**
   * Due times for a conversation arriving in `queue` at `arrivedAt` (business hours aware); none when
   * the queue has no SLA. An already answered conversation (reopened) keeps its first-response clock
   * as it was: only its resolution clock starts again.
   */
  dueTimes(
    c: Conversation,
    queue: QueueConfig,
    priority: number,
    arrivedAt: number,
  ): Pick<Conversation, 'firstResponseDueAt' | 'resolutionDueAt' | 'slaStatus'> {
    const due = slaDueTimes(queue.sla, queue.businessHours, arrivedAt, priority);
    if (!due) return { firstResponseDueAt: null, resolutionDueAt: null, slaStatus: null };
    const firstResponseDueAt = c.firstResponseAt === null ? due.firstResponseDueAt : c.firstResponseDueAt;
    return { firstResponseDueAt, resolutionDueAt: due.resolutionDueAt, slaStatus: 'ok' };
  }

  /** Starts (or re-syncs) the clocks of a conversation from its stored fields; drops it when it has none. */
  track(c: Conversation, queue: QueueConfig | undefined, now: number): void {
    if (c.status === 'resolved') return this.watch.drop(c.id);
    const target = queue?.sla ? slaTargetFor(queue.sla, c.priority) : null;
    this.watch.watch(
      {
        conversationId: c.id,
        queueId: c.queueId,
        firstResponseDueAt: c.firstResponseDueAt,
        resolutionDueAt: c.resolutionDueAt,
        firstResponseAt: c.firstResponseAt,
        slaStatus: c.slaStatus,
        warnBeforeMs: {
          first_response: target ? warnBeforeMsFor(target.firstResponseMs) : 0,
          resolution: target ? warnBeforeMsFor(target.resolutionMs) : 0,
        },
      },
      now,
    );
  }

  isWatched(conversationId: string): boolean {
    return this.watch.get(conversationId) !== undefined;
  }

  moved(conversationId: string, queueId: string): void {
    this.watch.setQueue(conversationId, queueId);
  }

  /** Resolved: nothing is due any more. */
  drop(conversationId: string): void {
    this.watch.drop(conversationId);
  }

  awaitsFirstResponse(conversationId: string): boolean {
    return this.watch.awaitsFirstResponse(conversationId);
  }

  /** An agent's first reply was stored: the first-response clock stops. */
  async firstResponded(conversationId: string, at: number): Promise<void> {
    await this.report(this.watch.firstResponded(conversationId, at, this.deps.now()));
  }

  /** Warnings and breaches due by now (cheap when none is). */
  async tick(now: number): Promise<void> {
    await this.report(this.watch.due(now));
  }

  private async report(changes: SlaChange[]): Promise<void> {
    const { store } = this.deps;
    for (const change of changes) {
      const now = this.deps.now();
      const conversation = await store.transaction(async (tx) => {
        if (change.from !== change.to && !(await tx.conversations.setSlaStatusIf(change.conversationId, change.from, change.to, now))) {
          return undefined; // another node reported it first (or the row is gone)
        }
        if (change.status === 'warning' || change.status === 'breached') {
          await tx.routingEvents.record({
            type: change.status === 'warning' ? 'sla_warning' : 'sla_breached',
            conversationId: change.conversationId,
            queueId: change.queueId,
            at: now,
            data: { which: change.which },
          });
        }
        return tx.conversations.findById(change.conversationId);
      });
      if (!conversation) {
        await this.resync(change.conversationId);
        continue;
      }
      this.deps.events.publish({ type: 'sla.changed', conversation, status: change.status, which: change.which });
    }
  }

  /** Takes the stored state back (another node moved it on, or it was resolved meanwhile). */
  private async resync(conversationId: string): Promise<void> {
    const c = await this.deps.store.conversations.findById(conversationId);
    const queue = c?.queueId ? await this.deps.store.queues.findById(c.queueId) : undefined;
    if (c) this.track(c, queue, this.deps.now());
    else this.drop(conversationId);
  }
}
