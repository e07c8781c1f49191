// Conversation pipeline benchmarks: latency at a steady rate and the sustained ingest rate, for
// Omnidesk and for a bare express + socket.io relay, each in its own child process. See README.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeAll, connectAgents, connectAll, type ClientSocket } from './lib/clients.js';
import { runIngestMicro, type IngestMicroResult } from './lib/ingest-micro.js';
import { Receiver, runPhase, warmUp, type PhaseResult } from './lib/load.js';
import { readOptions, type BenchOptions } from './lib/options.js';
import { table } from './lib/stats.js';
import { waitForQuiet } from './lib/child.js';
import { startBaseline, startOmnidesk, type Target } from './lib/targets.js';

const WATCHDOG_MS = 45 * 60_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

interface TargetResults {
  latency?: PhaseResult;
  steps: (PhaseResult & { pass: boolean })[];
  /** Highest step rate that passed, with every lower step passing too. */
  maxSustainedRate: number | null;
}

/** Other work on this 2-core machine lands in the figures: wait (bounded) for it to calm down. */
async function quiet(opts: BenchOptions): Promise<void> {
  if (opts.quietWaitS <= 0) return;
  const { busyPct, waitedMs } = await waitForQuiet(opts.quietWaitS * 1000, opts.quietThresholdPct);
  if (busyPct >= opts.quietThresholdPct)
    log(`  machine still busy (${busyPct}% of a core used by others) after ${waitedMs} ms; measuring anyway`);
  else if (waitedMs > 1_500) log(`  waited ${Math.round(waitedMs / 1000)} s for other work on the machine to finish`);
}

async function benchTarget(target: Target, opts: BenchOptions): Promise<TargetResults> {
  const results: TargetResults = { steps: [], maxSustainedRate: null };
  const sockets: ClientSocket[] = [];
  try {
    log(`[${target.name}] ${opts.agents} agents`);
    const agents = await connectAgents(target.url, await target.agents(opts.agents));
    sockets.push(...agents.all);
    const receiver = new Receiver(agents.designated);
    let phaseNo = 0;

    if (opts.parts.has('latency')) {
      log(`[${target.name}] latency: ${opts.visitors} visitors, ${opts.rate} msgs/s for ${opts.durationS} s`);
      const visitors = await connectAll(target.url, await target.visitors(opts.visitors));
      sockets.push(...visitors);
      await warmUp(visitors, `w${phaseNo++}`, 2, 60_000);
      await quiet(opts);
      results.latency = await runPhase(
        { label: 'latency', tag: `p${phaseNo++}`, rate: opts.rate, durationS: opts.durationS, drainTimeoutMs: opts.drainTimeoutMs },
        visitors,
        receiver,
        target.child.pid,
      );
      log(`  p99 ${results.latency.fromIntended.p99} ms, lost ${results.latency.lost}`);
      closeAll(visitors);
    }
    if (!opts.parts.has('steps')) return results;

    log(`[${target.name}] sustained ingest: ${opts.stepVisitors} visitors, ${opts.stepS} s per step`);
    const stepVisitors = await connectAll(target.url, await target.visitors(opts.stepVisitors));
    sockets.push(...stepVisitors);
    await warmUp(stepVisitors, `w${phaseNo++}`, 1, 60_000);
    for (const rate of opts.steps) {
      await pause(1_000);
      await quiet(opts);
      const step = await runPhase(
        { label: `${rate}/s`, tag: `p${phaseNo++}`, rate, durationS: opts.stepS, drainTimeoutMs: opts.drainTimeoutMs },
        stepVisitors,
        receiver,
        target.child.pid,
      );
      const errors = Object.values(step.errors).reduce((a, b) => a + b, 0);
      const pass = step.drained && step.lost === 0 && errors === 0 && step.fromIntended.p99 < opts.stepP99LimitMs;
      results.steps.push({ ...step, pass });
      log(
        `  ${rate}/s: p99 ${step.fromIntended.p99} ms, lost ${step.lost}, errors ${errors}, server CPU ${step.serverCpu.process}% → ${pass ? 'pass' : 'FAIL'}`,
      );
      if (!pass) break; // past the knee the backlog only grows; the next steps would measure the queue
      results.maxSustainedRate = rate;
    }
    return results;
  } finally {
    closeAll(sockets);
  }
}

const PHASE_HEADER = [
  'server',
  'msg/s',
  'sent',
  'acked',
  'recv',
  'lost',
  'errors',
  'p50',
  'p90',
  'p99',
  'max',
  'emit p50',
  'emit p99',
  'ack p99',
  'gen lag',
  'srv cpu',
  'gen cpu',
  'others',
];

function phaseRow(name: string, r: PhaseResult): (string | number)[] {
  const errors =
    Object.entries(r.errors)
      .map(([k, v]) => `${k}:${v}`)
      .join(',') || '0';
  return [
    name,
    r.rate,
    r.sent,
    r.acked,
    r.received,
    r.lost,
    errors,
    r.fromIntended.p50,
    r.fromIntended.p90,
    r.fromIntended.p99,
    r.fromIntended.max,
    r.fromEmit.p50,
    r.fromEmit.p99,
    r.ack.p99,
    r.maxSendLagMs,
    `${r.serverCpu.process}/${r.serverCpu.main}`,
    r.loadGenCpu.main,
    r.othersCpu,
  ];
}

async function main(): Promise<void> {
  const opts = readOptions();
  const watchdog = setTimeout(() => {
    log(`bench: still running after ${WATCHDOG_MS / 60_000} min; giving up`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  const started = new Date();
  let omnidesk: TargetResults | undefined;
  let baseline: TargetResults | undefined;
  let ingest: IngestMicroResult | undefined;

  const socketParts = opts.parts.has('latency') || opts.parts.has('steps');
  if (socketParts && opts.targets.has('omnidesk')) {
    const target = await startOmnidesk({ socketEventsPerSecond: opts.socketEventsPerSecond, nodeArgs: opts.serverNodeArgs });
    try {
      omnidesk = await benchTarget(target, opts);
    } finally {
      await target.stop();
    }
  }
  if (socketParts && opts.targets.has('baseline')) {
    const target = await startBaseline();
    try {
      baseline = await benchTarget(target, opts);
    } finally {
      await target.stop();
    }
  }
  if (opts.parts.has('ingest')) {
    log('[ingest] the ingest use case in-process, no sockets');
    ingest = await runIngestMicro({ messages: 3_000, sessions: 100, concurrency: 64 });
  }

  const ratio =
    omnidesk?.latency && baseline?.latency
      ? Math.round((omnidesk.latency.fromIntended.p99 / baseline.latency.fromIntended.p99) * 100) / 100
      : null;
  const out: string[] = [];
  out.push('');
  out.push(
    `Conversation pipeline bench, ${started.toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`,
  );
  out.push(
    `Setup: ${opts.agents} agent sockets, all in queue:default, so every message fans out to ${opts.agents} sockets; ` +
      `latency is measured on 1 of them. Servers run with SOCKET_EVENTS_PER_SECOND=${opts.socketEventsPerSecond} (product default 20) for the bench.`,
  );
  out.push(
    'Times in ms, from the intended send time unless marked "emit"; "gen lag" = worst lateness of the load generator\'s sends. ' +
      'CPU in % of one core while sending: "srv cpu" = server all threads/main thread, "gen cpu" = load generator main thread, ' +
      '"others" = every other process on the machine (high values mean the figures are skewed by unrelated work).',
  );
  out.push('');
  out.push(
    `1-2. Latency, visitor socket → agent socket 'message:created', ${opts.rate} msgs/s for ${opts.durationS} s over ${opts.visitors} visitors`,
  );
  const latencyRows = [
    ...(omnidesk?.latency ? [phaseRow('omnidesk', omnidesk.latency)] : []),
    ...(baseline?.latency ? [phaseRow('baseline', baseline.latency)] : []),
  ];
  out.push(table(PHASE_HEADER, latencyRows));
  for (const [name, r] of [
    ['omnidesk', omnidesk?.latency],
    ['baseline', baseline?.latency],
  ] as const) {
    if (r)
      out.push(
        `${name}: the other ${opts.agents - 1} agent sockets got ${r.fanoutFrames} of ${r.sent * (opts.agents - 1)} expected event packets`,
      );
  }
  if (ratio !== null) out.push(`Omnidesk p99 / baseline p99 = ${ratio}  (target: Omnidesk p99 < 25 ms)`);
  out.push('');
  out.push(
    `3. Sustained ingest, ${opts.stepS} s per step over ${opts.stepVisitors} visitors; pass = p99 < ${opts.stepP99LimitMs} ms, nothing lost, no errors`,
  );
  const stepRows = [
    ...(omnidesk?.steps ?? []).map((st) => [...phaseRow(`omnidesk ${st.label}`, st), st.pass ? 'pass' : 'FAIL']),
    ...(baseline?.steps ?? []).map((st) => [...phaseRow(`baseline ${st.label}`, st), st.pass ? 'pass' : 'FAIL']),
  ];
  out.push(table([...PHASE_HEADER.map((h) => (h === 'server' ? 'step' : h)), 'result'], stepRows));
  out.push(
    `Highest sustained rate: omnidesk ${omnidesk?.maxSustainedRate ?? 'none'} msgs/s, baseline ${baseline?.maxSustainedRate ?? 'none'} msgs/s ` +
      `(target: omnidesk ≥ 2000 msgs/s on SQLite)`,
  );
  const noisy = [omnidesk?.latency, baseline?.latency, ...(omnidesk?.steps ?? []), ...(baseline?.steps ?? [])].filter(
    (r) => r && r.othersCpu >= opts.quietThresholdPct,
  ).length;
  if (noisy) {
    out.push(
      `Note: ${noisy} phase(s) ran while other processes used ≥ ${opts.quietThresholdPct}% of a core ("others" column); their figures are pessimistic, rerun for clean ones.`,
    );
  }
  if (ingest) {
    out.push('');
    out.push('4. Ingest use case alone (webChat.receive in-process on SQLite, no sockets)');
    out.push(
      table(
        ['mode', 'messages', 'msgs/s', 'ms/msg p50', 'ms/msg p99', 'SQL statements/msg', 'ms in SQL/msg'],
        [
          [
            'sequential',
            ingest.sequential.messages,
            ingest.sequential.msgsPerSecond,
            ingest.sequential.perMessageMs.p50,
            ingest.sequential.perMessageMs.p99,
            ingest.statementsPerMessage,
            ingest.sequential.sqlMsPerMessage,
          ],
          [`${ingest.concurrent.concurrency} in flight`, ingest.concurrent.messages, ingest.concurrent.msgsPerSecond, '-', '-', '-', '-'],
        ],
      ),
    );
    out.push(
      ingest.statementsPerMessage > 0
        ? `Statements per message by kind: ${Object.entries(ingest.statements)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`
        : 'SQL columns: knex sent no statement; on SQLite the ingest transaction runs on prepared statements with group commit (db/sqlite-ingest.ts), outside knex, so its SQL is not counted here.',
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);

  const file = path.resolve(opts.out);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const json = {
    startedAt: started.toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
    options: { ...opts, targets: [...opts.targets], parts: [...opts.parts] },
    notes: [
      `every message fans out to ${opts.agents} agent sockets (queue:default); latency measured on one`,
      `servers run with SOCKET_EVENTS_PER_SECOND=${opts.socketEventsPerSecond} (product default 20)`,
    ],
    latency: { omnidesk: omnidesk?.latency ?? null, baseline: baseline?.latency ?? null, p99RatioToBaseline: ratio },
    sustained: {
      omnidesk: { steps: omnidesk?.steps ?? [], maxRate: omnidesk?.maxSustainedRate ?? null },
      baseline: { steps: baseline?.steps ?? [], maxRate: baseline?.maxSustainedRate ?? null },
    },
    ingestMicro: ingest ?? null,
  };
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  log(`results written to ${path.relative(process.cwd(), file)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
