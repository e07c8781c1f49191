// The value side's administration: the CRM settings (currency, window, scoring, tier thresholds, VIP
// tiers), the full RFM refresh (on demand, after a settings change or a large import, and every
// `refreshEveryHours` on the routing leader), and a customer's value as the console shows it.
import type { Logger } from 'pino';
import type { SegmentReads } from '../../../db/crm/segment-reads.js';
import type { RefreshReport } from '../../../db/crm/rfm-refresh.js';
import { notFound } from '../../domain/errors.js';
import { formatAmount } from '../../domain/crm/orders.js';
import type { CrmSettings } from '../../domain/crm/rfm.js';
import type { RefreshSummary, RfmStatus } from '../../domain/crm/value-status.js';
import type { Actor } from '../../domain/policy.js';
import type { Deps } from '../deps.js';

export function makeCustomerValueAdmin(deps: Deps & { log: Logger }, reads: SegmentReads) {
  const { store } = deps;
  let running: Promise<RefreshSummary> | undefined;
  let last: RefreshSummary | null = null;

  async function runRefresh(): Promise<RefreshSummary> {
    const settings = await store.crmSettings.settings();
    const now = deps.now();
    const report: RefreshReport = await reads.refresh(settings, now);
    await store.crmSettings.saveCuts({ cuts: report.cuts, computedAt: now, population: report.scored }, deps.now());
    for (const c of report.changed) {
      deps.events.publish({ type: 'customer.updated', customerId: c.customerId, mergedInto: null, conversationIds: c.conversationIds });
    }
    last = {
      at: now,
      ms: report.ms,
      customers: report.customers,
      scored: report.scored,
      written: report.written,
      tierChanges: report.tierChanges,
    };
    deps.log.info(last, 'crm: RFM refresh done');
    return last;
  }

  /** One refresh at a time on this node; a second request joins the running one. */
  const refresh = (): Promise<RefreshSummary> =>
    (running ??= runRefresh().finally(() => {
      running = undefined;
    }));

  const refreshLater = (): void => {
    refresh().catch((err: unknown) => deps.log.error({ err }, 'crm: RFM refresh failed'));
  };

  return {
    refresh,
    refreshLater,

    async status(): Promise<RfmStatus> {
      return {
        settings: await store.crmSettings.settings(),
        cuts: (await store.crmSettings.cuts()) ?? null,
        lastRefresh: last,
        refreshing: running !== undefined,
      };
    },

    /** Saves the settings; every customer is rescored in the background (tiers may move). */
    async updateSettings(actor: Actor, settings: CrmSettings): Promise<CrmSettings> {
      const now = deps.now();
      await store.crmSettings.saveSettings(settings, now);
      await store.audit.record(
        { actorType: 'user', actorId: actor.id, action: 'crm.settings', targetType: 'crm', targetId: null, data: { ...settings } },
        now,
      );
      refreshLater();
      return settings;
    },

    /** Whether the scores are older than the settings allow (the leader's periodic check). */
    async due(now: number): Promise<boolean> {
      const [settings, cuts] = await Promise.all([store.crmSettings.settings(), store.crmSettings.cuts()]);
      if (!cuts) return store.orders.any();
      return now - cuts.computedAt >= settings.refreshEveryHours * 3_600_000;
    },

    /** A customer's value as the console shows it. */
    async valueOf(customerId: string) {
      const v = await store.customerValue.find(customerId);
      if (!v) throw notFound('customer');
      const settings = await store.crmSettings.settings();
      return {
        currency: settings.currency,
        orderCount: v.orderCount,
        totalSpent: formatAmount(v.totalSpent),
        lastOrderAt: v.lastOrderAt,
        windowDays: settings.windowDays,
        windowOrders: v.windowOrders,
        windowSpent: formatAmount(v.windowSpent),
        scores: { recency: v.recency, frequency: v.frequency, monetary: v.monetary },
        valueTier: v.valueTier,
        vip: v.vip,
        tierOverride: v.tierOverride,
        vipOverride: v.vipOverride,
        scoredAt: v.scoredAt,
      };
    },
  };
}

export type CustomerValueAdmin = ReturnType<typeof makeCustomerValueAdmin>;

/** Runs the full refresh when it is due, on the node that leads routing (one node does it). */
export class RfmScheduler {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly deps: { admin: CustomerValueAdmin; leading: () => boolean; now: () => number; log: Logger },
    private readonly everyMs = 10 * 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<void> {
    if (this.checking || !this.deps.leading()) return;
    this.checking = true;
    try {
      if (await this.deps.admin.due(this.deps.now())) await this.deps.admin.refresh();
    } catch (err) {
      this.deps.log.error({ err }, 'crm: scheduled RFM refresh failed');
    } finally {
      this.checking = false;
    }
  }
}
