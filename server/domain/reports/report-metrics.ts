// A cell's figures as reports show them: counts, exact averages, medians and 90th percentiles read
// from the histograms, and percentages. Pure.
import { quantile } from './histogram.js';
import type { ReportCell } from './report-cell.js';

/** A cell's figures as a report shows them: counts, averages, estimated medians and 90th percentiles, percentages. */
export interface ReportMetrics {
  conversations: number;
  firstResponses: number;
  firstResponseAvgMs: number | null;
  firstResponseMedianMs: number | null;
  firstResponseP90Ms: number | null;
  resolved: number;
  resolutionAvgMs: number | null;
  resolutionMedianMs: number | null;
  resolutionP90Ms: number | null;
  handled: number;
  handleAvgMs: number | null;
  slaFirstResponseMet: number;
  slaFirstResponseMissed: number;
  /** Met ÷ (met + missed) × 100; null when no clock has an outcome. */
  slaFirstResponsePct: number | null;
  slaResolutionMet: number;
  slaResolutionMissed: number;
  slaResolutionPct: number | null;
  queued: number;
  abandoned: number;
  /** Abandoned ÷ queued × 100. */
  abandonmentPct: number | null;
  csatResponses: number;
  /** Average score (1-5), two decimals. */
  csatAvg: number | null;
  campaignSends: number;
  campaignReplies: number;
  /** Replies ÷ sends × 100. */
  campaignReplyPct: number | null;
}

const average = (sum: number, n: number): number | null => (n > 0 ? Math.round(sum / n) : null);
const percent = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 100 : null);

export function metricsOf(c: ReportCell): ReportMetrics {
  return {
    conversations: c.conversations,
    firstResponses: c.firstResponses,
    firstResponseAvgMs: average(c.firstResponseMs, c.firstResponses),
    firstResponseMedianMs: quantile(c.firstResponseHist, 0.5),
    firstResponseP90Ms: quantile(c.firstResponseHist, 0.9),
    resolved: c.resolved,
    resolutionAvgMs: average(c.resolutionMs, c.resolved),
    resolutionMedianMs: quantile(c.resolutionHist, 0.5),
    resolutionP90Ms: quantile(c.resolutionHist, 0.9),
    handled: c.handled,
    handleAvgMs: average(c.handleMs, c.handled),
    slaFirstResponseMet: c.slaFirstResponseMet,
    slaFirstResponseMissed: c.slaFirstResponseMissed,
    slaFirstResponsePct: percent(c.slaFirstResponseMet, c.slaFirstResponseMet + c.slaFirstResponseMissed),
    slaResolutionMet: c.slaResolutionMet,
    slaResolutionMissed: c.slaResolutionMissed,
    slaResolutionPct: percent(c.slaResolutionMet, c.slaResolutionMet + c.slaResolutionMissed),
    queued: c.queued,
    abandoned: c.abandoned,
    abandonmentPct: percent(c.abandoned, c.queued),
    csatResponses: c.csatResponses,
    csatAvg: c.csatResponses > 0 ? Math.round((c.csatSum / c.csatResponses) * 100) / 100 : null,
    campaignSends: c.campaignSends,
    campaignReplies: c.campaignReplies,
    campaignReplyPct: percent(c.campaignReplies, c.campaignSends),
  };
}
