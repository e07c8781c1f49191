// Email import: how fast mail read over IMAP becomes messages, and what it costs in memory.
// `npm run bench:email`; prints a table and writes bench/results/email-import.json.
//
// A real Dovecot (test/support/dovecot.ts), a real SMTP receiver (the account check needs one; the
// acknowledgement is off, so nothing is sent) and a whole Omnidesk server on SQLite in this process,
// so process.memoryUsage() is the server's: sampled every 100 ms, reported as the peak above a
// baseline taken after a forced GC. The mail is appended over IMAP by a child process (its buffers
// are not in the figures). "first sync": the mail is in the mailbox before the account is created,
// timed from the POST until the last message.created. "live": the account IDLEs, the child appends,
// timed from the first APPEND until the last message.created; latency = APPEND done → message stored.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ImapFlow } from 'imapflow';
import { startDovecot } from '../test/support/dovecot.js';
import { startTestServer, type TestServer } from '../test/support/harness.js';
import { startSmtpReceiver } from '../test/support/smtp-receiver.js';
import { waitForQuiet } from './lib/child.js';
import { prng } from './lib/prng.js';
import { summarize, table, type Summary } from './lib/stats.js';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const SMALL = env('BENCH_EMAIL_SMALL', 1_000);
const LIVE_SMALL = env('BENCH_EMAIL_LIVE', 200);
const LARGE = env('BENCH_EMAIL_LARGE', 100);
const LARGE_MB = env('BENCH_EMAIL_LARGE_MB', 1);
const HUGE_MB = env('BENCH_EMAIL_HUGE_MB', 50);
const QUIET_WAIT_S = env('BENCH_QUIET_WAIT_S', 60);
const FORCE_GC = process.env.BENCH_EMAIL_FORCE_GC === '1';
const STALL_MS = 60_000;
const OUT = process.env.BENCH_OUT ?? 'bench/results/email-import.json';
const MiB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

// ---- the mail (generated in the appending child) --------------------------------------------------

interface AppendSpec {
  host: string;
  port: number;
  user: string;
  password: string;
  prefix: string;
  count: number;
  /** 0: a small Thai text + HTML mail; otherwise a short text and an attachment of this many random bytes. */
  attachmentBytes: number;
}
type AppenderMessage = { type: 'ready'; at: number } | { type: 'appended'; i: number; at: number; bytes: number } | { type: 'done' };

const THAI = [
  'สวัสดีครับ',
  'สั่งสินค้าไปเมื่อวันจันทร์ ยังไม่ได้รับของเลยครับ',
  'รบกวนช่วยตรวจสอบสถานะการจัดส่งให้หน่อยครับ',
  'ชำระเงินแล้วแต่ระบบยังแสดงว่ารอชำระค่ะ',
  'สินค้าที่ได้รับมีตำหนิเล็กน้อย ขอเปลี่ยนเป็นชิ้นใหม่ได้ไหมคะ',
  'ถ้าเป็นไปได้อยากเปลี่ยนที่อยู่จัดส่งเป็นที่ทำงานครับ',
  'แนบใบเสร็จมาให้ตรวจสอบด้วยค่ะ',
  'ขอบคุณมากครับ',
];
const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
const base64Lines = (bytes: Buffer) => (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');

function thaiText(rand: () => number, minBytes: number): string {
  const lines: string[] = [];
  for (let size = 0; size < minBytes; size += Buffer.byteLength(lines.at(-1)!)) lines.push(THAI[Math.floor(rand() * THAI.length)]!);
  return lines.join('\r\n');
}

function mailOf(spec: AppendSpec, i: number, rand: () => number): Buffer {
  const text = thaiText(rand, spec.attachmentBytes ? 300 : 1_200);
  const head = [
    `From: ${b64(`ลูกค้า ${i}`)} <customer-${i}@customer.example>`,
    `To: ${spec.user}`,
    `Subject: ${b64(`สอบถามคำสั่งซื้อ #${i}`)}`,
    `Message-ID: <${spec.prefix}-${i}@customer.example>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
  ];
  const part = (type: string, body: Buffer, extra: string[] = []) =>
    [`Content-Type: ${type}`, 'Content-Transfer-Encoding: base64', ...extra, '', base64Lines(body)].join('\r\n');
  const parts = spec.attachmentBytes
    ? [
        part('text/plain; charset=utf-8', Buffer.from(text)),
        part('application/octet-stream; name="scan.bin"', randomBytes(spec.attachmentBytes), [
          `Content-Disposition: attachment; filename="scan-${i}.bin"`,
        ]),
      ]
    : [
        part('text/plain; charset=utf-8', Buffer.from(text)),
        part('text/html; charset=utf-8', Buffer.from(`<div>${text.split('\r\n').join('<br>')}</div>`)),
      ];
  const boundary = `----=_bench_${i}`;
  const multipart = spec.attachmentBytes ? 'mixed' : 'alternative';
  return Buffer.from(
    [
      ...head,
      `Content-Type: multipart/${multipart}; boundary="${boundary}"`,
      '',
      ...parts.flatMap((p) => [`--${boundary}`, p]),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

/** The child: appends the mail over one IMAP connection, reporting each APPEND as it completes. */
async function appendMails(spec: AppendSpec): Promise<void> {
  const send = (m: AppenderMessage) => new Promise((resolve) => process.send!(m, undefined, {}, resolve));
  const client = new ImapFlow({
    host: spec.host,
    port: spec.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: spec.user, pass: spec.password },
    logger: false,
  });
  await client.connect();
  const rand = prng(spec.count);
  void send({ type: 'ready', at: Date.now() });
  for (let i = 0; i < spec.count; i++) {
    const raw = mailOf(spec, i, rand);
    await client.append('INBOX', raw);
    void send({ type: 'appended', i, at: Date.now(), bytes: raw.length });
  }
  await client.logout();
  await send({ type: 'done' });
}

interface Appended {
  /** When the child was connected and about to APPEND the first mail (epoch ms). */
  readyAt: number;
  /** When each APPEND completed (epoch ms). */
  at: number[];
  bytes: number;
  largest: number;
}

/** Runs the appending child; `onReady` is called as it starts to APPEND. */
function appender(spec: AppendSpec, onReady: () => void = () => undefined): Promise<Appended> {
  const child = fork(path.join(import.meta.dirname, 'email-import.ts'), ['append', JSON.stringify(spec)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const at: number[] = [];
  let readyAt = 0;
  let bytes = 0;
  let largest = 0;
  return new Promise((resolve, reject) => {
    child.on('message', (m: AppenderMessage) => {
      if (m.type === 'done') return resolve({ readyAt, at, bytes, largest });
      if (m.type === 'ready') {
        readyAt = m.at;
        return onReady();
      }
      at[m.i] = m.at;
      bytes += m.bytes;
      largest = Math.max(largest, m.bytes);
    });
    // After 'done' this rejects a settled promise: harmless.
    child.once('exit', (code) => reject(new Error(`the appending child exited with ${code} before it was done`)));
  });
}

// ---- what the server does ---------------------------------------------------------------------------

/** The messages of one phase as the server stores them (its EventBus), by mail number. */
function watchArrivals(server: TestServer, prefix: string, count: number, attachmentBytes: number) {
  const at: number[] = [];
  let stored = 0;
  let withAttachment = 0;
  let settle: ((err?: Error) => void) | undefined;
  let lastProgress = performance.now();
  const done = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
  const off = server.events.subscribe((e) => {
    if (e.type !== 'message.created' || !e.message.providerMessageId?.startsWith(`${prefix}-`)) return;
    const i = Number(e.message.providerMessageId.slice(prefix.length + 1).split('@')[0]);
    if (at[i] !== undefined) return;
    at[i] = Date.now();
    lastProgress = performance.now();
    if (e.message.parts.some((p) => p.type === 'file' && p.size === attachmentBytes)) withAttachment++;
    if (++stored === count) settle!();
  });
  const stall = setInterval(() => {
    if (performance.now() - lastProgress > STALL_MS) settle!(new Error(`${prefix}: ${stored} of ${count} stored, none for ${STALL_MS} ms`));
  }, 1_000);
  const finished = done.finally(() => {
    off();
    clearInterval(stall);
  });
  return { finished, at, counts: () => ({ stored, withAttachment }) };
}

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  /** heapUsed + external in the same sample: what JavaScript holds, buffers included. */
  js: number;
}
const MEMORY_KEYS = ['rss', 'heapUsed', 'external', 'js'] as const;
const gc = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
function memoryNow(): Memory {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, js: m.heapUsed + m.external };
}

/**
 * Peaks above a post-GC baseline, sampled every 100 ms. With BENCH_EMAIL_FORCE_GC=1 each sample
 * follows a full GC, so a peak is memory really held rather than garbage not yet collected.
 */
function sampleMemory() {
  gc();
  const baseline = memoryNow();
  const peak = { ...baseline };
  const timer = setInterval(() => {
    if (FORCE_GC) gc();
    const m = memoryNow();
    for (const k of MEMORY_KEYS) peak[k] = Math.max(peak[k], m[k]);
  }, 100);
  return () => {
    clearInterval(timer);
    gc();
    const after = memoryNow();
    const inMb = (m: Memory, minus?: Memory): Memory => {
      const r = { ...m };
      for (const k of MEMORY_KEYS) r[k] = mb(m[k] - (minus?.[k] ?? 0));
      return r;
    };
    return { baselineMb: inMb(baseline), peakGrowthMb: inMb(peak, baseline), afterGcGrowthMb: inMb(after, baseline) };
  };
}

// ---- phases -----------------------------------------------------------------------------------------

interface PhaseResult {
  name: string;
  mode: 'first sync' | 'live';
  attachmentBytes: number;
  mails: number;
  rawMb: number;
  largestMailMb: number;
  seconds: number;
  msgsPerSecond: number;
  mbPerSecond: number;
  firstStoredMs: number;
  appendSeconds: number | null;
  latencyMs: Summary | null;
  cpuPctOfOneCore: number;
  withAttachment: number;
  ledgerImported: number;
  memory: ReturnType<ReturnType<typeof sampleMemory>>;
}

interface Mailbox {
  server: TestServer;
  spec: Omit<AppendSpec, 'prefix' | 'count' | 'attachmentBytes'>;
  /** Creates the email account that reads this mailbox. */
  create: () => Promise<string>;
  accountId?: string;
}

interface PhaseOptions {
  name: string;
  mode: PhaseResult['mode'];
  count: number;
  attachmentBytes: number;
}

async function quiet(): Promise<void> {
  if (QUIET_WAIT_S <= 0) return;
  const { busyPct, waitedMs } = await waitForQuiet(QUIET_WAIT_S * 1000, 30);
  if (busyPct >= 30) log(`  machine still busy (${busyPct}% of a core used) after ${waitedMs} ms; measuring anyway`);
}

async function createAccount(box: Mailbox, smtpPort: number, admin: string): Promise<string> {
  const { host, port, user, password } = box.spec;
  const res = await box.server.api.request('POST', '/api/v1/channel-accounts', {
    token: admin,
    body: {
      kind: 'email',
      name: `Bench ${user}`,
      settings: {
        imap: { host, port, tls: 'none', user, syncDays: 7, maxBytes: 100 * MiB }, // the largest cap, for the one big mail
        smtp: { host, port: smtpPort, tls: 'none' },
        fromAddress: user,
        fromName: 'Omnidesk Bench',
        acknowledge: { enabled: false },
      },
      credentials: { imapPassword: password },
    },
  });
  if (res.status !== 201) throw new Error(`create email account: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.account.id as string;
}

/** The phase's mail in the ledger as imported; its row is written just after the message, so wait a little for the last. */
async function countImported(box: Mailbox, prefix: string, expected: number): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const imports = await box.server.store.email.listImports({ channelAccountId: box.accountId!, status: ['imported'] }, 100_000);
    const count = imports.filter((i) => i.messageId?.startsWith(`${prefix}-`)).length;
    if (count >= expected || attempt === 50) return count;
    await pause(100);
  }
}

async function runPhase(box: Mailbox, opts: PhaseOptions): Promise<PhaseResult> {
  const prefix = `bench-${opts.name.replace(/\W+/g, '-')}-${Date.now()}`;
  const spec: AppendSpec = { ...box.spec, prefix, count: opts.count, attachmentBytes: opts.attachmentBytes };
  log(`[${opts.mode}, ${opts.name}] ${opts.count} mails`);
  const preAppended = opts.mode === 'first sync' ? await appender(spec) : undefined;
  await quiet();
  const arrivals = watchArrivals(box.server, prefix, opts.count, opts.attachmentBytes);
  const memory = sampleMemory();
  let cpu0 = process.cpuUsage();
  let sent: Appended;
  // t0: the POST that creates the account (first sync), or the child about to APPEND (live).
  let t0 = Date.now();
  if (preAppended) {
    box.accountId = await box.create();
    sent = preAppended;
    await arrivals.finished;
  } else {
    // The child's start-up (a second or so) is not the server's work: CPU is counted from its first APPEND.
    [sent] = await Promise.all([appender(spec, () => (cpu0 = process.cpuUsage())), arrivals.finished]);
    t0 = sent.readyAt;
  }
  const cpu = process.cpuUsage(cpu0);
  const mem = memory();
  const lastStored = Math.max(...arrivals.at);
  const seconds = (lastStored - t0) / 1000;
  const ledgerImported = await countImported(box, prefix, arrivals.counts().stored);
  const { stored, withAttachment } = arrivals.counts();
  const result: PhaseResult = {
    name: opts.name,
    mode: opts.mode,
    attachmentBytes: opts.attachmentBytes,
    mails: stored,
    rawMb: mb(sent.bytes),
    largestMailMb: mb(sent.largest),
    seconds: Math.round(seconds * 100) / 100,
    msgsPerSecond: Math.round((stored / seconds) * 10) / 10,
    mbPerSecond: Math.round((sent.bytes / MiB / seconds) * 100) / 100,
    firstStoredMs: Math.min(...arrivals.at) - t0,
    appendSeconds: preAppended ? null : (Math.max(...sent.at) - t0) / 1000,
    latencyMs: preAppended ? null : summarize(arrivals.at.map((t, i) => t - sent.at[i]!)),
    cpuPctOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / (lastStored - t0)) * 1000) / 10,
    withAttachment,
    ledgerImported,
    memory: mem,
  };
  log(`  ${result.msgsPerSecond} msgs/s, ${result.mbPerSecond} MB/s, peak RSS +${mem.peakGrowthMb.rss} MB`);
  return result;
}

// ---- main -------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    log('bench: still running after 30 min; giving up');
    process.exit(2);
  }, 30 * 60_000);
  watchdog.unref();
  const started = new Date();
  const [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpReceiver()]);
  const server = await startTestServer('sqlite', { LOG_LEVEL: 'warn' });
  const phases: PhaseResult[] = [];
  try {
    const admin = await server.api.login();
    const box = (user: string): Mailbox => {
      const b: Mailbox = { server, spec: dovecot.account(user), create: () => createAccount(b, smtp.port, admin) };
      return b;
    };
    const small = box('support@example.com');
    const large = box('sales@example.com');
    const plan: (PhaseOptions & { box: Mailbox })[] = [
      { box: small, name: 'small', mode: 'first sync', count: SMALL, attachmentBytes: 0 },
      { box: small, name: 'small', mode: 'live', count: LIVE_SMALL, attachmentBytes: 0 },
      { box: large, name: `${LARGE_MB} MB`, mode: 'first sync', count: LARGE, attachmentBytes: LARGE_MB * MiB },
      { box: large, name: `${LARGE_MB} MB`, mode: 'live', count: LARGE, attachmentBytes: LARGE_MB * MiB },
      { box: large, name: `${HUGE_MB} MB`, mode: 'live', count: HUGE_MB > 0 ? 1 : 0, attachmentBytes: HUGE_MB * MiB },
    ];
    for (const { box: b, ...phase } of plan) {
      if (phase.count === 0) continue;
      if (phase.mode === 'live' && !b.accountId) b.accountId = await b.create();
      // After a first sync (or a new account) the pass ends and the receiver IDLEs (imapflow's autoIdleDelay is 500 ms).
      if (phase.mode === 'live') await pause(2_000);
      phases.push(await runPhase(b, phase));
    }
  } finally {
    await server.stop();
    await Promise.all([dovecot.close(), smtp.close()]);
  }

  const out: string[] = [
    '',
    `Email import bench, ${started.toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`,
    'Dovecot 2.3 on 127.0.0.1 → imapflow → raw mail to disk → mailparser → ingest (SQLite); the server runs in this process.',
    '',
    table(
      [
        'phase',
        'mails',
        'raw MB',
        's',
        'msgs/s',
        'MB/s',
        'first ms',
        'append s',
        'lat p50',
        'lat p99',
        'cpu %',
        'RSS +MB',
        'heap+ext +MB',
        'held +MB',
        'ok',
      ],
      phases.map((p) => [
        `${p.mode}, ${p.name}`,
        p.mails,
        p.rawMb,
        p.seconds,
        p.msgsPerSecond,
        p.mbPerSecond,
        p.firstStoredMs,
        p.appendSeconds ?? '-',
        p.latencyMs?.p50 ?? '-',
        p.latencyMs?.p99 ?? '-',
        p.cpuPctOfOneCore,
        p.memory.peakGrowthMb.rss,
        p.memory.peakGrowthMb.js,
        p.memory.afterGcGrowthMb.js,
        p.ledgerImported === p.mails && (!p.attachmentBytes || p.withAttachment === p.mails) ? 'yes' : 'NO',
      ]),
    ),
    '"first ms": from the POST (first sync) or the first APPEND (live) to the first message stored. "lat": APPEND done → message stored.',
    '"cpu %": this process (the server) in % of one core. Memory: peak growth above a post-GC baseline of RSS and of heap + external',
    `(buffers), sampled every 100 ms${FORCE_GC ? ', each sample after a full GC' : ''}; "held": heap + external still grown after a GC at the end.`,
    '"ok": every mail is in the ledger as imported, and every attachment was stored at its full size.',
  ];
  for (const p of phases.filter((x) => x.attachmentBytes > 0)) {
    const growth = Math.max(p.memory.peakGrowthMb.rss, p.memory.peakGrowthMb.js);
    // Holding each mail whole would grow memory by at least the largest mail; holding them all, by their sum.
    const limit = p.mails > 1 ? p.rawMb / 4 : p.largestMailMb / 2;
    out.push(
      `${p.mode}, ${p.name}: ${p.rawMb} MB of mail (largest ${p.largestMailMb} MB) grew memory by at most ${growth} MB: ` +
        (growth < limit ? 'bounded, the mail is streamed' : `NOT bounded (over ${mb(limit * MiB)} MB): something holds whole mails`),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);

  const file = path.resolve(OUT);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const json = {
    startedAt: started.toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
    options: {
      small: SMALL,
      liveSmall: LIVE_SMALL,
      large: LARGE,
      largeMb: LARGE_MB,
      hugeMb: HUGE_MB,
      forceGc: FORCE_GC,
      database: 'sqlite',
    },
    notes: [
      'server in-process on SQLite, LOG_LEVEL=warn; mail appended over IMAP by a child process; acknowledgements off',
      'memory growth in MiB above a post-GC baseline, sampled every 100 ms',
    ],
    phases,
  };
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  log(`results written to ${path.relative(process.cwd(), file)}`);
}

if (process.argv[2] === 'append') {
  await appendMails(JSON.parse(process.argv[3]!) as AppendSpec);
  process.exit(0);
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
