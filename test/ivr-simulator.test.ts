// The IVR simulator (`npm run ivr`) and start-up's flow check, as a user meets them: real processes.
// The simulator walks the shipped flow through the signed webhook handlers with scripted key presses;
// a broken flow file stops both the simulator and the server with the file and node named.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

let broken: string;
beforeAll(() => {
  broken = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-broken-flows-'));
  fs.writeFileSync(
    path.join(broken, 'shop.flow.yaml'),
    [
      'name: shop',
      'languages: [th-TH]',
      'start: menu',
      'nodes:',
      '  menu:',
      '    type: gather',
      '    input: [dtmf]',
      '    prompt: { th-TH: กด 1 }',
      "    options: { '1': sales }",
      '    invalid: bye',
      '  bye:',
      '    type: hangup',
      '',
    ].join('\n'),
  );
});
afterAll(() => fs.rmSync(broken, { recursive: true, force: true }));

test('the simulator walks the shipped flow: Thai greeting, English chosen, the menu, and the queue', async () => {
  // A Monday at 10:00 in Bangkok: the line is open.
  const { code, out, err } = await run([
    'scripts/ivr.ts',
    'support',
    '--from',
    '+66812345678',
    '--keys',
    '2,3',
    '--at',
    '2026-12-07T10:00+07:00',
  ]);
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(out).toContain('🔊 [th-TH] สวัสดีค่ะ ขอบคุณที่โทรหาช้อปดีค่ะ');
  expect(out).toContain('⌨  2');
  expect(out).toMatch(/🔊 \[en-US\] Welcome to ShopDee customer care\./);
  expect(out).toContain('To speak with an agent, press 3.');
  expect(out).toContain('You are next in line.');
  expect(out).toContain('the caller now waits in the queue');
}, 60_000);

test('the same call at night hears the closed message and the after-hours menu', async () => {
  const { code, out } = await run(['scripts/ivr.ts', 'support', '--keys', '2,1', '--at', '2026-12-07T23:30+07:00']);
  expect(code).toBe(0);
  expect(out).toContain('We are closed right now.');
  expect(out).toContain('the caller leaves a voicemail');
}, 60_000);

test('a broken flow stops the simulator and the server, naming the file and the node', async () => {
  const sim = await run(['scripts/ivr.ts', 'shop', '--flows', broken, '--keys', '1']);
  expect(sim.code).toBe(78);
  expect(sim.err).toMatch(/shop\.flow\.yaml: node "menu": option "1" goes to unknown node "sales"/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-broken-start-'));
  try {
    const start = await run(['server/main.ts'], {
      IVR_FLOWS_DIR: broken,
      DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`,
      DATA_DIR: dir,
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    expect(start.code).toBe(78);
    expect(start.err).toContain('an IVR flow is broken');
    expect(start.err).toMatch(/shop\.flow\.yaml: node "menu": option "1" goes to unknown node "sales"/);
    expect(fs.existsSync(path.join(dir, 'db.sqlite'))).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
