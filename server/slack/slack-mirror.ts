// Slack for agents, the desk's side: mirrors conversations into each Slack account's channel and
// posts alerts for supervisors. What to post is decided from domain events and written to
// `slack_posts` first (one row per key, so hearing an event twice, or on two nodes, posts once); a
// pump sends the rows in order through Slack's Web API, retrying 429s and 5xx with backoff.
//
//   conversation:<id>  the parent post, when a conversation of a chosen queue is created or queued
//   message:<id>       each public message after it, in the parent's thread (not the agent's own
//                      Slack replies: they are in the thread already)
//   failed:<id>        a reply written in Slack that could not be delivered, told in its thread
//   sla:<id>:<clock>   an SLA breach, to the supervisors' channel
//   queue:<id>:<condition>:<since>   a queue alert, when a condition starts to hold (the leader checks)
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';
import type { NewSlackPost, SlackPost } from '../../db/stores/slack.store.js';
import type { EventBus, EventMeta } from '../event-bus.js';
import type { DomainEvent } from '../domain/events.js';
import type { SecretBox } from '../security/secret-box.js';
import type { ChannelAccount, Conversation, Message } from '../domain/types.js';
import type { QueueStatsFull } from '../domain/routing/stats-delta.js';
import { ChannelError } from '../../channels/types.js';
import { SlackCredentials, SlackSettings } from '../../channels/slack/account.js';
import { slackChannelError, slackClient } from '../../channels/slack/client.js';
import {
  conversationPost,
  deliveryFailedPost,
  messagePost,
  queueAlertPost,
  slaBreachPost,
  type QueueAlertCondition,
} from '../../channels/slack/posts.js';
import { backoffDelay } from '../outbox/outbox-worker.js';
import { Pump } from '../outbox/pump.js';

export interface SlackMirrorOptions {
  pollMs: number;
  leaseMs: number;
  batchSize: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How often the leader checks queue alerts. */
  alertCheckMs: number;
  /** How soon a message post looks again for its thread while the parent post is still pending. */
  threadWaitMs: number;
}

export const DEFAULT_SLACK_MIRROR_OPTIONS: SlackMirrorOptions = {
  pollMs: 1_000,
  leaseMs: 60_000,
  batchSize: 20,
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  alertCheckMs: 15_000,
  threadWaitMs: 1_000,
};

interface SlackAccount {
  account: ChannelAccount;
  settings: SlackSettings;
  credentials: SlackCredentials | null;
}

export interface SlackMirrorDeps {
  store: Store;
  events: EventBus;
  secrets: SecretBox;
  log: Logger;
  now: () => number;
  /** The console's address for links in posts; null when the install has no public URL. */
  publicUrl: string | null;
  /** Whether this node leads routing (it alone checks queue alerts), and the live queue figures. */
  routing: { readonly leading: boolean; queueStats(): Promise<QueueStatsFull> };
}

/** Phone calls are not answered from Slack: their conversations are not mirrored. */
const MIRRORED_KINDS = new Set(['web_chat', 'email', 'sms', 'line', 'messenger']);

export class SlackMirror {
  private readonly pump: Pump;
  private accounts: Promise<SlackAccount[]> | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Events are handled one after another: a conversation's parent is queued before its messages are looked at. */
  private chain: Promise<void> = Promise.resolve();
  private alertTimer: NodeJS.Timeout | undefined;
  /** Queue alert conditions that hold now, since when: `${account}:${queue}:${condition}` → ms. */
  private readonly holding = new Map<string, number>();

  constructor(
    private readonly deps: SlackMirrorDeps,
    private readonly options: SlackMirrorOptions = DEFAULT_SLACK_MIRROR_OPTIONS,
  ) {
    this.pump = new Pump(
      () => this.drain(),
      options.pollMs,
      (err) => deps.log.error({ err }, 'slack post pass failed'),
    );
  }

  start(): void {
    this.unsubscribe ??= this.deps.events.subscribe((e, meta) => this.onEvent(e, meta));
    this.chain = this.chain
      .then(() => this.sweep())
      .catch((err: unknown) => this.deps.log.warn({ err }, 'slack: could not look for messages missing from threads'));
    this.pump.start();
    this.alertTimer = setInterval(() => void this.checkQueueAlerts(), this.options.alertCheckMs);
    this.alertTimer.unref();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.alertTimer);
    await this.chain;
    await this.pump.stop();
  }

  /** Resolves once every event heard so far is handled (tests wait on it). */
  settled(): Promise<void> {
    return this.chain;
  }

  // ---- deciding what to post ------------------------------------------------------------------

  private onEvent(e: DomainEvent, meta: EventMeta): void {
    if (e.type === 'channel_accounts.changed') {
      this.accounts = undefined;
      return;
    }
    // Every event is local to exactly one node: that node decides (the keys make a repeat harmless).
    if (meta.remote) return;
    if (!['conversation.created', 'conversation.updated', 'message.created', 'message.status', 'sla.changed'].includes(e.type)) return;
    this.chain = this.chain
      .then(() => this.handle(e))
      .catch((err: unknown) => this.deps.log.warn({ err, event: e.type }, 'slack: could not queue a post'));
  }

  private async handle(e: DomainEvent): Promise<void> {
    const accounts = await this.activeAccounts();
    if (accounts.length === 0) return;
    let queued = false;
    for (const a of accounts) queued = (await this.decide(a, e)) || queued;
    if (queued) this.pump.kick();
  }

  /**
   * After a start: the messages of open mirrored conversations whose post was never queued (the process
   * died between a message's commit and its event) are queued now; the keys skip every one already queued.
   */
  private async sweep(): Promise<void> {
    const { store, now } = this.deps;
    let queued = false;
    for (const a of await this.activeAccounts()) {
      for (const conversationId of await store.slack.openThreadConversations(a.account.id, 500)) {
        for (const m of await store.messages.listForConversation(conversationId, { limit: 500, includePrivate: false })) {
          if (m.meta?.slack?.accountId === a.account.id) continue;
          const post = {
            channelAccountId: a.account.id,
            kind: 'message' as const,
            dedupeKey: `message:${m.id}`,
            conversationId,
            messageId: m.id,
          };
          queued = (await store.slack.enqueue(post, now())) || queued;
        }
      }
    }
    if (queued) this.pump.kick();
  }

  private chosen(a: SlackAccount, c: Conversation): boolean {
    if (!MIRRORED_KINDS.has(c.channelKind)) return false;
    return a.settings.queueIds.length === 0 || (c.queueId !== null && a.settings.queueIds.includes(c.queueId));
  }

  private async decide(a: SlackAccount, e: DomainEvent): Promise<boolean> {
    const { store, now } = this.deps;
    const enqueue = (post: Omit<NewSlackPost, 'channelAccountId'>) =>
      store.slack.enqueue({ ...post, channelAccountId: a.account.id }, now());
    switch (e.type) {
      case 'conversation.created':
      case 'conversation.updated': {
        const c = e.conversation;
        const entered = e.type === 'conversation.created' || e.previous.queueId !== c.queueId;
        if (!entered || !this.chosen(a, c)) return false;
        if (!(await enqueue({ kind: 'conversation', dedupeKey: `conversation:${c.id}`, conversationId: c.id }))) return false;
        // What was said before the conversation reached a chosen queue follows in the thread.
        for (const m of await store.messages.listForConversation(c.id, { limit: 200, includePrivate: false })) {
          if (m.meta?.slack?.accountId !== a.account.id)
            await enqueue({ kind: 'message', dedupeKey: `message:${m.id}`, conversationId: c.id, messageId: m.id });
        }
        return true;
      }
      case 'message.created': {
        const m = e.message;
        if (m.private || m.meta?.slack?.accountId === a.account.id) return false;
        if (!(await store.slack.isMirrored(a.account.id, m.conversationId))) return false;
        return enqueue({ kind: 'message', dedupeKey: `message:${m.id}`, conversationId: m.conversationId, messageId: m.id });
      }
      case 'message.status': {
        const m = e.message;
        if (m.status !== 'failed' || m.meta?.slack?.accountId !== a.account.id) return false;
        return enqueue({ kind: 'notice', dedupeKey: `failed:${m.id}`, conversationId: m.conversationId, messageId: m.id });
      }
      case 'sla.changed': {
        if (e.status !== 'breached' || !a.settings.supervisorsChannelId || !this.chosen(a, e.conversation)) return false;
        const c = e.conversation;
        return enqueue({ kind: 'alert', dedupeKey: `sla:${c.id}:${e.which}`, conversationId: c.id, payload: { sla: e.which } });
      }
      default:
        return false;
    }
  }

  /** On the routing leader: a queue alert when one of an account's conditions starts to hold. */
  async checkQueueAlerts(): Promise<void> {
    if (!this.deps.routing.leading) return;
    try {
      const accounts = (await this.activeAccounts()).filter((a) => a.settings.supervisorsChannelId);
      if (accounts.length === 0) return;
      const report = await this.deps.routing.queueStats();
      const now = this.deps.now();
      let queued = false;
      for (const a of accounts) {
        const { waitingAtLeast, longestWaitSeconds, serviceLevelBelowTarget } = a.settings.alerts;
        for (const q of report.queues) {
          if (a.settings.queueIds.length > 0 && !a.settings.queueIds.includes(q.queueId)) continue;
          const longest = Math.floor(q.longestWaitMs / 1000);
          const conditions: [QueueAlertCondition, boolean, number][] = [
            ['waiting', waitingAtLeast !== undefined && q.waiting >= waitingAtLeast, waitingAtLeast ?? 0],
            ['longest_wait', longestWaitSeconds !== undefined && longest >= longestWaitSeconds, longestWaitSeconds ?? 0],
            [
              'service_level',
              serviceLevelBelowTarget && q.serviceLevel !== null && q.serviceLevel < q.serviceLevelTarget,
              q.serviceLevelTarget,
            ],
          ];
          for (const [condition, holds, threshold] of conditions) {
            const key = `${a.account.id}:${q.queueId}:${condition}`;
            if (!holds) {
              this.holding.delete(key);
              continue;
            }
            if (this.holding.has(key)) continue;
            this.holding.set(key, now);
            const text = queueAlertPost({
              queueName: q.name,
              condition,
              waiting: q.waiting,
              longestWaitSeconds: longest,
              serviceLevel: q.serviceLevel,
              serviceLevelTarget: q.serviceLevelTarget,
              threshold,
            });
            queued =
              (await this.deps.store.slack.enqueue(
                { channelAccountId: a.account.id, kind: 'alert', dedupeKey: `queue:${q.queueId}:${condition}:${now}`, payload: { text } },
                now,
              )) || queued;
          }
        }
      }
      if (queued) this.pump.kick();
    } catch (err) {
      this.deps.log.warn({ err }, 'slack: could not check queue alerts');
    }
  }

  private activeAccounts(): Promise<SlackAccount[]> {
    this.accounts ??= this.loadAccounts().catch((err: unknown) => {
      this.accounts = undefined;
      throw err;
    });
    return this.accounts;
  }

  private async loadAccounts(): Promise<SlackAccount[]> {
    const { store, secrets, log } = this.deps;
    const out: SlackAccount[] = [];
    for (const account of await store.channelAccounts.list()) {
      if (account.kind !== 'slack' || !account.active) continue;
      const settings = SlackSettings.safeParse(account.settings);
      if (!settings.success) {
        log.warn({ accountId: account.id }, 'slack: an account with unusable settings is skipped; save it again in Admin');
        continue;
      }
      const sealed = await store.channelAccounts.sealedCredentials(account.id);
      const credentials = sealed ? SlackCredentials.safeParse(secrets.open<Record<string, unknown>>(sealed)) : undefined;
      out.push({ account, settings: settings.data, credentials: credentials?.success ? credentials.data : null });
    }
    return out;
  }

  // ---- posting ----------------------------------------------------------------------------------

  private async drain(): Promise<void> {
    for (;;) {
      const posts = await this.deps.store.slack.claimDue(this.deps.now(), this.options.batchSize, this.options.leaseMs);
      if (posts.length === 0) return;
      // In order: a conversation's parent is posted before its messages look for the thread.
      for (const post of posts) await this.send(post);
      if (!this.pump.active) return;
    }
  }

  private consoleUrl(conversationId: string): string | null {
    return this.deps.publicUrl ? `${this.deps.publicUrl}/?conversation=${encodeURIComponent(conversationId)}` : null;
  }

  private async customerName(customerId: string): Promise<string> {
    const { store } = this.deps;
    const customer = await store.customers.findById(customerId);
    if (customer?.name) return customer.name;
    const identity = (await store.customers.identities(customerId))[0];
    return identity?.value ?? 'a customer';
  }

  private async queueName(queueId: string | null): Promise<string | null> {
    return queueId ? ((await this.deps.store.queues.findById(queueId))?.name ?? null) : null;
  }

  private async authorOf(m: Message, c: Conversation): Promise<string> {
    if (m.senderType === 'customer') return this.customerName(c.customerId);
    if (m.senderType === 'agent' && m.senderId) return (await this.deps.store.users.findById(m.senderId))?.name ?? 'an agent';
    return 'Omnidesk';
  }

  /** Where a post goes and what it says; null when there is nothing to post any more. */
  private async render(a: SlackAccount, post: SlackPost): Promise<{ channel: string; threadTs?: string; text: string } | 'wait' | null> {
    const { store } = this.deps;
    const conversation = post.conversationId ? await store.conversations.findById(post.conversationId) : undefined;
    switch (post.kind) {
      case 'conversation': {
        if (!conversation) return null;
        const text = conversationPost({
          customerName: await this.customerName(conversation.customerId),
          channelKind: conversation.channelKind,
          queueName: await this.queueName(conversation.queueId),
          subject: conversation.subject,
          consoleUrl: this.consoleUrl(conversation.id),
        });
        return { channel: a.settings.channelId, text };
      }
      case 'message':
      case 'notice': {
        const message = post.messageId ? await store.messages.findById(post.messageId) : undefined;
        if (!conversation || !message) return null;
        const thread = await store.slack.threadOf(a.account.id, conversation.id);
        if (!thread) {
          const parent = await store.slack.findByKey(a.account.id, `conversation:${conversation.id}`);
          if (parent?.status === 'pending') return 'wait';
          throw new ChannelError('PERMANENT', 'the conversation’s post in Slack failed, so its thread does not exist');
        }
        const author = await this.authorOf(message, conversation);
        const text =
          post.kind === 'message'
            ? messagePost({
                author,
                from: message.senderType,
                text: message.text,
                files: message.parts.flatMap((p) => ('filename' in p && typeof p.filename === 'string' ? [p.filename] : [])),
              })
            : deliveryFailedPost({ author, code: message.errorCode, reason: message.errorMessage, text: message.text });
        return { channel: thread.slackChannel, threadTs: thread.threadTs, text };
      }
      case 'alert': {
        if (!a.settings.supervisorsChannelId) return null;
        if (typeof post.payload?.text === 'string') return { channel: a.settings.supervisorsChannelId, text: post.payload.text };
        if (!conversation) return null;
        const text = slaBreachPost({
          clock: post.payload?.sla === 'resolution' ? 'resolution' : 'first_response',
          customerName: await this.customerName(conversation.customerId),
          channelKind: conversation.channelKind,
          queueName: await this.queueName(conversation.queueId),
          assigneeName: conversation.assigneeId ? ((await store.users.findById(conversation.assigneeId))?.name ?? null) : null,
          consoleUrl: this.consoleUrl(conversation.id),
        });
        return { channel: a.settings.supervisorsChannelId, text };
      }
    }
  }

  private async send(post: SlackPost): Promise<void> {
    const { store, log, now } = this.deps;
    try {
      const a = (await this.activeAccounts()).find((x) => x.account.id === post.channelAccountId);
      if (!a) throw new ChannelError('PERMANENT', 'the Slack account is disabled or was removed');
      if (!a.credentials) throw new ChannelError('AUTH', 'the Slack account has no usable bot token; set it in Admin');
      const target = await this.render(a, post);
      if (target === 'wait') {
        await store.slack.markRetry(post.id, now() + this.options.threadWaitMs, null, now(), true);
        return;
      }
      if (!target) {
        await store.slack.markFailed(post.id, 'PERMANENT', 'what it was about no longer exists', now());
        return;
      }
      let ts: string | null;
      try {
        const sent = await slackClient(a.settings, a.credentials).chat.postMessage({
          channel: target.channel,
          text: target.text,
          ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        ts = typeof sent.ts === 'string' ? sent.ts : null;
      } catch (err) {
        throw slackChannelError(err);
      }
      if (post.kind === 'conversation' && ts && post.conversationId) {
        await store.slack.saveThread(
          { channelAccountId: a.account.id, conversationId: post.conversationId, slackChannel: target.channel, threadTs: ts },
          now(),
        );
      }
      await store.slack.markDone(post.id, ts, now());
    } catch (err) {
      const error = err instanceof ChannelError ? err : new ChannelError('TEMPORARY', err instanceof Error ? err.message : String(err));
      if (error.retryable && post.attempts < this.options.maxAttempts) {
        const delay = backoffDelay(post.attempts, this.options, Math.random, error.retryAfterMs);
        log.warn({ slackPostId: post.id, code: error.code, attempt: post.attempts, delay }, 'slack post failed; will retry');
        await store.slack.markRetry(post.id, now() + delay, { code: error.code, message: error.message }, now());
        return;
      }
      log.error({ slackPostId: post.id, key: post.dedupeKey, code: error.code, reason: error.message }, 'slack post failed');
      await store.slack.markFailed(post.id, error.code, error.message, now());
    }
  }
}
