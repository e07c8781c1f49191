// Runs campaigns on the routing leader: starts scheduled ones when their time comes, writes their
// recipients into `campaign_sends` (a one-off campaign's audience page by page, each page with its
// cursor in one transaction; a trigger's new occasions at each scan), and sends what is due, one
// message per transaction, at the campaign's rate. Everything it knows is in the database: a runner
// killed at any point, or a new leader, carries on where the last one stopped, and the unique
// (campaign, customer, occasion) key and the pending → sent compare-and-set keep it to one message each.
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';
import type { CampaignState, NewSend } from '../../db/stores/campaigns.store.js';
import { SegmentMissing } from '../../db/stores/campaign-audience.store.js';
import type { ChannelAccount } from '../domain/types.js';
import type { EventBus } from '../event-bus.js';
import { makeSendCampaignMessage } from '../usecases/crm/send-campaign-message.js';
import { Pump } from './pump.js';

export interface CampaignRunnerOptions {
  /** How often it looks for work when nothing is due sooner. */
  pollMs: number;
  /** Audience page size of a one-off campaign. */
  pageSize: number;
  /** Due recipients read at a time. */
  batchSize: number;
  /** How often a trigger looks for new occasions (orders, silences, drops). */
  triggerScanMs: number;
  /** New occasions a trigger takes per scan. */
  scanLimit: number;
}

export const DEFAULT_CAMPAIGN_OPTIONS: CampaignRunnerOptions = {
  pollMs: 1_000,
  pageSize: 500,
  batchSize: 200,
  triggerScanMs: 5 * 60_000,
  scanLimit: 2_000,
};

export class CampaignRunner {
  private readonly pump: Pump;
  private readonly send: ReturnType<typeof makeSendCampaignMessage>;
  private timer: NodeJS.Timeout | undefined;
  /** Per campaign, the last recipient looked at ahead of the rate (see settleAhead). */
  private readonly ahead = new Map<string, string>();

  constructor(
    private readonly deps: {
      store: Store;
      events: EventBus;
      log: Logger;
      now: () => number;
      /** Whether this node runs campaigns (it leads routing); others stay idle. */
      active: () => boolean;
    },
    private readonly options: CampaignRunnerOptions = DEFAULT_CAMPAIGN_OPTIONS,
  ) {
    this.send = makeSendCampaignMessage(deps);
    this.pump = new Pump(
      () => this.pass(),
      options.pollMs,
      (err) => deps.log.error({ err }, 'campaign pass failed'),
    );
  }

  start(): void {
    this.pump.start();
  }

  /** Looks now (a campaign was started or resumed). */
  kick(): void {
    this.pump.kick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.pump.stop();
  }

  private get running(): boolean {
    return this.pump.active && this.deps.active();
  }

  private async pass(): Promise<void> {
    if (!this.running) return;
    const { store, now } = this.deps;
    for (const c of await store.campaigns.withStatus(['scheduled'])) {
      if (c.sendAt === null || c.sendAt <= now())
        await store.campaigns.setStatus(c.id, 'scheduled', 'running', now(), { startedAt: now() });
    }
    let wake = Infinity;
    for (const c of await store.campaigns.withStatus(['running'])) {
      if (!this.running) return;
      try {
        wake = Math.min(wake, await this.run(c));
      } catch (err) {
        this.deps.log.error({ err, campaignId: c.id }, 'campaign run failed');
      }
    }
    // The next slot or due recipient comes before the next poll: wake for it.
    clearTimeout(this.timer);
    const delay = wake - now();
    if (Number.isFinite(wake) && delay < this.options.pollMs) {
      this.timer = setTimeout(() => this.kick(), Math.max(0, delay));
      this.timer.unref();
    }
  }

  /** Collects and sends for one running campaign; returns when it next has something to do. */
  private async run(c: CampaignState): Promise<number> {
    const { store, now, log } = this.deps;
    const account = await store.channelAccounts.findById(c.channelAccountId);
    // A disabled account holds its campaigns back (recipients stay pending) until it is enabled again.
    if (!account?.active) return Infinity;
    try {
      await this.collect(c);
    } catch (err) {
      if (!(err instanceof SegmentMissing)) throw err;
      log.warn({ campaignId: c.id, segmentId: c.segmentId }, 'campaign paused: its segment no longer exists');
      await store.campaigns.setStatus(c.id, 'running', 'paused', now());
      return Infinity;
    }
    const waitUntil = await this.sendDue(c, account);
    if (waitUntil !== undefined) return waitUntil;
    const fresh = await store.campaigns.findById(c.id);
    if (!fresh || fresh.status !== 'running') return Infinity;
    const nextDue = await store.campaigns.nextDueAt(c.id);
    if (fresh.trigger.kind === 'once') {
      if (fresh.audienceDoneAt !== null && nextDue === undefined) {
        await store.campaigns.setStatus(c.id, 'running', 'done', now(), { finishedAt: now() });
        log.info({ campaignId: c.id }, 'campaign done');
      }
      return nextDue ?? Infinity;
    }
    return Math.min(nextDue ?? Infinity, (fresh.scannedAt ?? 0) + this.options.triggerScanMs);
  }

  /** Sends the due recipients, oldest first; returns the time of the next rate slot when the limit stopped it. */
  private async sendDue(c: CampaignState, account: ChannelAccount): Promise<number | undefined> {
    const { store, now } = this.deps;
    for (;;) {
      const due = await store.campaigns.due(c.id, now(), this.options.batchSize);
      for (const s of due) {
        if (!this.running) return Infinity;
        const outcome = await this.send(c.id, s.id, account);
        if (outcome.kind === 'wait') return this.settleAhead(c, account, s.id, outcome.until);
        // Not pending any more (another node sent it), or the campaign was paused or ended meanwhile.
        if (outcome.kind === 'gone' && (await store.campaigns.findById(c.id))?.status !== 'running') return Infinity;
      }
      if (due.length < this.options.batchSize) return undefined;
    }
  }

  /**
   * Until the next slot, goes on through the recipients after the one waiting (by id, each once per
   * process): those to skip (no consent…) are settled now, so they never wait behind the rate; the others
   * wait their turn (and are checked again when it comes).
   */
  private async settleAhead(c: CampaignState, account: ChannelAccount, waitingId: string, slotAt: number): Promise<number> {
    const { store, now } = this.deps;
    const seen = this.ahead.get(c.id);
    let after = seen !== undefined && seen > waitingId ? seen : waitingId;
    while (this.running && now() < slotAt) {
      const rows = await store.campaigns.pendingAfter(c.id, after, now(), 50);
      for (const s of rows) {
        if (!this.running || now() >= slotAt) break;
        await this.send(c.id, s.id, account);
        after = s.id;
      }
      this.ahead.set(c.id, after);
      if (rows.length < 50) break;
    }
    return slotAt;
  }

  /** Writes new recipients: the next pages of a one-off campaign's audience, or a trigger's new occasions. */
  private async collect(c: CampaignState): Promise<void> {
    const { store, now } = this.deps;
    const { pageSize } = this.options;
    if (c.trigger.kind === 'once') {
      if (c.audienceDoneAt !== null) return;
      let cursor = c.audienceCursor;
      for (;;) {
        if (!this.running) return;
        const ids = await store.campaignAudience.page(c.segmentId, cursor, pageSize, now());
        const at = now();
        const sends = ids.map((customerId): NewSend => ({ customerId, occasion: '', dueAt: at }));
        const done = ids.length < pageSize;
        cursor = ids.at(-1) ?? cursor;
        // The page and the cursor past it commit together: a restart takes the next page, never skips one.
        await store.transaction((tx) => tx.campaigns.addSends(c.id, sends, at, { cursor, done }));
        if (done) return;
      }
    }
    if (c.scannedAt !== null && now() - c.scannedAt < this.options.triggerScanMs) return;
    const at = now();
    const { scanLimit } = this.options;
    const startedAt = c.startedAt ?? at;
    const sends =
      c.trigger.kind === 'after_purchase'
        ? await store.campaignAudience.afterPurchase(c.id, c.segmentId, c.trigger.delayHours, startedAt, at, scanLimit)
        : c.trigger.kind === 'silent_for_days'
          ? await store.campaignAudience.silentFor(c.id, c.segmentId, c.trigger.days, at, scanLimit)
          : await store.campaignAudience.activityDropped(c.id, c.segmentId, c.trigger.windowDays, c.trigger.dropPercent, at, scanLimit);
    await store.campaigns.addSends(c.id, sends, at);
    await store.campaigns.setScannedAt(c.id, at);
  }
}
