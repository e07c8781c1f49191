// Routing vocabulary: queues, agents' routing state, waiting conversations, offers. Pure data.
import { CHANNEL_KINDS, type ChannelKind } from '../types.js';

export type Presence = 'available' | 'away' | 'busy' | 'wrap_up' | 'offline';
export const PRESENCES = ['available', 'away', 'busy', 'wrap_up', 'offline'] as const satisfies readonly Presence[];

export type RoutingStrategy = 'longest_idle' | 'least_busy' | 'round_robin' | 'most_skilled';
export const ROUTING_STRATEGIES = [
  'longest_idle',
  'least_busy',
  'round_robin',
  'most_skilled',
] as const satisfies readonly RoutingStrategy[];

/** Capacity is counted per class of channel: a voice call and eight emails are different loads. */
export type CapacityClass = 'voice' | 'chat' | 'messaging' | 'email';
export const CAPACITY_CLASSES = ['voice', 'chat', 'messaging', 'email'] as const satisfies readonly CapacityClass[];
export const DEFAULT_CAPACITY: Record<CapacityClass, number> = { voice: 1, chat: 3, messaging: 5, email: 8 };

export function capacityClassOf(kind: ChannelKind): CapacityClass {
  switch (kind) {
    case 'voice':
      return 'voice';
    case 'web_chat':
      return 'chat';
    case 'email':
      return 'email';
    case 'sms':
    case 'line':
    case 'messenger':
    case 'slack':
      return 'messaging';
  }
}

export interface SkillRequirement {
  skill: string;
  /** 1 (basic) to 10 (expert). */
  minLevel: number;
}

/** Weekly opening hours in the queue's time zone; a day without intervals is closed. */
export interface BusinessHours {
  timeZone: string; // IANA, e.g. Asia/Bangkok
  /** Index 0 = Sunday … 6 = Saturday; each interval is [from, to) in "HH:MM". */
  week: { from: string; to: string }[][];
  /** Dates (YYYY-MM-DD, in the time zone) when the queue is closed all day. */
  holidays: string[];
}

export interface SlaTarget {
  /** Milliseconds of business time until the first agent reply is due. */
  firstResponseMs: number;
  /** Milliseconds of business time until resolution is due. */
  resolutionMs: number;
}

/** Targets by priority band (0 normal … 3 urgent); the highest band not above the priority applies. */
export type SlaPolicy = Record<number, SlaTarget>;

export interface OverflowRule {
  /** After this long waiting in the queue, the conversation overflows. */
  afterMs: number;
  /** Move to this queue; or, when absent, stay and drop the required skills' levels (widen). */
  toQueueId?: string;
}

export interface QueueConfig {
  id: string;
  name: string;
  channels: ChannelKind[];
  requiredSkills: SkillRequirement[];
  strategy: RoutingStrategy;
  /** Added to every conversation's priority in this queue. */
  priority: number;
  /** Priority points gained per minute of waiting (aging). */
  agingPerMinute: number;
  offerTimeoutMs: number;
  autoAccept: boolean;
  wrapUpMs: number;
  /** Misses in a row after which an agent is set away; 0 = never. */
  maxMisses: number;
  /** How long a returning customer is offered first to the agent who last served them; 0 = off. */
  stickyMs: number;
  overflow: OverflowRule | null;
  businessHours: BusinessHours | null;
  afterHours: { action: 'keep_queued' } | { action: 'auto_reply'; message: Record<string, string> };
  sla: SlaPolicy | null;
  /** Service level: share of conversations answered within `serviceLevelMs` (e.g. 80 % in 20 s). */
  serviceLevelMs: number;
  serviceLevelTarget: number;
}

export interface AgentRouting {
  id: string;
  presence: Presence;
  /** Since when the agent is in that presence (epoch ms). */
  presenceSince: number;
  /** Skill name → level (1-10). */
  skills: Record<string, number>;
  capacity: Record<CapacityClass, number>;
  /** Conversations assigned or offered to the agent, per capacity class. */
  load: Record<CapacityClass, number>;
  /** Queues the agent works. */
  queueIds: string[];
  /** When the agent last became free of work (for longest idle). */
  idleSince: number;
  /** When the agent was last offered something (for round robin). */
  lastOfferAt: number;
}

export interface WaitingConversation {
  id: string;
  queueId: string;
  channelKind: ChannelKind;
  /** The conversation's own priority (channel and customer tier/VIP already folded in). */
  priority: number;
  /** When it started waiting in its current queue. */
  enqueuedAt: number;
  /** Requirements after any widening (overflow without a target queue). */
  requiredSkills: SkillRequirement[];
  /** The agent who last served this customer, with the time until which they get it first. */
  sticky: { agentId: string; until: number } | null;
  /** Agents who declined or let the offer time out: not offered this conversation again. */
  refusedBy: string[];
}

export interface Offer {
  conversationId: string;
  agentId: string;
  queueId: string;
  offeredAt: number;
  expiresAt: number;
}

export interface RoutingState {
  queues: ReadonlyMap<string, QueueConfig>;
  agents: ReadonlyMap<string, AgentRouting>;
  waiting: readonly WaitingConversation[];
  offers: readonly Offer[];
}

export type RoutingDecision =
  | { type: 'offer'; conversationId: string; agentId: string; queueId: string; expiresAt: number }
  | { type: 'assign'; conversationId: string; agentId: string; queueId: string };

/** What a queue gets when its creator does not say (the migration's column defaults; every channel). */
export const QUEUE_DEFAULTS: Omit<QueueConfig, 'id' | 'name'> = {
  channels: [...CHANNEL_KINDS],
  requiredSkills: [],
  strategy: 'longest_idle',
  priority: 0,
  agingPerMinute: 0,
  offerTimeoutMs: 20_000,
  autoAccept: false,
  wrapUpMs: 30_000,
  maxMisses: 3,
  stickyMs: 0,
  overflow: null,
  businessHours: null,
  afterHours: { action: 'keep_queued' },
  sla: null,
  serviceLevelMs: 20_000,
  serviceLevelTarget: 0.8,
};
