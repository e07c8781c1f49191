// RFM scoring and value tiers, pure. A customer with orders gets three scores of 1-5:
//   recency   — days since the last order (fewer is better),
//   frequency — orders within the scoring window (more is better),
//   monetary  — spend within the scoring window (more is better).
// A score compares the customer's value with four cut points. By default the cuts are the quintiles of
// the customers who have orders (recomputed by each full refresh, so a fifth of them land in each
// score unless ties crowd a boundary); an admin may fix the cuts instead. A value equal to a cut falls
// in the lower band: cuts [2, 4, 6, 8] give frequency 1 for 0-2 orders, 2 for 3-4, … 5 for 9 or more.
// The tier follows from window spend or the RFM total against the admin's thresholds; VIP from the
// tier, unless a supervisor set either by hand.
import type { ValueTier } from '../types.js';

export const DAY_MS = 86_400_000;

/** Four non-decreasing cut points between the five score bands. */
export type Cuts = readonly [number, number, number, number];

export interface RfmCuts {
  /** Days since the last order. */
  recencyDays: Cuts;
  /** Orders within the window. */
  frequency: Cuts;
  /** Spend within the window, hundredths. */
  monetary: Cuts;
}

export type TierBasis = 'monetary' | 'rfm';

export interface CrmSettings {
  /** The desk's trading currency: every order is in it (ISO 4217). */
  currency: string;
  /** Frequency and monetary count the orders of the last `windowDays` days. */
  windowDays: number;
  /** `quintiles`: cuts recomputed from the population at each full refresh; `fixed`: the admin's cuts (monetary in major units). */
  scoring: { mode: 'quintiles' } | { mode: 'fixed'; cuts: RfmCuts };
  /**
   * The lowest value of each tier: window spend in major units (`monetary`), or R+F+M (3-15, `rfm`).
   * A customer below bronze, or without orders, has no tier.
   */
  tiers: { basis: TierBasis; thresholds: Record<ValueTier, number> };
  /** Tiers whose customers are VIP (unless a supervisor says otherwise). */
  vipTiers: ValueTier[];
  /** How often the routing leader runs a full refresh (recency ages even when no order arrives). */
  refreshEveryHours: number;
}

export const DEFAULT_CRM_SETTINGS: CrmSettings = {
  currency: 'THB',
  windowDays: 365,
  scoring: { mode: 'quintiles' },
  tiers: { basis: 'monetary', thresholds: { platinum: 100_000, gold: 30_000, silver: 10_000, bronze: 1 } },
  vipTiers: ['platinum'],
  refreshEveryHours: 24,
};

/** What scoring reads of a customer: their order history, summarized. */
export interface OrderSummary {
  orderCount: number;
  /** Epoch ms; null without orders. */
  lastOrderAt: number | null;
  windowOrders: number;
  /** Hundredths. */
  windowSpent: number;
}

export interface Scores {
  recency: number | null;
  frequency: number | null;
  monetary: number | null;
}

export interface CustomerValue extends Scores {
  /** The computed tier (before any override). */
  computedTier: ValueTier | null;
  /** What routing and segments see: the override, else the computed tier. */
  valueTier: ValueTier | null;
  vip: boolean;
}

/** 1-5 for a value where more is better: 1 + the number of cuts the value exceeds. */
export function scoreHigherBetter(value: number, cuts: Cuts): number {
  let score = 1;
  for (const cut of cuts) if (value > cut) score++;
  return score;
}

/** 1-5 for a value where less is better (days since the last order): 5 − the number of cuts it exceeds. */
export function scoreLowerBetter(value: number, cuts: Cuts): number {
  return 6 - scoreHigherBetter(value, cuts);
}

/** Whole days from `at` to `now` (0 on the day itself; never negative). */
export const daysSince = (at: number, now: number): number => Math.max(0, Math.floor((now - at) / DAY_MS));

export function scoreCustomer(summary: OrderSummary, cuts: RfmCuts, now: number): Scores {
  if (summary.orderCount === 0 || summary.lastOrderAt === null) return { recency: null, frequency: null, monetary: null };
  return {
    recency: scoreLowerBetter(daysSince(summary.lastOrderAt, now), cuts.recencyDays),
    frequency: scoreHigherBetter(summary.windowOrders, cuts.frequency),
    monetary: scoreHigherBetter(summary.windowSpent, cuts.monetary),
  };
}

const TIERS_DESC: ValueTier[] = ['platinum', 'gold', 'silver', 'bronze'];

/** The highest tier whose threshold the customer reaches; null without orders or below bronze. */
export function tierFor(summary: OrderSummary, scores: Scores, tiers: CrmSettings['tiers']): ValueTier | null {
  if (summary.orderCount === 0 || scores.recency === null) return null;
  // Monetary thresholds are major units; spend is hundredths (compared exactly in hundredths).
  const value = tiers.basis === 'monetary' ? summary.windowSpent : scores.recency + scores.frequency! + scores.monetary!;
  const scale = tiers.basis === 'monetary' ? 100 : 1;
  for (const tier of TIERS_DESC) if (value >= Math.round(tiers.thresholds[tier] * scale)) return tier;
  return null;
}

export function valueOf(
  summary: OrderSummary,
  cuts: RfmCuts,
  settings: Pick<CrmSettings, 'tiers' | 'vipTiers'>,
  overrides: { tier: ValueTier | null; vip: boolean | null },
  now: number,
): CustomerValue {
  const scores = scoreCustomer(summary, cuts, now);
  const computedTier = tierFor(summary, scores, settings.tiers);
  const valueTier = overrides.tier ?? computedTier;
  const vip = overrides.vip ?? (valueTier !== null && settings.vipTiers.includes(valueTier));
  return { ...scores, computedTier, valueTier, vip };
}

/**
 * Nearest-rank quantile cuts (20/40/60/80 %) of `values`: the k-th cut is the value at rank ⌈k·n/5⌉.
 * With five distinct values each lands in its own band. No values: all cuts 0.
 */
export function quintileCuts(values: ArrayLike<number>): Cuts {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return [0, 0, 0, 0];
  const at = (k: number) => sorted[Math.max(0, Math.ceil((k * n) / 5) - 1)]!;
  return [at(1), at(2), at(3), at(4)];
}

/** The cuts scoring uses: the fixed ones (monetary converted to hundredths), or the last refresh's quintiles. */
export function effectiveCuts(settings: CrmSettings, quintiles: RfmCuts | null): RfmCuts {
  if (settings.scoring.mode === 'fixed') {
    const c = settings.scoring.cuts;
    const [m1, m2, m3, m4] = c.monetary.map((v) => Math.round(v * 100)) as [number, number, number, number];
    return { ...c, monetary: [m1, m2, m3, m4] };
  }
  return quintiles ?? { recencyDays: [0, 0, 0, 0], frequency: [0, 0, 0, 0], monetary: [0, 0, 0, 0] };
}

/** Window start for frequency and monetary. */
export const windowStart = (settings: Pick<CrmSettings, 'windowDays'>, now: number): number => now - settings.windowDays * DAY_MS;
