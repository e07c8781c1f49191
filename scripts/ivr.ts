// The IVR simulator: `npm run ivr -- <flow> [--from +66812345678] [--keys 1,2] [--at 2026-12-07T22:00+07:00]`. It starts a throwaway
// Omnidesk (SQLite in a temp folder) with the flows of ivr-flows/, makes a voice number playing <flow>,
// and calls it: every request goes through the same webhook handlers Twilio reaches, signed with the
// twilio package's own helper. It prints what the caller would hear and reads key presses (or words,
// for speech) from the terminal; `--keys` answers the menus in turn without asking (for scripts), and
// `--at` calls as if at that time (to try the after-hours path in the afternoon).
// The queues the flow names are created empty, so a caller who reaches one hears the waiting line.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import readline from 'node:readline/promises';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/server.js';
import { FlowError } from '../server/ivr/flow.js';
import { loadFlows } from '../server/ivr/load-flows.js';
import { projectRoot } from '../server/paths.js';
import { findAll, parseTwiml, type XmlElement } from './lib/twiml.js';

const USAGE = 'usage: npm run ivr -- <flow> [--from +66812345678] [--keys 1,2] [--at 2026-12-07T22:00+07:00] [--flows <dir>]';
const ADMIN = { email: 'simulator@omnidesk.local', password: randomBytes(12).toString('hex') };
const hex = (n: number) => randomBytes(n).toString('hex');

interface Options {
  flow: string;
  from: string;
  keys: string[] | null;
  flowsDir: string;
  /** The simulated time of the call (epoch ms), or null for now. */
  at: number | null;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { flow: '', from: '+66812345678', keys: null, flowsDir: path.join(projectRoot, 'ivr-flows'), at: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--from') opts.from = value();
    else if (arg === '--keys') opts.keys = value().split(',');
    else if (arg === '--flows') opts.flowsDir = path.resolve(value());
    else if (arg === '--at') {
      opts.at = Date.parse(value());
      if (Number.isNaN(opts.at)) throw new Error(`--at needs a date and time, e.g. 2026-12-07T22:00+07:00\n${USAGE}`);
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else opts.flow = arg.replace(/\.flow\.yaml$/, '');
  }
  if (!opts.flow) throw new Error(USAGE);
  return opts;
}

/** Stands in for Twilio's REST API where the desk asks it something (the account check, a call redirect). */
async function twilioApiStandIn(accountSid: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    const ok = req.url?.startsWith(`/2010-04-01/Accounts/${accountSid}`);
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { sid: accountSid, status: 'active' } : { code: 20404, message: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the caller hears of one TwiML answer; returns the next request to make, or null when the call is over. */
function play(
  response: XmlElement,
  out: (line: string) => void,
): { kind: 'gather'; verb: XmlElement } | { kind: 'redirect'; url: string } | { kind: 'end'; why: string } {
  for (const verb of response.children) {
    switch (verb.name) {
      case 'Say':
        out(`  🔊 [${verb.attributes.language ?? '?'}] ${verb.text}`);
        break;
      case 'Play':
        out(`  🎵 ${verb.text}`);
        break;
      case 'Pause':
        out(`  … (${verb.attributes.length ?? 1} s)`);
        break;
      case 'Gather':
        for (const inner of findAll(verb, 'Say')) out(`  🔊 [${inner.attributes.language ?? '?'}] ${inner.text}`);
        return { kind: 'gather', verb };
      case 'Redirect':
        return { kind: 'redirect', url: verb.text };
      case 'Record':
        return {
          kind: 'end',
          why: `⏺  the caller leaves a voicemail (up to ${verb.attributes.maxLength ?? '?'} s); it reaches agents as a message with the recording`,
        };
      case 'Dial':
        return {
          kind: 'end',
          why: `📞 the call is put through to ${
            verb.text ||
            findAll(verb, 'Number')
              .map((n) => n.text)
              .join(', ')
          }`,
        };
      case 'Hangup':
        return { kind: 'end', why: '📴 the line hangs up' };
      default:
        out(`  (${verb.name})`);
    }
  }
  return { kind: 'end', why: '📴 nothing more: Twilio hangs up' };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const flows = loadFlows(opts.flowsDir); // a broken flow stops here, with its file and node named
  const flow = flows.get(opts.flow);
  if (!flow) throw new Error(`no flow "${opts.flow}" in ${opts.flowsDir} (there are: ${[...flows.keys()].join(', ') || 'none'})`);
  const queueNames = new Set<string>();
  for (const node of flow.nodes.values()) if (node.type === 'enqueue' || node.type === 'callback') queueNames.add(node.queue);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-ivr-'));
  const account = { accountSid: `AC${hex(16)}`, authToken: hex(16) };
  const api = await twilioApiStandIn(account.accountSid);
  const config = loadConfig({
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${path.join(dir, 'ivr.sqlite')}`,
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    IVR_FLOWS_DIR: opts.flowsDir,
  });
  // The clock runs from --at as it does from now.
  const offset = opts.at === null ? 0 : opts.at - Date.now();
  const server = await startServer(config, createLogger('silent'), { now: () => Date.now() + offset });
  const terminal = readline.createInterface({ input: process.stdin, output: process.stdout });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const call = async (method: string, url: string, body?: unknown, token?: string) => {
      const res = await fetch(`${server.url}${url}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as { error?: unknown; token?: string; account?: { id: string } };
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json.error ?? json)}`);
      return json;
    };
    const { token } = await call('POST', '/api/v1/auth/login', ADMIN);
    for (const name of queueNames) await call('POST', '/api/v1/queues', { name, channels: ['voice'] }, token);
    const created = await call(
      'POST',
      '/api/v1/channel-accounts',
      {
        kind: 'voice',
        name: `Simulator: ${flow.name}`,
        settings: { accountSid: account.accountSid, phoneNumber: '+6620000000', apiBaseUrl: api.url, flow: flow.name },
        credentials: { authToken: account.authToken },
      },
      token,
    );
    const base = `${server.url}/webhooks/voice/${created.account!.id}`;
    const callSid = `CA${hex(16)}`;
    const twilioPost = async (url: string, params: Record<string, string>) => {
      const form = { AccountSid: account.accountSid, CallSid: callSid, ...params };
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(account.authToken, url, form),
        },
        body: new URLSearchParams(form).toString(),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`);
      return parseTwiml(text);
    };

    const when = opts.at === null ? '' : ` at ${new Date(opts.at).toISOString()}`;
    out(`☎  Calling "${flow.name}" (${opts.flowsDir}) from ${opts.from}${when}\n`);
    let response = await twilioPost(base, { From: opts.from, To: '+6620000000', CallStatus: 'ringing', Direction: 'inbound' });
    const keys = opts.keys ? [...opts.keys] : null;
    for (let turns = 0; turns < 200; turns++) {
      const next = play(response, out);
      if (next.kind === 'end') {
        out(`\n${next.why}`);
        break;
      }
      if (next.kind === 'redirect') {
        if (next.url.endsWith('/wait')) {
          const waiting = await twilioPost(next.url, {});
          play(waiting, out);
          out("\n⏳ the caller now waits in the queue; in the desk the call is offered to the queue's available agents");
          break;
        }
        response = await twilioPost(next.url, {});
        continue;
      }
      const input = next.verb.attributes.input ?? 'dtmf';
      const answer = keys
        ? (keys.shift() ?? '')
        : await terminal.question(`  ⌨  ${input.includes('speech') ? 'keys or words' : 'keys'} (Enter = no answer): `);
      if (keys) out(`  ⌨  ${answer || '(no answer)'}`);
      const given = answer.trim();
      const params: Record<string, string> = /^[0-9*#]+$/.test(given)
        ? { Digits: given }
        : given
          ? { SpeechResult: given, Confidence: '0.9' }
          : {};
      response = await twilioPost(next.verb.attributes.action!, params);
    }
    await twilioPost(`${base}/status`, { CallStatus: 'completed' });
  } finally {
    terminal.close();
    await server.close();
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof FlowError ? 'A flow is broken:\n' : ''}${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof FlowError ? 78 : 1);
});
