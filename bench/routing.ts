// Routing decision cost on the pure board: 10,000 waiting conversations, 1,000 agents, 50 skills.
// `npm run bench:routing`; prints a table and writes bench/results/routing.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RoutingBoard } from '../server/domain/routing/board.js';
import {
  DEFAULT_CAPACITY,
  QUEUE_DEFAULTS,
  ROUTING_STRATEGIES,
  type AgentRouting,
  type QueueConfig,
  type WaitingConversation,
} from '../server/domain/routing/types.js';
import type { ChannelKind } from '../server/domain/types.js';
import { prng } from './lib/prng.js';

const WAITING = Number(process.env.BENCH_WAITING ?? 10_000);
const AGENTS = Number(process.env.BENCH_ROUTING_AGENTS ?? 1_000);
const SKILLS = 50;
const QUEUES = 20;
const T0 = 1_750_000_000_000;

const rand = prng(42);
const int = (n: number) => Math.floor(rand() * n);
const skill = (i: number) => `skill${i}`;
const CHANNELS: ChannelKind[] = ['web_chat', 'line', 'email', 'voice', 'sms'];

function queueConfig(i: number): QueueConfig {
  return {
    ...QUEUE_DEFAULTS,
    id: `q${i}`,
    name: `Queue ${i}`,
    channels: CHANNELS,
    strategy: ROUTING_STRATEGIES[i % ROUTING_STRATEGIES.length]!,
    priority: i % 3,
    agingPerMinute: 0.5,
  };
}

function agentRouting(i: number, presence: AgentRouting['presence']): AgentRouting {
  const skills: Record<string, number> = {};
  for (let k = 0; k < 6; k++) skills[skill(int(SKILLS))] = 1 + int(10);
  const queueIds = new Set<string>();
  while (queueIds.size < 3) queueIds.add(`q${int(QUEUES)}`);
  return {
    id: `a${i}`,
    presence,
    presenceSince: T0,
    skills,
    capacity: { ...DEFAULT_CAPACITY },
    load: { voice: 0, chat: 0, messaging: 0, email: 0 },
    queueIds: [...queueIds],
    idleSince: T0 - int(3_600_000),
    lastOfferAt: T0 - int(3_600_000),
  };
}

function conversation(i: number, at: number): WaitingConversation {
  const required = Array.from({ length: int(3) }, () => ({ skill: skill(int(SKILLS)), minLevel: 1 + int(5) }));
  return {
    id: `c${i}`,
    queueId: `q${int(QUEUES)}`,
    channelKind: CHANNELS[int(CHANNELS.length)]!,
    priority: int(4),
    enqueuedAt: at - int(600_000),
    requiredSkills: required,
    sticky: null,
    refusedBy: [],
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}
const ms = (x: number) => Math.round(x * 1000) / 1000;

function main() {
  const board = new RoutingBoard();
  for (let i = 0; i < QUEUES; i++) board.setQueue(queueConfig(i));
  for (let i = 0; i < AGENTS; i++) board.setAgent(agentRouting(i, 'away'));
  let now = T0;
  const enqueueStart = performance.now();
  for (let i = 0; i < WAITING; i++) board.enqueue(conversation(i, now));
  const enqueueMs = performance.now() - enqueueStart;

  // 1. 1,000 agents become available at once; the service routes them one by one, yielding between.
  const perAgent: number[] = [];
  let offers = 0;
  const burstStart = performance.now();
  for (let i = 0; i < AGENTS; i++) {
    board.setAgent({ ...board.agent(`a${i}`)!, presence: 'available' });
    const t = performance.now();
    offers += board.routeAgent(`a${i}`, now).length;
    perAgent.push(performance.now() - t);
  }
  const burstMs = performance.now() - burstStart;
  perAgent.sort((a, b) => a - b);

  // 2. Single decisions in the loaded state. An agent answers their offer (accept), and the next
  //    offer for them is decided (routeAgent); a third of them stay free for a while, so arriving
  //    conversations (routeConversation) find free agents to choose among.
  const arrivals: number[] = [];
  const frees: number[] = [];
  for (let i = 0; i < 5_000; i++) {
    now += 10;
    const offer = board.allOffers()[Symbol.iterator]().next().value as { conversationId: string; agentId: string } | undefined;
    if (offer) {
      const kind = board.conversation(offer.conversationId)!.channelKind;
      board.accept(offer.conversationId, offer.agentId);
      // Their new conversation ends at once, so they keep capacity for the next decisions.
      board.release(offer.agentId, kind);
      if (i % 3 !== 0) {
        const t = performance.now();
        board.routeAgent(offer.agentId, now);
        frees.push(performance.now() - t);
      }
    }
    const c = conversation(WAITING + i, now);
    board.enqueue(c);
    const t = performance.now();
    board.routeConversation(c.id, now);
    arrivals.push(performance.now() - t);
  }
  arrivals.sort((a, b) => a - b);
  frees.sort((a, b) => a - b);

  // 2b. Arrivals when every agent is free: each decision chooses among all free members of the queue.
  const idleBoard = new RoutingBoard();
  for (let i = 0; i < QUEUES; i++) idleBoard.setQueue(queueConfig(i));
  for (let i = 0; i < AGENTS; i++) idleBoard.setAgent(agentRouting(i, 'available'));
  const idleArrivals: number[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const c = conversation(10 * WAITING + i, now);
    idleBoard.enqueue(c);
    const t = performance.now();
    idleBoard.routeConversation(c.id, now);
    idleArrivals.push(performance.now() - t);
  }
  idleArrivals.sort((a, b) => a - b);

  // 3. A full pass (start-up or a clock tick) over everything that waits.
  const passStart = performance.now();
  board.routeAll(now);
  const passMs = performance.now() - passStart;

  const result = {
    startedAt: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    world: { waiting: WAITING, agents: AGENTS, skills: SKILLS, queues: QUEUES },
    enqueueMs: ms(enqueueMs),
    burst: {
      agents: AGENTS,
      offers,
      totalMs: ms(burstMs),
      perAgentMs: { p50: ms(percentile(perAgent, 50)), p99: ms(percentile(perAgent, 99)), max: ms(perAgent.at(-1) ?? 0) },
    },
    arrivalAllFreeDecisionMs: {
      count: idleArrivals.length,
      p50: ms(percentile(idleArrivals, 50)),
      p99: ms(percentile(idleArrivals, 99)),
      max: ms(idleArrivals.at(-1) ?? 0),
    },
    arrivalDecisionMs: {
      count: arrivals.length,
      p50: ms(percentile(arrivals, 50)),
      p99: ms(percentile(arrivals, 99)),
      max: ms(arrivals.at(-1) ?? 0),
    },
    freedAgentDecisionMs: {
      count: frees.length,
      p50: ms(percentile(frees, 50)),
      p99: ms(percentile(frees, 99)),
      max: ms(frees.at(-1) ?? 0),
    },
    fullPassMs: ms(passMs),
  };

  const rows = [
    [
      'decision: arrival, all 1,000 agents free (p50/p99/max)',
      `${result.arrivalAllFreeDecisionMs.p50} / ${result.arrivalAllFreeDecisionMs.p99} / ${result.arrivalAllFreeDecisionMs.max} ms`,
      'p99 < 0.5 ms',
    ],
    [
      'decision: arrival, 10,000 already waiting (p50/p99/max)',
      `${result.arrivalDecisionMs.p50} / ${result.arrivalDecisionMs.p99} / ${result.arrivalDecisionMs.max} ms`,
      'p99 < 0.5 ms',
    ],
    [
      'decision: an agent answered, next offer (p50/p99/max)',
      `${result.freedAgentDecisionMs.p50} / ${result.freedAgentDecisionMs.p99} / ${result.freedAgentDecisionMs.max} ms`,
      'p99 < 0.5 ms',
    ],
    [`${AGENTS} agents available at once: all served`, `${result.burst.totalMs} ms (${offers} offers)`, '< 50 ms'],
    ["  one agent's step: p99 / longest", `${result.burst.perAgentMs.p99} / ${result.burst.perAgentMs.max} ms`, 'longest < 10 ms'],
    ['full pass over all waiting', `${result.fullPassMs} ms`, ''],
  ];
  process.stdout.write(
    `Routing decisions: ${WAITING} waiting, ${AGENTS} agents, ${SKILLS} skills, ${QUEUES} queues (${result.machine.cores} cores, node ${process.version})\n` +
      rows.map(([a, b, c]) => `${a!.padEnd(52)} ${b!.padEnd(34)} ${c}`).join('\n') +
      '\n',
  );
  const out = path.resolve(process.env.BENCH_ROUTING_OUT ?? 'bench/results/routing.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}

main();
