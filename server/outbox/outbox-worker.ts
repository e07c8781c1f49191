// Sends what agents wrote. Items are leased from the outbox table, sent through the channel adapter,
// and marked done, retried with exponential backoff, or failed with the provider's coded error.
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';
import { ChannelError, type OutboundThread } from '../../channels/types.js';
import type { Conversation, Message } from '../domain/types.js';
import { attachmentIdsOf } from '../domain/conversation-rules.js';
import type { ChannelRegistry } from '../../channels/registry.js';
import type { EventBus } from '../event-bus.js';
import type { SecretBox } from '../security/secret-box.js';
import type { OutboxItem } from '../../db/stores/outbox.store.js';
import { Pump } from './pump.js';

export interface OutboxOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  leaseMs: number;
  pollMs: number;
  batchSize: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  leaseMs: 60_000,
  pollMs: 1_000,
  batchSize: 20,
};

/** Exponential backoff with full jitter, never sooner than the provider asked. */
export function backoffDelay(
  attempt: number,
  o: Pick<OutboxOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random = Math.random,
  retryAfterMs = 0,
): number {
  const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
  return Math.max(retryAfterMs, Math.round(cap / 2 + (random() * cap) / 2));
}

/** How many earlier messages a threading channel is given (email quotes the last few, references them all). */
const THREAD_HISTORY = 20;

export class OutboxWorker {
  private readonly pump: Pump;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: {
      store: Store;
      channels: ChannelRegistry;
      events: EventBus;
      secrets: SecretBox;
      log: Logger;
      now: () => number;
      /** Attachment bytes, for channels that send files. */
      files?: { open(storageKey: string): NodeJS.ReadableStream };
    },
    private readonly options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
  ) {
    // Idle until start(): neither events nor timers run a pass before then or after stop().
    this.pump = new Pump(
      () => this.drain(),
      options.pollMs,
      (err) => deps.log.error({ err }, 'outbox pass failed'),
    );
  }

  start(): void {
    this.unsubscribe ??= this.deps.events.subscribe((e) => {
      if (e.type === 'outbox.enqueued') this.kick();
    });
    this.pump.start();
  }

  /** Runs a pass now (or right after the current one). */
  kick(): void {
    this.pump.kick();
  }

  /** Stops taking new work and waits for the sends in flight. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.pump.stop();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const items = await this.deps.store.outbox.claimDue(this.deps.now(), this.options.batchSize, this.options.leaseMs);
      if (items.length === 0) return;
      await Promise.all(items.map((item) => this.deliver(item)));
      if (!this.pump.active) return;
    }
  }

  /** The conversation around a message, for channels that thread (email): customer, recent history, Cc'd people. */
  private async threadOf(message: Message, conversation: Conversation): Promise<OutboundThread> {
    const { store } = this.deps;
    const [customer, recent, participants] = await Promise.all([
      store.customers.findById(conversation.customerId),
      store.messages.listRecent(conversation.id, message.createdAt, THREAD_HISTORY),
      store.email.participants(conversation.id),
    ]);
    return { customer: customer!, history: recent.filter((m) => m.id !== message.id), participants };
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { store, log } = this.deps;
    const message = await store.messages.findById(item.messageId);
    const conversation = message && (await store.conversations.findById(message.conversationId));
    const account = await store.channelAccounts.findById(item.channelAccountId);
    if (!message || !conversation || !account) {
      await store.outbox.markFailed(item.id, 'PERMANENT', 'message, conversation or channel account no longer exists', this.deps.now());
      return;
    }
    const adapter = this.deps.channels.get(account.kind);
    try {
      if (!adapter) throw new ChannelError('PERMANENT', `no adapter for channel kind ${account.kind}`);
      if (!account.active) throw new ChannelError('PERMANENT', `channel account ${account.name} is disabled`);
      const sealed = await store.channelAccounts.sealedCredentials(account.id);
      const result = await adapter.send({
        account,
        credentials: sealed ? this.deps.secrets.open<Record<string, unknown>>(sealed) : {},
        conversation,
        message,
        recipients: await store.customers.identities(conversation.customerId),
        attachments: await store.attachments.findManyByIds(attachmentIdsOf(message.parts)),
        files: this.deps.files,
        thread: adapter.needsThread ? await this.threadOf(message, conversation) : undefined,
        consent: (await store.consents.list(conversation.customerId)).find((c) => c.channel === account.kind),
      });
      const now = this.deps.now();
      const updated = await store.transaction(async (tx) => {
        await tx.outbox.markDone(item.id, now);
        return tx.messages.updateDelivery(
          message.id,
          { status: result.status, providerMessageId: result.providerMessageId, errorCode: null, errorMessage: null },
          now,
        );
      });
      if (updated) this.deps.events.publish({ type: 'message.status', message: updated, conversation });
    } catch (err) {
      const error = err instanceof ChannelError ? err : new ChannelError('TEMPORARY', err instanceof Error ? err.message : String(err));
      const now = this.deps.now();
      if (error.retryable && item.attempts < this.options.maxAttempts) {
        const delay = backoffDelay(item.attempts, this.options, Math.random, error.retryAfterMs);
        log.warn({ outboxId: item.id, messageId: message.id, code: error.code, attempt: item.attempts, delay }, 'send failed; will retry');
        // Still queued, with the provider's last answer, so the console can say why it is not sent yet.
        const waiting = await store.transaction(async (tx) => {
          await tx.outbox.markRetry(item.id, now + delay, error.code, error.message, now);
          return tx.messages.noteRetry(message.id, error.code, error.message, now);
        });
        if (waiting) this.deps.events.publish({ type: 'message.status', message: waiting, conversation });
        return;
      }
      log.error({ outboxId: item.id, messageId: message.id, code: error.code, attempt: item.attempts }, 'send failed permanently');
      const updated = await store.transaction(async (tx) => {
        await tx.outbox.markFailed(item.id, error.code, error.message, now);
        return tx.messages.updateDelivery(message.id, { status: 'failed', errorCode: error.code, errorMessage: error.message }, now);
      });
      if (updated) this.deps.events.publish({ type: 'message.status', message: updated, conversation });
    }
  }
}
