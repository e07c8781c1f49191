// Provider events the desk has acted on (see migration 007-slack), for providers that redeliver an
// event whose effect is not a stored customer message (those are unique by provider message id).
import type { Knex } from 'knex';

export class ProcessedEventsStore {
  constructor(private readonly db: Knex) {}

  /**
   * Records that an event was acted on; false when it already was. Inside the transaction of the work
   * it guards, a retried or concurrent delivery of the event does that work once.
   */
  async claim(source: string, eventKey: string, now: number): Promise<boolean> {
    const inserted = await this.db('processed_events')
      .insert({ source, event_key: eventKey.slice(0, 255), created_at: now })
      .onConflict(['source', 'event_key'])
      .ignore()
      .returning('source');
    return inserted.length > 0;
  }
}
