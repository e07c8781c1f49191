import type { Store } from '../../db/store.js';
import type { EventBus } from '../event-bus.js';

/** What every use case may touch: the store, the event bus and the clock (injected for tests). */
export interface Deps {
  store: Store;
  events: EventBus;
  now: () => number;
}
