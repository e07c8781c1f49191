// Child processes for the servers under test: started with a readiness line, always killed when the
// bench exits (normally, on error or on Ctrl-C), and sampled for CPU time from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface Child {
  pid: number;
  /** The first stdout line that matched `ready`. */
  readyLine: string;
  /** Asks the child to stop (SIGTERM), then kills it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Last lines of stderr, for error reports. */
  tail(): string;
}

const running = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const c of running) c.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping the servers under test\n`);
      killAll();
      process.exit(130);
    });
  }
}

export function startChild(opts: {
  name: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  ready: RegExp;
  timeoutMs: number;
}): Promise<Child> {
  hookExit();
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 50) stderr.shift();
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${opts.name}] ${chunk}`);
  });
  const tail = () => stderr.join('').slice(-4000);

  const stop = async (graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    let out = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`${opts.name} did not print ${opts.ready} within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- ${opts.name} stderr ---\n${tail()}`));
    };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return; // keep draining the pipe so the child never blocks on a full stdout
      out += chunk;
      const line = out.split('\n').find((l) => opts.ready.test(l));
      if (!line) return;
      settled = true;
      clearTimeout(timer);
      resolve({ pid: child.pid!, readyLine: line, stop, tail });
    });
    child.once('exit', (code, signal) => fail(new Error(`${opts.name} exited early (code ${code}, signal ${signal})`)));
    child.once('error', fail);
  });
}

// CPU time from /proc: utime + stime in clock ticks (fields 14 and 15 of stat, after the command name).
const TICKS_PER_SECOND = 100; // USER_HZ; Linux reports /proc times in these units on every common platform

function ticksOf(statPath: string): number {
  try {
    const stat = fs.readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN; // not Linux, or the process is gone
  }
}

export interface CpuSample {
  at: number;
  /** Whole process (all threads: JS, libuv thread pool with the SQLite work, GC helpers). */
  process: number;
  /** The main thread only (JS, socket I/O): near 100 % means the event loop is the limit. */
  main: number;
}

export function sampleCpu(pid: number): CpuSample {
  return { at: performance.now(), process: ticksOf(`/proc/${pid}/stat`), main: ticksOf(`/proc/${pid}/task/${pid}/stat`) };
}

/** CPU use between two samples, in percent of one core. */
export function cpuPercent(a: CpuSample, b: CpuSample): { process: number; main: number } {
  const seconds = (b.at - a.at) / 1000;
  const pct = (ticks: number) => Math.round(((ticks / TICKS_PER_SECOND) * 100) / seconds);
  return { process: pct(b.process - a.process), main: pct(b.main - a.main) };
}

/** Busy CPU time of the whole machine (all processes), in the same ticks as sampleCpu. */
export function sampleMachine(): { at: number; busy: number } {
  try {
    const [, ...f] = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    const n = f.map(Number); // user nice system idle iowait irq softirq steal ...
    const busy = n[0]! + n[1]! + n[2]! + n[5]! + n[6]! + n[7]!;
    return { at: performance.now(), busy };
  } catch {
    return { at: performance.now(), busy: Number.NaN };
  }
}

/**
 * Waits (bounded) until the rest of the machine is quiet: other work on a 2-core box (a test run, a
 * build) shows up directly in the latency figures. Returns the busy % seen last.
 */
export async function waitForQuiet(maxWaitMs: number, thresholdPct = 25): Promise<{ busyPct: number; waitedMs: number }> {
  const started = performance.now();
  let busyPct = Number.NaN;
  while (performance.now() - started < maxWaitMs) {
    const a = sampleMachine();
    await new Promise((r) => setTimeout(r, 1_000));
    const b = sampleMachine();
    busyPct = Math.round((((b.busy - a.busy) / TICKS_PER_SECOND) * 100) / ((b.at - a.at) / 1000));
    if (!(busyPct >= thresholdPct)) break;
  }
  return { busyPct, waitedMs: Math.round(performance.now() - started) };
}
