// Keeps one customer's value current as their data arrives: order metrics, RFM scores against the
// last full refresh's cuts, the tier and the VIP flag (a supervisor's overrides win). Runs inside the
// caller's transaction; the caller publishes `customer.updated` after commit when the tier or VIP changed.
import type { Stores } from '../../../db/store.js';
import {
  daysSince,
  effectiveCuts,
  quintileCuts,
  valueOf,
  windowStart,
  type CrmSettings,
  type CustomerValue,
  type RfmCuts,
} from '../../domain/crm/rfm.js';

export interface Rescored {
  customerId: string;
  value: CustomerValue;
  /** The effective tier or VIP flag changed (routing priority and open consoles care). */
  tierChanged: boolean;
}

/** Scores customers in one transaction, reading the settings and cuts once. */
export async function makeScorer(tx: Stores, now: number): Promise<(customerId: string) => Promise<Rescored | undefined>> {
  const settings = await tx.crmSettings.settings();
  let cuts: RfmCuts | undefined;
  return async (customerId) => {
    const stored = await tx.customerValue.find(customerId);
    if (!stored || stored.mergedInto) return undefined;
    const summary = await tx.orders.summaryOf(customerId, windowStart(settings, now));
    cuts ??= await cutsFor(tx, settings, now, summary);
    const value = valueOf(summary, cuts, settings, { tier: stored.tierOverride, vip: stored.vipOverride }, now);
    await tx.customerValue.write(customerId, summary, value, now);
    return { customerId, value, tierChanged: stored.valueTier !== value.valueTier || stored.vip !== value.vip };
  };
}

/**
 * The last full refresh's quintiles; before the first one (a new desk), the quintiles of the customers
 * scored so far, this one included.
 */
async function cutsFor(
  tx: Stores,
  settings: CrmSettings,
  now: number,
  current: { lastOrderAt: number | null; windowOrders: number; windowSpent: number },
) {
  if (settings.scoring.mode === 'fixed') return effectiveCuts(settings, null);
  const stored = await tx.crmSettings.cuts();
  if (stored) return stored.cuts;
  const population = await tx.customerValue.population();
  if (current.lastOrderAt !== null)
    population.push({ lastOrderAt: current.lastOrderAt, windowOrders: current.windowOrders, windowSpent: current.windowSpent });
  return {
    recencyDays: quintileCuts(population.map((p) => daysSince(p.lastOrderAt, now))),
    frequency: quintileCuts(population.map((p) => p.windowOrders)),
    monetary: quintileCuts(population.map((p) => p.windowSpent)),
  };
}
