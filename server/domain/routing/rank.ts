// The routing rules, one small pure function each: who may take a conversation, in which order
// conversations are served, and which of the eligible agents a queue's strategy picks.
import type { AgentRouting, QueueConfig, RoutingStrategy, SkillRequirement, WaitingConversation } from './types.js';
import { capacityClassOf } from './types.js';

const MINUTE = 60_000;

/** Priority now: the conversation's own, the queue's, and what it gained by waiting (aging). */
export function effectivePriority(w: WaitingConversation, queue: QueueConfig, now: number): number {
  return w.priority + queue.priority + (queue.agingPerMinute * Math.max(0, now - w.enqueuedAt)) / MINUTE;
}

/**
 * Within one queue, aging adds the same slope to everyone, so the order never changes over time:
 * sorting by `priority − slope × enqueuedAt` equals sorting by effective priority at any moment.
 */
export function staticKey(w: WaitingConversation, queue: QueueConfig): number {
  return w.priority - (queue.agingPerMinute * w.enqueuedAt) / MINUTE;
}

/** Serving order: higher effective priority first, then longest waiting, then id (deterministic). */
export function compareWaiting(a: WaitingConversation, pa: number, b: WaitingConversation, pb: number): number {
  return pb - pa || a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function hasSkills(agent: Pick<AgentRouting, 'skills'>, required: readonly SkillRequirement[]): boolean {
  return required.every((r) => (agent.skills[r.skill] ?? 0) >= r.minLevel);
}

export function hasRoom(agent: Pick<AgentRouting, 'capacity' | 'load'>, w: Pick<WaitingConversation, 'channelKind'>): boolean {
  const cls = capacityClassOf(w.channelKind);
  return agent.load[cls] < agent.capacity[cls];
}

/** May this agent be offered this conversation now? */
export function isEligible(agent: AgentRouting, w: WaitingConversation): boolean {
  return (
    agent.presence === 'available' &&
    agent.queueIds.includes(w.queueId) &&
    !w.refusedBy.includes(agent.id) &&
    hasSkills(agent, w.requiredSkills) &&
    hasRoom(agent, w)
  );
}

/**
 * Sticky routing: while the window lasts and the customer's last agent is working (available, busy
 * or in wrap-up) and has not refused it, the conversation waits for them alone.
 */
export function reservedFor(w: WaitingConversation, agents: ReadonlyMap<string, AgentRouting>, now: number): string | null {
  if (!w.sticky || now >= w.sticky.until || w.refusedBy.includes(w.sticky.agentId)) return null;
  const agent = agents.get(w.sticky.agentId);
  if (!agent || !agent.queueIds.includes(w.queueId)) return null;
  return agent.presence === 'available' || agent.presence === 'busy' || agent.presence === 'wrap_up' ? agent.id : null;
}

const skillScore = (agent: AgentRouting, required: readonly SkillRequirement[]) =>
  required.reduce((sum, r) => sum + (agent.skills[r.skill] ?? 0), 0);

const loadShare = (agent: AgentRouting, w: WaitingConversation) => {
  const cls = capacityClassOf(w.channelKind);
  return agent.capacity[cls] === 0 ? 1 : agent.load[cls] / agent.capacity[cls];
};

/** Negative when `a` should be picked before `b` under the strategy. Ties: longest idle, then id. */
export function compareAgents(strategy: RoutingStrategy, w: WaitingConversation, a: AgentRouting, b: AgentRouting): number {
  let primary = 0;
  switch (strategy) {
    case 'longest_idle':
      break;
    case 'least_busy':
      primary = loadShare(a, w) - loadShare(b, w);
      break;
    case 'round_robin':
      primary = a.lastOfferAt - b.lastOfferAt;
      break;
    case 'most_skilled':
      primary = skillScore(b, w.requiredSkills) - skillScore(a, w.requiredSkills);
      break;
  }
  return primary || a.idleSince - b.idleSince || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The agent the queue's strategy picks among `candidates` (all eligible), or undefined. */
export function pickAgent(strategy: RoutingStrategy, w: WaitingConversation, candidates: Iterable<AgentRouting>): AgentRouting | undefined {
  let best: AgentRouting | undefined;
  for (const agent of candidates) if (!best || compareAgents(strategy, w, agent, best) < 0) best = agent;
  return best;
}
