// How the board names things: a presence with its reason, and a conversation by its customer.
import type { Presence } from '../../../server/domain/routing/types.js';
import type { Conversation } from '../../../server/domain/types.js';
import { useI18n, useStrings, type MessageKey } from '../i18n';
import { BOARD_STRINGS } from './strings';

/** Agent states in the order the board lists them: working first, then not. */
export const STATE_ORDER: readonly Presence[] = ['available', 'busy', 'away', 'wrap_up', 'offline'];

const AWAY_REASONS: ReadonlySet<string> = new Set(['break', 'lunch', 'meeting', 'training']);

/** A presence in words, and its reason: an away reason, the end of a wrap-up, or why the system set it. */
export function usePresenceLabel(): (presence: Presence, reason: string | null) => { state: string; reason: string | null } {
  const { t, locale } = useI18n();
  const s = useStrings(BOARD_STRINGS);
  const clock = new Intl.DateTimeFormat(locale === 'th' ? 'th-TH' : 'en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return (presence, reason) => {
    const state = t(`presence_${presence}` as MessageKey);
    if (!reason) return { state, reason: null };
    const until = /^until:(\d+)$/.exec(reason);
    if (until) return { state, reason: s('wrapUpUntil', { time: clock.format(Number(until[1])) }) };
    if (AWAY_REASONS.has(reason)) return { state, reason: t(`awayReason_${reason}` as MessageKey) };
    if (reason === 'missed offers') return { state, reason: s('missedOffers') };
    if (reason === 'disconnected') return { state, reason: s('disconnected') };
    return { state, reason }; // a reason someone typed through the API
  };
}

/** The customer's name, else the subject, else "Visitor #1A2B" (the same tag the conversation list shows). */
export function conversationName(c: Conversation, names: ReadonlyMap<string, string | null>, visitor: string): string {
  return names.get(c.customerId) || c.subject || `${visitor} #${c.customerId.slice(-4).toUpperCase()}`;
}
