// When a customer's consent stops a message from going out, and what the agent is told.
import type { Consent } from './customer-merge.js';
import type { ChannelKind } from './types.js';

/**
 * Channels where an opt-out stops every message, replies included: an SMS opt-out (STOP) is a
 * carrier rule, binding until the customer opts in again (START); a LINE customer who blocked the
 * account (unfollow) can be sent nothing until they add it again (follow). Elsewhere consent governs
 * proactive messages (campaigns), not answers to the customer's own conversation.
 */
export const OPT_OUT_BINDING: ReadonlySet<ChannelKind> = new Set<ChannelKind>(['sms', 'line']);

const CHANNEL_NAMES: Partial<Record<ChannelKind, string>> = { sms: 'SMS', line: 'LINE' };

/** The consent source a LINE unfollow event records. */
export const LINE_UNFOLLOW_SOURCE = 'line unfollow';

const KEYWORD_SOURCE = /^sms keyword ([A-Z]+)$/;

const when = (at: number) => new Date(at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** Why a message to this customer on `kind` may not be sent, or null when it may. */
export function optOutRefusal(kind: ChannelKind, consent: Consent | undefined): string | null {
  if (!OPT_OUT_BINDING.has(kind) || consent?.status !== 'opted_out' || consent.channel !== kind) return null;
  const name = CHANNEL_NAMES[kind] ?? kind;
  const keyword = KEYWORD_SOURCE.exec(consent.source)?.[1];
  const how = keyword
    ? `replied ${keyword} on ${when(consent.updatedAt)}`
    : consent.source === LINE_UNFOLLOW_SOURCE
      ? `blocked the LINE account on ${when(consent.updatedAt)}`
      : `${consent.source}, ${when(consent.updatedAt)}`;
  return `the customer opted out of ${name} (${how}); nothing can be sent to them until they opt in again`;
}
