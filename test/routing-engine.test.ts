// The routing rules as table tests, and a property test over random event sequences that checks the
// guarantees a contact center lives by: capacity, one owner, only eligible offers, no starvation.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RoutingBoard } from '../server/domain/routing/board.js';
import { compareAgents, effectivePriority, isEligible, reservedFor } from '../server/domain/routing/rank.js';
import {
  CAPACITY_CLASSES,
  DEFAULT_CAPACITY,
  QUEUE_DEFAULTS,
  capacityClassOf,
  type AgentRouting,
  type CapacityClass,
  type Presence,
  type QueueConfig,
  type WaitingConversation,
} from '../server/domain/routing/types.js';
import type { ChannelKind } from '../server/domain/types.js';

const T0 = 1_750_000_000_000;
const MIN = 60_000;

const queue = (over: Partial<QueueConfig> = {}): QueueConfig => ({
  id: 'q1',
  name: 'Support',
  ...QUEUE_DEFAULTS,
  channels: ['web_chat', 'line', 'email', 'voice'],
  ...over,
});

const zero = (): Record<CapacityClass, number> => ({ voice: 0, chat: 0, messaging: 0, email: 0 });

const agent = (over: Partial<AgentRouting> = {}): AgentRouting => ({
  id: 'a1',
  presence: 'available',
  presenceSince: T0 - 10 * MIN,
  skills: {},
  capacity: { ...DEFAULT_CAPACITY },
  load: zero(),
  queueIds: ['q1'],
  idleSince: T0 - 10 * MIN,
  lastOfferAt: 0,
  ...over,
});

const waiting = (over: Partial<WaitingConversation> = {}): WaitingConversation => ({
  id: 'c1',
  queueId: 'q1',
  channelKind: 'web_chat',
  priority: 0,
  enqueuedAt: T0,
  requiredSkills: [],
  sticky: null,
  refusedBy: [],
  ...over,
});

function board(
  queues: QueueConfig[],
  agents: AgentRouting[],
  convs: WaitingConversation[] = [],
  isQueueOpen?: (q: QueueConfig) => boolean,
) {
  const b = new RoutingBoard({ isQueueOpen });
  for (const q of queues) b.setQueue(q);
  for (const a of agents) b.setAgent(a);
  for (const c of convs) b.enqueue(c);
  return b;
}

describe('ordering', () => {
  test.each([
    ['own priority', waiting({ priority: 2 }), queue(), 0, 2],
    ['queue priority adds', waiting({ priority: 1 }), queue({ priority: 3 }), 0, 4],
    ['aging adds per minute waited', waiting({ priority: 1 }), queue({ agingPerMinute: 0.5 }), 10 * MIN, 6],
    ['no negative aging before enqueue', waiting(), queue({ agingPerMinute: 1 }), -MIN, 0],
  ])('%s', (_n, w, q, waited, expected) => {
    expect(effectivePriority(w, q, T0 + waited)).toBe(expected);
  });

  test('higher priority first, then longest waiting; aging lets an old low-priority conversation overtake', () => {
    const q = queue({ agingPerMinute: 1 });
    const old = waiting({ id: 'old', priority: 0, enqueuedAt: T0 });
    const urgent = waiting({ id: 'urgent', priority: 3, enqueuedAt: T0 + 2 * MIN });
    const later = waiting({ id: 'later', priority: 0, enqueuedAt: T0 + MIN });
    // At T0+2min: old = 2, urgent = 3, later = 1 → urgent first.
    const b1 = board([q], [agent({ capacity: { ...zero(), chat: 1 } })], [old, urgent, later]);
    expect(b1.routeAll(T0 + 2 * MIN).map((d) => d.conversationId)).toEqual(['urgent']);
    // At T0+6min: old = 6, urgent = 7 → still urgent; at T0+10min both are ahead of later; old vs urgent: 10 vs 11.
    // With aging 2/min, old overtakes: 20 vs 19.
    const q2 = queue({ agingPerMinute: 2 });
    const b2 = board([q2], [agent({ capacity: { ...zero(), chat: 1 } })], [old, urgent, later]);
    expect(b2.routeAll(T0 + 10 * MIN).map((d) => d.conversationId)).toEqual(['old']);
  });

  test('the same priority is served in arrival order', () => {
    const b = board(
      [queue()],
      [agent({ capacity: { ...zero(), chat: 3 } })],
      [waiting({ id: 'c3', enqueuedAt: T0 + 3 }), waiting({ id: 'c1', enqueuedAt: T0 + 1 }), waiting({ id: 'c2', enqueuedAt: T0 + 2 })],
    );
    // One offer at a time: the next comes when the agent has answered the previous one.
    const served: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [d] = b.routeAgent('a1', T0 + 10);
      served.push(d!.conversationId);
      expect(b.routeAgent('a1', T0 + 10)).toEqual([]);
      b.accept(d!.conversationId, 'a1');
    }
    expect(served).toEqual(['c1', 'c2', 'c3']);
  });
});

describe('eligibility', () => {
  const full = { ...zero(), chat: 3 };
  test.each<[string, Partial<AgentRouting>, Partial<WaitingConversation>, boolean]>([
    ['available member with room', {}, {}, true],
    ['away', { presence: 'away' }, {}, false],
    ['busy', { presence: 'busy' }, {}, false],
    ['wrap-up', { presence: 'wrap_up' }, {}, false],
    ['offline', { presence: 'offline' }, {}, false],
    ['not in the queue', { queueIds: ['q2'] }, {}, false],
    ['chat full', { load: full }, {}, false],
    ['chat full but an email fits', { load: full }, { channelKind: 'email' }, true],
    ['voice capacity 1 taken', { load: { ...zero(), voice: 1 } }, { channelKind: 'voice' }, false],
    ['skill missing', {}, { requiredSkills: [{ skill: 'thai', minLevel: 1 }] }, false],
    ['skill too low', { skills: { thai: 3 } }, { requiredSkills: [{ skill: 'thai', minLevel: 5 }] }, false],
    ['skill enough', { skills: { thai: 5, billing: 2 } }, { requiredSkills: [{ skill: 'thai', minLevel: 5 }] }, true],
    ['refused it before', {}, { refusedBy: ['a1'] }, false],
  ])('%s → %s', (_n, a, w, expected) => {
    expect(isEligible(agent(a), waiting(w))).toBe(expected);
  });
});

describe('agent choice per strategy', () => {
  const w = waiting({ requiredSkills: [{ skill: 'billing', minLevel: 1 }] });
  const a = agent({ id: 'a', idleSince: T0 - 5 * MIN, lastOfferAt: T0 - MIN, load: { ...zero(), chat: 2 }, skills: { billing: 3 } });
  const b = agent({ id: 'b', idleSince: T0 - 1 * MIN, lastOfferAt: T0 - 9 * MIN, load: { ...zero(), chat: 0 }, skills: { billing: 9 } });
  test.each([
    ['longest_idle', 'a'],
    ['least_busy', 'b'],
    ['round_robin', 'b'],
    ['most_skilled', 'b'],
  ] as const)('%s picks %s', (strategy, expected) => {
    const q = queue({ strategy });
    const brd = board([q], [a, b], [w]);
    expect(brd.routeConversation('c1', T0)).toMatchObject({ agentId: expected });
    expect(compareAgents(strategy, w, a, a)).toBe(0);
  });
});

describe('offers', () => {
  test('an offer holds capacity; a decline passes it to the next agent and never back', () => {
    const q = queue({ offerTimeoutMs: 20_000 });
    const b = board([q], [agent({ id: 'a', idleSince: T0 - 9 * MIN }), agent({ id: 'b', idleSince: T0 - MIN })], [waiting()]);
    expect(b.routeConversation('c1', T0)).toEqual({
      type: 'offer',
      conversationId: 'c1',
      agentId: 'a',
      queueId: 'q1',
      expiresAt: T0 + 20_000,
    });
    expect(b.agent('a')!.load.chat).toBe(1);
    expect(b.routeConversation('c1', T0)).toBeUndefined(); // already under offer
    expect(b.refuse('c1', 'a')).toBe(true);
    expect(b.agent('a')!.load.chat).toBe(0);
    expect(b.routeConversation('c1', T0 + 1)).toMatchObject({ agentId: 'b' });
    expect(b.refuse('c1', 'b')).toBe(true);
    expect(b.routeConversation('c1', T0 + 2)).toBeUndefined(); // everyone refused: it waits
  });

  test('accepting keeps the capacity taken and removes the conversation from routing', () => {
    const b = board([queue()], [agent()], [waiting()]);
    b.routeConversation('c1', T0);
    expect(b.accept('c1', 'someone-else')).toBe(false);
    expect(b.accept('c1', 'a1')).toBe(true);
    expect(b.conversation('c1')).toBeUndefined();
    expect(b.agent('a1')!.load.chat).toBe(1);
  });

  test('expired offers are reported by their due time', () => {
    const b = board([queue({ offerTimeoutMs: 1000 })], [agent()], [waiting()]);
    b.routeConversation('c1', T0);
    expect(b.expiredOffers(T0 + 999)).toEqual([]);
    expect(b.expiredOffers(T0 + 1000).map((o) => o.conversationId)).toEqual(['c1']);
    expect(b.nextDeadline(T0)).toBe(T0 + 1000);
  });

  test('auto-accept queues assign directly', () => {
    const b = board([queue({ autoAccept: true })], [agent()], [waiting()]);
    expect(b.routeConversation('c1', T0)).toEqual({ type: 'assign', conversationId: 'c1', agentId: 'a1', queueId: 'q1' });
    expect(b.conversation('c1')).toBeUndefined();
  });

  test('in an auto-accept queue an agent who becomes free is filled up to capacity, best first', () => {
    const b = board(
      [queue({ autoAccept: true })],
      [agent({ presence: 'away', capacity: { ...zero(), chat: 2, email: 1 } })],
      [
        waiting({ id: 'e1', channelKind: 'email', enqueuedAt: T0 }),
        waiting({ id: 'c1', enqueuedAt: T0 + 1 }),
        waiting({ id: 'c2', enqueuedAt: T0 + 2 }),
        waiting({ id: 'c3', enqueuedAt: T0 + 3 }),
      ],
    );
    expect(b.routeAgent('a1', T0 + 10)).toEqual([]);
    b.setAgent({ ...b.agent('a1')!, presence: 'available' });
    expect(b.routeAgent('a1', T0 + 10).map((d) => d.conversationId)).toEqual(['e1', 'c1', 'c2']);
  });
});

describe('sticky agent', () => {
  const stickyTo = (agentId: string, until: number) => waiting({ sticky: { agentId, until } });
  const others = [agent({ id: 'idle-longer', idleSince: T0 - 60 * MIN }), agent({ id: 'last', idleSince: T0 })];
  test.each<[string, Presence, number, string | undefined]>([
    ['within the window, the last agent gets it first', 'available', T0 + MIN, 'last'],
    ['the last agent is busy: it waits for them', 'busy', T0 + MIN, undefined],
    ['the last agent is in wrap-up: it waits for them', 'wrap_up', T0 + MIN, undefined],
    ['the last agent is offline: the queue takes it', 'offline', T0 + MIN, 'idle-longer'],
    ['the last agent is away: the queue takes it', 'away', T0 + MIN, 'idle-longer'],
    ['the window has passed: the queue takes it', 'busy', T0, 'idle-longer'],
  ])('%s', (_n, presence, until, expected) => {
    const b = board([queue()], [others[0]!, { ...others[1]!, presence }], [stickyTo('last', until)]);
    expect(b.routeConversation('c1', T0)?.agentId).toBe(expected);
  });

  test('a reserved conversation is skipped by other agents pulling work, and the window end is a deadline', () => {
    const b = board([queue()], [agent({ id: 'last', presence: 'busy' }), agent({ id: 'other' })], [stickyTo('last', T0 + MIN)]);
    expect(b.routeAgent('other', T0)).toEqual([]);
    expect(b.nextDeadline(T0)).toBe(T0 + MIN);
    expect(b.routeAll(T0 + MIN).map((d) => d.agentId)).toEqual(['other']);
    expect(reservedFor(stickyTo('last', T0 + MIN), new Map([['last', agent({ id: 'last' })]]), T0)).toBe('last');
  });
});

describe('overflow and hours', () => {
  test.each([
    ['not yet', { afterMs: 60_000, toQueueId: 'q2' }, 59_999, []],
    ['moves to the overflow queue', { afterMs: 60_000, toQueueId: 'q2' }, 60_000, [{ action: 'move', toQueueId: 'q2' }]],
    ['widens skills without a target queue', { afterMs: 60_000 }, 60_000, [{ action: 'widen' }]],
  ])('%s', (_n, overflow, waited, expected) => {
    const q1 = queue({ overflow });
    const b = board([q1, queue({ id: 'q2' })], [], [waiting({ requiredSkills: [{ skill: 'thai', minLevel: 4 }] })]);
    expect(
      b.dueOverflows(T0 + waited).map(({ action, ...rest }) => ({ action, ...('toQueueId' in rest && { toQueueId: rest.toQueueId }) })),
    ).toEqual(expected);
  });

  test('a closed queue routes nothing until it opens', () => {
    let open = false;
    const b = board([queue()], [agent()], [waiting()], () => open);
    expect(b.routeConversation('c1', T0)).toBeUndefined();
    expect(b.routeAll(T0)).toEqual([]);
    open = true;
    expect(b.routeAll(T0)).toHaveLength(1);
  });
});

// ---- property test ------------------------------------------------------------------------------

const CHANNELS: ChannelKind[] = ['web_chat', 'line', 'email', 'voice'];
const SKILLS = ['thai', 'english', 'billing'];

type Command =
  | { kind: 'arrive'; queue: number; channel: number; priority: number; skill: number; level: number; sticky: number }
  | { kind: 'presence'; agent: number; presence: Presence }
  | { kind: 'accept'; pick: number }
  | { kind: 'decline'; pick: number }
  | { kind: 'timeout'; advanceMs: number }
  | { kind: 'resolve'; pick: number }
  | { kind: 'transfer'; pick: number; queue: number }
  | { kind: 'tick'; advanceMs: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('arrive' as const),
    queue: fc.nat(2),
    channel: fc.nat(3),
    priority: fc.nat(3),
    skill: fc.nat(3),
    level: fc.integer({ min: 1, max: 6 }),
    sticky: fc.nat(6),
  }),
  fc.record({
    kind: fc.constant('presence' as const),
    agent: fc.nat(5),
    presence: fc.constantFrom<Presence>('available', 'away', 'busy', 'wrap_up', 'offline'),
  }),
  fc.record({ kind: fc.constant('accept' as const), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant('decline' as const), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant('timeout' as const), advanceMs: fc.integer({ min: 1, max: 40_000 }) }),
  fc.record({ kind: fc.constant('resolve' as const), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant('transfer' as const), pick: fc.nat(50), queue: fc.nat(2) }),
  fc.record({ kind: fc.constant('tick' as const), advanceMs: fc.integer({ min: 1, max: 120_000 }) }),
);

/** Drives the board the way the routing service does and checks the invariants after every step. */
function simulate(commands: Command[]): void {
  let now = T0;
  const queues = [0, 1, 2].map((i) =>
    queue({
      id: `q${i}`,
      strategy: (['longest_idle', 'least_busy', 'round_robin'] as const)[i]!,
      agingPerMinute: i,
      stickyMs: 60_000,
      overflow: i === 0 ? { afterMs: 90_000, toQueueId: 'q1' } : i === 1 ? { afterMs: 90_000 } : null,
    }),
  );
  const agents = [0, 1, 2, 3, 4, 5].map((i) =>
    agent({
      id: `a${i}`,
      presence: i % 2 === 0 ? 'available' : 'offline',
      skills: Object.fromEntries(SKILLS.map((s, k) => [s, ((i + k) % 6) + 1])),
      capacity: { voice: 1, chat: 1 + (i % 3), messaging: 2, email: 3 },
      queueIds: queues.filter((_, k) => (i + k) % 3 !== 2).map((q) => q.id),
    }),
  );
  const b = board(queues, agents);
  const conv = new Map<string, { channelKind: ChannelKind }>();
  const assigned = new Map<string, string>(); // conversation → agent
  let seq = 0;

  const apply = (decisions: ReturnType<RoutingBoard['routeAll']>) => {
    for (const d of decisions) {
      const a = b.agent(d.agentId)!;
      // Offered only to an agent who is available and in the queue (skills were checked by isEligible before).
      expect(a.presence).toBe('available');
      expect(a.queueIds).toContain(d.queueId);
      expect(assigned.has(d.conversationId)).toBe(false);
      if (d.type === 'assign') assigned.set(d.conversationId, d.agentId);
    }
  };
  const offers = () => [...b.allOffers()];
  const once = <T>(d: T | undefined): T[] => (d ? [d] : []);
  const pick = <T>(list: T[], i: number) => (list.length ? list[i % list.length] : undefined);

  for (const c of commands) {
    switch (c.kind) {
      case 'arrive': {
        const id = `c${++seq}`;
        const channelKind = CHANNELS[c.channel]!;
        conv.set(id, { channelKind });
        const stickyAgent = c.sticky < agents.length ? `a${c.sticky}` : null;
        b.enqueue(
          waiting({
            id,
            queueId: `q${c.queue}`,
            channelKind,
            priority: c.priority,
            enqueuedAt: now,
            requiredSkills: c.skill < SKILLS.length ? [{ skill: SKILLS[c.skill]!, minLevel: c.level }] : [],
            sticky: stickyAgent ? { agentId: stickyAgent, until: now + 60_000 } : null,
          }),
        );
        apply(once(b.routeConversation(id, now)));
        break;
      }
      case 'presence': {
        const a = b.agent(`a${c.agent}`)!;
        b.setAgent({ ...a, presence: c.presence, presenceSince: now });
        if (c.presence !== 'available') {
          // Going unavailable returns the agent's offers to the queue.
          for (const o of offers().filter((o) => o.agentId === a.id)) {
            b.refuse(o.conversationId, a.id);
            apply(b.routeAll(now));
          }
        }
        apply(b.routeAgent(a.id, now));
        // Conversations held for this agent (sticky) may now go to the queue.
        apply(b.routeAll(now));
        break;
      }
      case 'accept': {
        const o = pick(offers(), c.pick);
        if (o && b.accept(o.conversationId, o.agentId)) {
          expect(assigned.has(o.conversationId)).toBe(false);
          assigned.set(o.conversationId, o.agentId);
          apply(b.routeAgent(o.agentId, now));
        }
        break;
      }
      case 'decline': {
        const o = pick(offers(), c.pick);
        if (o && b.refuse(o.conversationId, o.agentId)) {
          apply(once(b.routeConversation(o.conversationId, now)));
          apply(b.routeAgent(o.agentId, now));
        }
        break;
      }
      case 'timeout': {
        now += c.advanceMs;
        for (const o of b.expiredOffers(now)) b.refuse(o.conversationId, o.agentId);
        apply(b.routeAll(now));
        break;
      }
      case 'resolve': {
        const entry = pick([...assigned.entries()], c.pick);
        if (entry) {
          const [cid, aid] = entry;
          assigned.delete(cid);
          b.release(aid, conv.get(cid)!.channelKind);
          apply(b.routeAgent(aid, now));
        }
        break;
      }
      case 'transfer': {
        const entry = pick([...assigned.entries()], c.pick);
        if (entry) {
          const [cid, aid] = entry;
          assigned.delete(cid);
          b.release(aid, conv.get(cid)!.channelKind);
          b.enqueue(waiting({ id: cid, queueId: `q${c.queue}`, channelKind: conv.get(cid)!.channelKind, enqueuedAt: now }));
          apply(b.routeAll(now));
        }
        break;
      }
      case 'tick': {
        now += c.advanceMs;
        for (const o of b.expiredOffers(now)) b.refuse(o.conversationId, o.agentId);
        for (const due of b.dueOverflows(now)) {
          const w = b.conversation(due.conversationId)!;
          b.enqueue(
            due.action === 'move'
              ? { ...w, queueId: due.toQueueId, enqueuedAt: now }
              : { ...w, enqueuedAt: now, requiredSkills: w.requiredSkills.map((r) => ({ ...r, minLevel: 1 })) },
          );
        }
        apply(b.routeAll(now));
        break;
      }
    }
    checkInvariants(b, conv, assigned, now);
  }
}

function checkInvariants(
  b: RoutingBoard,
  conv: Map<string, { channelKind: ChannelKind }>,
  assigned: Map<string, string>,
  now: number,
): void {
  const liveOffers = [...b.allOffers()];
  // No conversation is both offered and assigned, or offered twice.
  for (const o of liveOffers) expect(assigned.has(o.conversationId)).toBe(false);
  expect(new Set(liveOffers.map((o) => o.conversationId)).size).toBe(liveOffers.length);
  for (const a of b.allAgents()) {
    const load: Record<CapacityClass, number> = zero();
    for (const [cid, aid] of assigned) if (aid === a.id) load[capacityClassOf(conv.get(cid)!.channelKind)] += 1;
    for (const o of liveOffers) if (o.agentId === a.id) load[capacityClassOf(conv.get(o.conversationId)!.channelKind)] += 1;
    for (const cls of CAPACITY_CLASSES) {
      // The board's books match the truth, and nobody holds more than their capacity.
      expect(a.load[cls], `${a.id} ${cls}`).toBe(load[cls]);
      expect(load[cls], `${a.id} ${cls} over capacity`).toBeLessThanOrEqual(a.capacity[cls]);
    }
  }
  // One offer at a time per agent.
  expect(new Set(liveOffers.map((o) => o.agentId)).size).toBe(liveOffers.length);
  // No starvation: a conversation that can be offered has no available, eligible agent sitting free
  // (an agent answering an offer is not free).
  const agents = new Map([...b.allAgents()].map((a) => [a.id, a]));
  const answering = new Set(liveOffers.map((o) => o.agentId));
  for (const w of b.allWaiting()) {
    if (b.offer(w.id)) continue;
    const reserved = reservedFor(w, agents, now);
    for (const a of agents.values()) {
      if ((reserved && reserved !== a.id) || answering.has(a.id)) continue;
      expect(isEligible(a, w), `${w.id} starves while ${a.id} is free`).toBe(false);
    }
  }
}

test('random event sequences keep capacity, single ownership, eligibility and no starvation', () => {
  fc.assert(
    fc.property(fc.array(command, { minLength: 10, maxLength: 150, size: 'max' }), (commands) => simulate(commands)),
    { numRuns: 300 },
  );
});
