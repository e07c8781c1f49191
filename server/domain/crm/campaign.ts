// Proactive outbound campaigns: what a campaign is, who may receive it, and the pace it keeps.
// Pure: consent, identities and the clock in, decisions out.
import type { Consent } from '../customer-merge.js';
import { MESSENGER_WINDOW_MS } from '../messenger-window.js';
import type { ChannelKind, CustomerIdentity } from '../types.js';

export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'done';
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'done'] as const satisfies readonly CampaignStatus[];

/**
 * When a campaign sends. `once`: its segment, once, at `sendAt` (or when scheduled). The others run
 * until they are ended and fire per customer and occasion: `after_purchase` a set time after each
 * order (a service reminder), `silent_for_days` when a customer has not been in touch for N days,
 * `activity_dropped` when a customer's orders in the last `windowDays` fell by `dropPercent` or more
 * against the window before (a win-back).
 */
export type CampaignTrigger =
  | { kind: 'once' }
  | { kind: 'after_purchase'; delayHours: number }
  | { kind: 'silent_for_days'; days: number }
  | { kind: 'activity_dropped'; windowDays: number; dropPercent: number };
export type CampaignTriggerKind = CampaignTrigger['kind'];
export const TRIGGER_KINDS = [
  'once',
  'after_purchase',
  'silent_for_days',
  'activity_dropped',
] as const satisfies readonly CampaignTriggerKind[];

/** The fields an admin writes: all of them to create a campaign, any of them to change one. */
export interface NewCampaign {
  name: string;
  segmentId: string | null;
  channelAccountId: string;
  /** Email: the subject of a conversation the campaign starts. */
  subject: string | null;
  template: string;
  trigger: CampaignTrigger;
  /** A one-off campaign's start; null = as soon as it is scheduled. */
  sendAt: number | null;
  ratePerMinute: number;
}

export interface Campaign extends NewCampaign {
  id: string;
  status: CampaignStatus;
  createdBy: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Why a recipient was not sent the campaign. */
export type SkipReason = 'no_consent' | 'opted_out' | 'no_identity' | 'outside_window' | 'merged' | 'empty_message';
export const SKIP_REASONS = [
  'no_consent',
  'opted_out',
  'no_identity',
  'outside_window',
  'merged',
  'empty_message',
] as const satisfies readonly SkipReason[];

/** Channels a campaign may use: those that can reach a customer who is not writing right now. */
export const CAMPAIGN_CHANNELS = ['sms', 'email', 'line', 'messenger', 'web_chat'] as const satisfies readonly ChannelKind[];
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];
export const isCampaignChannel = (kind: ChannelKind): kind is CampaignChannel => (CAMPAIGN_CHANNELS as readonly string[]).includes(kind);

export const MAX_RATE_PER_MINUTE = 6000;

/** What the campaign message keeps in its meta. */
export interface CampaignMessageMeta {
  campaignId: string;
  name: string;
  sendId: string;
}

export interface Recipient {
  channelKind: ChannelKind;
  /** The channel account's scope for channel-scoped ids: LINE channel id, Messenger page id, web chat account id. */
  scope: string;
  consent: Consent | undefined;
  identities: CustomerIdentity[];
  merged: boolean;
  /** Messenger: the customer's last message on this page (its 24-hour window). */
  lastCustomerMessageAt: number | null;
}

/**
 * Who may receive a campaign: a live profile that opted in on the campaign's channel (explicitly: no
 * record is no consent, and an opt-out always wins), with an identity that channel can address.
 */
export function campaignEligibility(r: Recipient, now: number): { send: true } | { send: false; reason: SkipReason } {
  if (r.merged) return { send: false, reason: 'merged' };
  if (r.consent?.status === 'opted_out') return { send: false, reason: 'opted_out' };
  if (r.consent?.status !== 'opted_in' || r.consent.channel !== r.channelKind) return { send: false, reason: 'no_consent' };
  if (!addressable(r)) return { send: false, reason: 'no_identity' };
  if (r.channelKind === 'messenger' && (r.lastCustomerMessageAt === null || now - r.lastCustomerMessageAt >= MESSENGER_WINDOW_MS)) {
    return { send: false, reason: 'outside_window' };
  }
  return { send: true };
}

function addressable(r: Recipient): boolean {
  const has = (kind: CustomerIdentity['kind'], scoped: boolean) =>
    r.identities.some((i) => i.kind === kind && (!scoped || i.scope === r.scope));
  switch (r.channelKind) {
    case 'sms':
      return has('phone', false);
    case 'email':
      return has('email', false);
    case 'line':
      return has('line', true);
    case 'messenger':
      return has('messenger', true);
    case 'web_chat':
      return has('web_chat', true);
    default:
      return false;
  }
}

/**
 * The rate limit as a generic cell rate algorithm with no burst: a send may go when its slot has come
 * (`nextSlotAt <= now`), and the next slot is one interval after the later of the two. Consecutive sends
 * are at least an interval apart, so no minute ever holds more than `ratePerMinute` of them; the slot is
 * stored with the campaign, so a restart keeps the pace.
 */
export function takeSlot(nextSlotAt: number, now: number, ratePerMinute: number): number | null {
  if (nextSlotAt > now) return null;
  return Math.max(nextSlotAt, now) + intervalMs(ratePerMinute);
}

export const intervalMs = (ratePerMinute: number): number => Math.ceil(60_000 / Math.max(1, ratePerMinute));

/** The status changes an admin may ask for, and what they lead to. */
export type CampaignAction = 'schedule' | 'pause' | 'resume' | 'end';

export function nextStatus(c: Pick<Campaign, 'status' | 'trigger' | 'sendAt'>, action: CampaignAction, now: number): CampaignStatus | null {
  switch (action) {
    case 'schedule':
      if (c.status !== 'draft') return null;
      return c.trigger.kind === 'once' && c.sendAt !== null && c.sendAt > now ? 'scheduled' : 'running';
    case 'pause':
      return c.status === 'running' || c.status === 'scheduled' ? 'paused' : null;
    case 'resume':
      if (c.status !== 'paused') return null;
      return c.trigger.kind === 'once' && c.sendAt !== null && c.sendAt > now ? 'scheduled' : 'running';
    case 'end':
      return c.status === 'done' || c.status === 'draft' ? null : 'done';
  }
}
