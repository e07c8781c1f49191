// What the RFM side reports about itself: the last full refresh and the status the admin's Value tiers
// tab shows. Shapes only (the API's answers), shared by the server and the console.
import type { CrmSettings, RfmCuts } from './rfm.js';

export interface RefreshSummary {
  at: number;
  ms: number;
  customers: number;
  scored: number;
  written: number;
  tierChanges: number;
}

export interface RfmStatus {
  settings: CrmSettings;
  /** The quintile cuts of the last full refresh (monetary in hundredths). */
  cuts: { cuts: RfmCuts; computedAt: number; population: number } | null;
  lastRefresh: RefreshSummary | null;
  refreshing: boolean;
}
