// Open-loop load: message i has an intended send time start + i/rate, whether or not the server has
// kept up. Latency is measured on one designated agent socket, from the intended time (so a stalled
// server or load generator cannot hide its backlog: no coordinated omission) and from the actual emit.
import type { ClientSocket } from './clients.js';
import { fanout } from './clients.js';
import { cpuPercent, sampleCpu, sampleMachine } from './child.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { summarize, type Summary } from './stats.js';

export interface PhaseResult {
  label: string;
  rate: number;
  durationS: number;
  visitors: number;
  sent: number;
  acked: number;
  received: number;
  lost: number;
  errors: Record<string, number>;
  /** Intended send time → 'message:created' on the designated agent. */
  fromIntended: Summary;
  /** Actual emit → 'message:created' on the designated agent. */
  fromEmit: Summary;
  /** Actual emit → the visitor's ack. */
  ack: Summary;
  /** How late the load generator emitted, worst case (intended → actual emit). */
  maxSendLagMs: number;
  /** The load generator's own event-loop delay while sending (ms): if high, the generator limits the figures. */
  loadGenLoopDelay: { p99: number; max: number };
  /** Event packets the other agent sockets received during the phase (expected ≈ received × (agents − 1)). */
  fanoutFrames: number;
  drained: boolean;
  /** CPU while sending, % of one core. */
  serverCpu: { process: number; main: number };
  loadGenCpu: { process: number; main: number };
  /** CPU used by everything else on the machine while sending (other jobs skew the figures when high). */
  othersCpu: number;
}

export interface Phase {
  label: string;
  /** Unique per phase: becomes the prefix of every clientMessageId. */
  tag: string;
  rate: number;
  durationS: number;
  drainTimeoutMs: number;
}

const TEXT = 'Hello, I ordered a blue jacket last week and the tracking page still says "label created". Can you check?';

/**
 * Listens on the designated agent once; each phase installs its own sink. The clientMessageId in the
 * message's providerMessageId (`<session>:<tag>-<seq>`) says which message arrived.
 */
export class Receiver {
  private sink: ((tag: string, seq: number, at: number) => void) | undefined;

  constructor(agent: ClientSocket) {
    agent.on('message:created', (m) => {
      const at = performance.now();
      const pid = m.providerMessageId ?? '';
      const cid = pid.slice(pid.lastIndexOf(':') + 1);
      const dash = cid.lastIndexOf('-');
      if (dash < 0 || !this.sink) return;
      this.sink(cid.slice(0, dash), Number(cid.slice(dash + 1)), at);
    });
  }

  listen(sink: ((tag: string, seq: number, at: number) => void) | undefined): void {
    this.sink = sink;
  }
}

export async function runPhase(phase: Phase, visitors: ClientSocket[], receiver: Receiver, serverPid: number): Promise<PhaseResult> {
  const n = Math.round(phase.rate * phase.durationS);
  const intended = new Float64Array(n);
  const emitted = new Float64Array(n).fill(Number.NaN);
  const acked = new Float64Array(n).fill(Number.NaN);
  const received = new Float64Array(n).fill(Number.NaN);
  const errors: Record<string, number> = {};
  let ackCount = 0;
  let receivedCount = 0;
  let maxSendLagMs = 0;

  receiver.listen((tag, seq, at) => {
    if (tag !== phase.tag || !(seq >= 0 && seq < n) || !Number.isNaN(received[seq]!)) return;
    received[seq] = at;
    receivedCount++;
  });

  const interval = 1000 / phase.rate;
  const start = performance.now() + 20;
  for (let i = 0; i < n; i++) intended[i] = start + i * interval;

  const send = (i: number) => {
    const socket = visitors[i % visitors.length]!;
    const now = performance.now();
    emitted[i] = now;
    maxSendLagMs = Math.max(maxSendLagMs, now - intended[i]!);
    socket.emit('visitor:send', { clientMessageId: `${phase.tag}-${i}`, text: `${TEXT} #${i}` }, (res) => {
      if (!Number.isNaN(acked[i]!)) return;
      acked[i] = performance.now();
      ackCount++;
      if (!res.ok) errors[res.error.code] = (errors[res.error.code] ?? 0) + 1;
    });
  };

  const framesBefore = fanout.frames;
  const cpuBefore = sampleCpu(serverPid);
  const selfBefore = sampleCpu(process.pid);
  const machineBefore = sampleMachine();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const now = performance.now();
      // Everything whose intended time has come is sent now, in order.
      const due = now < start ? 0 : Math.min(n, Math.floor((now - start) / interval) + 1);
      while (next < due) send(next++);
      if (next >= n) return resolve();
      setTimeout(tick, Math.max(0, intended[next]! - performance.now()));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  const [cpuAfter, selfAfter, machineAfter] = [sampleCpu(serverPid), sampleCpu(process.pid), sampleMachine()];
  const serverCpu = cpuPercent(cpuBefore, cpuAfter);
  const loadGenCpu = cpuPercent(selfBefore, selfAfter);
  const machineCpu = cpuPercent(
    { at: machineBefore.at, process: machineBefore.busy, main: 0 },
    { at: machineAfter.at, process: machineAfter.busy, main: 0 },
  ).process;
  const othersCpu = Math.max(0, machineCpu - serverCpu.process - loadGenCpu.process);
  loopDelay.disable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const loadGenLoopDelay = { p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };

  // Drain: wait (bounded) for the acks and deliveries still in flight.
  const drainUntil = performance.now() + phase.drainTimeoutMs;
  while ((ackCount < n || receivedCount < n) && performance.now() < drainUntil) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const drained = ackCount >= n && receivedCount >= n;
  receiver.listen(undefined);
  if (ackCount < n) errors.NO_ACK = n - ackCount;

  const fromIntended: number[] = [];
  const fromEmit: number[] = [];
  const ack: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(received[i]!)) {
      fromIntended.push(received[i]! - intended[i]!);
      fromEmit.push(received[i]! - emitted[i]!);
    }
    if (!Number.isNaN(acked[i]!)) ack.push(acked[i]! - emitted[i]!);
  }
  return {
    label: phase.label,
    rate: phase.rate,
    durationS: phase.durationS,
    visitors: visitors.length,
    sent: n,
    acked: ackCount,
    received: receivedCount,
    lost: n - receivedCount,
    errors,
    fromIntended: summarize(fromIntended),
    fromEmit: summarize(fromEmit),
    ack: summarize(ack),
    maxSendLagMs: Math.round(maxSendLagMs * 10) / 10,
    loadGenLoopDelay,
    fanoutFrames: fanout.frames - framesBefore,
    drained,
    serverCpu,
    loadGenCpu,
    othersCpu,
  };
}

/** A few messages per visitor before measuring: creates their conversations and warms the JIT. */
export async function warmUp(visitors: ClientSocket[], tag: string, perVisitor: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let round = 0; round < perVisitor; round++) {
    const acks = visitors.map(
      (s, v) =>
        new Promise<void>((resolve) => {
          s.timeout(Math.max(1, deadline - performance.now())).emit(
            'visitor:send',
            { clientMessageId: `${tag}-${round * visitors.length + v}`, text: `${TEXT} (warm-up)` },
            () => resolve(),
          );
        }),
    );
    await Promise.all(acks);
    if (performance.now() > deadline) throw new Error('warm-up did not finish in time: is the server answering?');
  }
}
