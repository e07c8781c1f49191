// Two profiles that are one person become one: what the merged profile keeps is decided here, pure.
// The target (the profile the agent keeps) wins where both have a value; the source fills its gaps.
import type { ChannelKind, Customer, ValueTier } from './types.js';
import { VALUE_TIERS } from './types.js';

export type ConsentStatus = 'opted_in' | 'opted_out';
export const CONSENT_STATUSES = ['opted_in', 'opted_out'] as const satisfies readonly ConsentStatus[];

/** A customer's standing permission to be contacted on one channel, and how it was given or withdrawn. */
export interface Consent {
  id: string;
  customerId: string;
  channel: ChannelKind;
  status: ConsentStatus;
  source: string;
  recordedBy: string | null;
  createdAt: number;
  updatedAt: number;
  /** The last opt-in and the last opt-out with their sources, kept side by side (null: never). */
  optedInAt?: number | null;
  optedInSource?: string | null;
  optedOutAt?: number | null;
  optedOutSource?: string | null;
}

/** The profile fields a merge writes onto the target. */
export interface MergedProfile {
  name: string | null;
  locale: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  valueTier: ValueTier | null;
  vip: boolean;
  lastContactAt: number | null;
}

/** A merge as the console lists it: who, when, what moved, and whether it was undone. */
export interface MergeSummary {
  id: string;
  target: { id: string; name: string | null };
  source: { id: string; name: string | null };
  mergedBy: { id: string; name: string } | null;
  createdAt: number;
  undoneAt: number | null;
  undoneBy: { id: string; name: string } | null;
  moved: { identities: number; conversations: number; consents: number };
}

const tierRank = (t: ValueTier | null) => (t === null ? VALUE_TIERS.length : VALUE_TIERS.indexOf(t));

export function mergeProfiles(target: Customer, source: Customer): MergedProfile {
  const last = [target.lastContactAt, source.lastContactAt].filter((t): t is number => t !== null);
  return {
    name: target.name ?? source.name,
    locale: target.locale ?? source.locale,
    tags: [...new Set([...target.tags, ...source.tags])],
    attributes: { ...source.attributes, ...target.attributes },
    // The better tier of the two (VALUE_TIERS runs from best to worst), and VIP if either was.
    valueTier: tierRank(source.valueTier) < tierRank(target.valueTier) ? source.valueTier : target.valueTier,
    vip: target.vip || source.vip,
    lastContactAt: last.length ? Math.max(...last) : null,
  };
}

/**
 * Per channel the most recent decision stands, whoever's profile it was on: a customer who opted out
 * on one identity yesterday has not consented because the other profile opted in last year. On a tie
 * the opt-out wins. Returns the source's consents that should move to the target; the others are
 * superseded and dropped (the merge record keeps them for an unmerge).
 */
export function consentsToMove(target: Consent[], source: Consent[]): { move: Consent[]; supersededOnTarget: Consent[] } {
  const onTarget = new Map(target.map((c) => [c.channel, c]));
  const move: Consent[] = [];
  const supersededOnTarget: Consent[] = [];
  for (const c of source) {
    const t = onTarget.get(c.channel);
    if (!t) move.push(c);
    else if (c.updatedAt > t.updatedAt || (c.updatedAt === t.updatedAt && c.status === 'opted_out' && t.status !== 'opted_out')) {
      move.push(c);
      supersededOnTarget.push(t);
    }
  }
  return { move, supersededOnTarget };
}
