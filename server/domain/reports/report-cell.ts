// What a report counts, as additive cells: per local day and channel, queue or agent in the daily
// rollup, and merged into groups, days and totals when a report is read. A conversation is first
// turned into fact rows (one per channel, queue and agent it counts for), which add into cells. A conversation counts in the
// day it was created (a cohort): its first response, resolution, SLA outcome, abandonment and CSAT all
// belong to that day, whenever they happened. Pure: facts and the clock in, counts out.
import { durationBin, emptyHistogram, mergeHistogram, type Histogram } from './histogram.js';
import type { CellRow } from './report.js';

/** One conversation as reports see it (db/stores/reports.store.ts reads it from the conversation and its routing events). */
export interface ConversationFacts {
  id: string;
  customerId: string;
  createdAt: number;
  channel: string;
  /** The queue and agent it has now (the last ones to hold it); null: none. */
  queueId: string | null;
  agentId: string | null;
  status: string;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  firstResponseDueAt: number | null;
  resolutionDueAt: number | null;
  /** Its resolutions by agents, each with the handle time from the routing assignment (routing events). */
  handles: HandleFact[];
  /** The customer left while it waited in a queue (a routing event). */
  abandoned: boolean;
  /** Its answered satisfaction survey (at most one), counted for the queue and agent it was resolved by. */
  csat: CsatFact[];
}

export interface CsatFact {
  score: number;
  queueId: string | null;
  agentId: string | null;
}

export interface HandleFact {
  queueId: string | null;
  agentId: string | null;
  handleMs: number;
}

/** A campaign message sent to a customer, and whether the customer wrote back. */
export interface CampaignSendFacts {
  sentAt: number;
  channel: string;
  replied: boolean;
}

export interface ReportCell {
  conversations: number;
  firstResponses: number;
  firstResponseMs: number;
  firstResponseHist: Histogram;
  resolved: number;
  resolutionMs: number;
  resolutionHist: Histogram;
  handled: number;
  handleMs: number;
  slaFirstResponseMet: number;
  slaFirstResponseMissed: number;
  slaResolutionMet: number;
  slaResolutionMissed: number;
  /** Conversations that waited in a queue, and those abandoned there. */
  queued: number;
  abandoned: number;
  csatResponses: number;
  csatSum: number;
  campaignSends: number;
  campaignReplies: number;
}

/** The additive counters of a cell (everything but the histograms). */
export const CELL_COUNTERS = [
  'conversations',
  'firstResponses',
  'firstResponseMs',
  'resolved',
  'resolutionMs',
  'handled',
  'handleMs',
  'slaFirstResponseMet',
  'slaFirstResponseMissed',
  'slaResolutionMet',
  'slaResolutionMissed',
  'queued',
  'abandoned',
  'csatResponses',
  'csatSum',
  'campaignSends',
  'campaignReplies',
] as const satisfies readonly (keyof ReportCell)[];

export type CellCounter = (typeof CELL_COUNTERS)[number];

export const emptyCell = (): ReportCell => ({
  conversations: 0,
  firstResponses: 0,
  firstResponseMs: 0,
  firstResponseHist: emptyHistogram(),
  resolved: 0,
  resolutionMs: 0,
  resolutionHist: emptyHistogram(),
  handled: 0,
  handleMs: 0,
  slaFirstResponseMet: 0,
  slaFirstResponseMissed: 0,
  slaResolutionMet: 0,
  slaResolutionMissed: 0,
  queued: 0,
  abandoned: 0,
  csatResponses: 0,
  csatSum: 0,
  campaignSends: 0,
  campaignReplies: 0,
});

const earliest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));

/** Adds `from` into `into`, `sign` times (−1 takes it out). */
export function mergeCell(into: ReportCell, from: ReportCell, sign = 1): ReportCell {
  for (const key of CELL_COUNTERS) into[key] += sign * from[key];
  mergeHistogram(into.firstResponseHist, from.firstResponseHist, sign);
  mergeHistogram(into.resolutionHist, from.resolutionHist, sign);
  return into;
}

/** Whether a cell counts nothing (every counter and bin zero): a rollup row that can go. */
export function isEmptyCell(c: ReportCell): boolean {
  if (CELL_COUNTERS.some((k) => c[k] !== 0)) return false;
  return c.firstResponseHist.every((n) => n === 0) && c.resolutionHist.every((n) => n === 0);
}

export type ClockOutcome = { outcome: 'met' | 'missed' | 'none' } | { outcome: 'pending'; dueAt: number };

const isResolved = (c: ConversationFacts): c is ConversationFacts & { resolvedAt: number } =>
  c.status === 'resolved' && c.resolvedAt !== null;

/**
 * The first-response clock as of `asOf`: met when the first public reply came before due, missed when at
 * or after due or still unanswered past due. Resolved before due with no reply, the clock just stopped.
 */
export function firstResponseClock(c: ConversationFacts, asOf: number): ClockOutcome {
  const due = c.firstResponseDueAt;
  if (due === null) return { outcome: 'none' };
  if (c.firstResponseAt !== null) return { outcome: c.firstResponseAt < due ? 'met' : 'missed' };
  if (isResolved(c)) return { outcome: c.resolvedAt < due ? 'none' : 'missed' };
  return due <= asOf ? { outcome: 'missed' } : { outcome: 'pending', dueAt: due };
}

/** The resolution clock as of `asOf`: met when resolved before due, missed at or after due or unresolved past due. */
export function resolutionClock(c: ConversationFacts, asOf: number): ClockOutcome {
  const due = c.resolutionDueAt;
  if (due === null) return { outcome: 'none' };
  if (isResolved(c)) return { outcome: c.resolvedAt < due ? 'met' : 'missed' };
  return due <= asOf ? { outcome: 'missed' } : { outcome: 'pending', dueAt: due };
}

/** The counters a fact row carries (campaign figures never come from conversations). */
export type FactCounter = Exclude<CellCounter, 'campaignSends' | 'campaignReplies'>;
export const FACT_COUNTERS = CELL_COUNTERS.filter((k): k is FactCounter => k !== 'campaignSends' && k !== 'campaignReplies');

/**
 * A conversation's contribution to the figures of one (channel, queue, agent): its own row (seq 0),
 * and a row per other queue and agent that resolved it (handle time) or was rated for it (CSAT).
 */
export interface FactRow {
  seq: number;
  channel: string;
  /** '' for none. */
  queueId: string;
  agentId: string;
  counts: Record<FactCounter, number>;
  firstResponseBin: number | null;
  resolutionBin: number | null;
  /** The earliest due time of an SLA clock still running (the row changes then, with no write), if any. */
  nextCheckAt: number | null;
}

const zeroCounts = (): Record<FactCounter, number> => ({
  conversations: 0,
  firstResponses: 0,
  firstResponseMs: 0,
  resolved: 0,
  resolutionMs: 0,
  handled: 0,
  handleMs: 0,
  slaFirstResponseMet: 0,
  slaFirstResponseMissed: 0,
  slaResolutionMet: 0,
  slaResolutionMissed: 0,
  queued: 0,
  abandoned: 0,
  csatResponses: 0,
  csatSum: 0,
});

/**
 * A conversation's fact rows as of `asOf`. Everything counts for the conversation's channel, queue and
 * agent, except handle time and CSAT, which count for the queue and agent of the resolution they follow.
 */
export function factRowsOf(c: ConversationFacts, asOf: number): FactRow[] {
  const queueId = c.queueId ?? '';
  const agentId = c.agentId ?? '';
  const own: FactRow = {
    seq: 0,
    channel: c.channel,
    queueId,
    agentId,
    counts: zeroCounts(),
    firstResponseBin: null,
    resolutionBin: null,
    nextCheckAt: null,
  };
  const k = own.counts;
  k.conversations = 1;
  if (c.firstResponseAt !== null) {
    const ms = Math.max(0, c.firstResponseAt - c.createdAt);
    k.firstResponses = 1;
    k.firstResponseMs = ms;
    own.firstResponseBin = durationBin(ms);
  }
  if (isResolved(c)) {
    const ms = Math.max(0, c.resolvedAt - c.createdAt);
    k.resolved = 1;
    k.resolutionMs = ms;
    own.resolutionBin = durationBin(ms);
  }
  const first = firstResponseClock(c, asOf);
  if (first.outcome === 'met') k.slaFirstResponseMet = 1;
  else if (first.outcome === 'missed') k.slaFirstResponseMissed = 1;
  else if (first.outcome === 'pending') own.nextCheckAt = earliest(own.nextCheckAt, first.dueAt);
  const resolution = resolutionClock(c, asOf);
  if (resolution.outcome === 'met') k.slaResolutionMet = 1;
  else if (resolution.outcome === 'missed') k.slaResolutionMissed = 1;
  else if (resolution.outcome === 'pending') own.nextCheckAt = earliest(own.nextCheckAt, resolution.dueAt);
  if (c.queueId !== null) k.queued = 1;
  if (c.abandoned) k.abandoned = 1;

  const rows = [own];
  const rowFor = (q: string | null, a: string | null): FactRow => {
    const qid = q ?? queueId;
    const aid = a ?? agentId;
    let row = rows.find((r) => r.queueId === qid && r.agentId === aid);
    if (!row) {
      row = {
        ...own,
        seq: rows.length,
        queueId: qid,
        agentId: aid,
        counts: zeroCounts(),
        firstResponseBin: null,
        resolutionBin: null,
        nextCheckAt: null,
      };
      rows.push(row);
    }
    return row;
  };
  for (const h of c.handles) {
    const row = rowFor(h.queueId, h.agentId);
    row.counts.handled++;
    row.counts.handleMs += Math.max(0, h.handleMs);
  }
  for (const rating of c.csat) {
    const row = rowFor(rating.queueId, rating.agentId);
    row.counts.csatResponses++;
    row.counts.csatSum += rating.score;
  }
  return rows;
}

/** Adds a fact row into a cell, `sign` times (−1 takes it out). */
export function addFact(cell: ReportCell, f: Pick<FactRow, 'counts' | 'firstResponseBin' | 'resolutionBin'>, sign = 1): void {
  for (const key of FACT_COUNTERS) cell[key] += sign * f.counts[key];
  if (f.firstResponseBin !== null) cell.firstResponseHist[f.firstResponseBin]! += sign;
  if (f.resolutionBin !== null) cell.resolutionHist[f.resolutionBin]! += sign;
}

/** Counts a campaign send in a cell (campaigns have a channel but no queue or agent). */
export function addCampaignSend(cell: ReportCell, s: CampaignSendFacts): void {
  cell.campaignSends++;
  if (s.replied) cell.campaignReplies++;
}

/** A cell of a map keyed by day and group, created empty when missing. */
export function cellAt(cells: Map<string, CellRow>, day: number, key: string): ReportCell {
  const id = `${day}|${key}`;
  let row = cells.get(id);
  if (!row) cells.set(id, (row = { day, key, cell: emptyCell() }));
  return row.cell;
}
