// Bench settings, read from the environment once. Defaults are the full run; e.g. BENCH_DURATION_S=5
// BENCH_STEP_S=3 makes a quick one.

export interface BenchOptions {
  /** Latency phase: messages per second and seconds. */
  rate: number;
  durationS: number;
  /** Agent sockets that receive every new message (all in queue:default). */
  agents: number;
  /** Visitor sessions (one socket each) in the latency phase. */
  visitors: number;
  /** Sustained-ingest steps: rates to try, seconds per step, visitor sockets to spread them over. */
  steps: number[];
  stepS: number;
  stepVisitors: number;
  /** A step passes when p99 (from the intended send time) is under this and nothing is lost. */
  stepP99LimitMs: number;
  /** Per-socket event rate limit given to the servers (Omnidesk's default is 20/s). */
  socketEventsPerSecond: number;
  /** Before each phase, wait up to this long for the rest of the machine to use less than the threshold (% of one core). */
  quietWaitS: number;
  quietThresholdPct: number;
  /** How long to wait after the last send for acks and agent deliveries. */
  drainTimeoutMs: number;
  /** Which servers and which parts to run. */
  targets: Set<'omnidesk' | 'baseline'>;
  parts: Set<'latency' | 'steps' | 'ingest'>;
  /** Extra node flags for the Omnidesk child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
  serverNodeArgs: string[];
  /** Where the JSON results go. */
  out: string;
}

function num(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name}=${raw}: expected a number from ${min} to ${max}`);
  return n;
}

export function readOptions(): BenchOptions {
  const steps = (process.env.BENCH_STEPS ?? '250,375,500,750,1000,1500,2000,2500,3000,3500,4000,5000,6000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n) && n > 0 && n <= 20_000);
  if (steps.length === 0 || steps.length > 30) throw new Error('BENCH_STEPS: give 1 to 30 comma-separated rates, e.g. 500,1000,2000');
  const list = (name: string, fallback: string, allowed: string[]) => {
    const set = new Set((process.env[name] ?? fallback).split(',').map((s) => s.trim()));
    for (const p of set) if (!allowed.includes(p)) throw new Error(`${name}: unknown ${p} (${allowed.join(', ')})`);
    return set;
  };
  const targets = list('BENCH_TARGETS', 'omnidesk,baseline', ['omnidesk', 'baseline']);
  const parts = list('BENCH_PARTS', 'latency,steps,ingest', ['latency', 'steps', 'ingest']);
  return {
    rate: num('BENCH_RATE', 200, 1, 20_000),
    durationS: num('BENCH_DURATION_S', 30, 1, 600),
    agents: num('BENCH_AGENTS', 50, 1, 500),
    visitors: num('BENCH_VISITORS', 100, 1, 2_000),
    steps: steps.sort((a, b) => a - b),
    stepS: num('BENCH_STEP_S', 10, 1, 120),
    stepVisitors: num('BENCH_STEP_VISITORS', 500, 1, 2_000),
    stepP99LimitMs: num('BENCH_STEP_P99_MS', 100, 1, 10_000),
    socketEventsPerSecond: num('BENCH_SOCKET_EPS', 200, 1, 100_000),
    quietWaitS: num('BENCH_QUIET_WAIT_S', 120, 0, 3_600),
    quietThresholdPct: num('BENCH_QUIET_PCT', 30, 1, 200),
    drainTimeoutMs: num('BENCH_DRAIN_MS', 15_000, 100, 120_000),
    targets: targets as BenchOptions['targets'],
    parts: parts as BenchOptions['parts'],
    serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    out: process.env.BENCH_OUT ?? 'bench/results/pipeline.json',
  };
}
