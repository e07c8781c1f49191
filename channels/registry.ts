// One line per channel kind. The composition root builds the adapters and hands them here.
import type { ChannelKind } from '../server/domain/types.js';
import type { ChannelAdapter } from './types.js';

export class ChannelRegistry {
  private readonly adapters = new Map<ChannelKind, ChannelAdapter>();

  constructor(adapters: ChannelAdapter[]) {
    for (const adapter of adapters) this.adapters.set(adapter.kind, adapter);
  }

  get(kind: ChannelKind): ChannelAdapter | undefined {
    return this.adapters.get(kind);
  }

  kinds(): ChannelKind[] {
    return [...this.adapters.keys()];
  }
}
