// The agent console as users feel it, in Debian's Chromium: the first screen's JavaScript and CSS
// (gzip), cold load to interactive, and the time from a customer's message to its render in the
// console at a steady rate. `npm run bench:console`; prints a table, writes bench/results/console.json.
//
// - Bundle: the files index.html loads before anything renders (entry script, its modulepreloads,
//   stylesheets), gzip-compressed at level 9 as a server would send them.
// - Cold load: a new browser context each time (empty cache), the session already in storage, from
//   navigation start to the console being usable: the conversation list rendered and the socket
//   connected (the page's own clock). Also the login page to its form.
// - Render latency: one web chat visitor writes RATE messages a second into the conversation the
//   agent has open; each message carries its send time (Date.now() in this process, the same machine
//   clock as the browser's); a MutationObserver in the page stamps when its text appears.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { io as ioClient } from 'socket.io-client';
import { chromium } from 'playwright-core';
import { buildUi } from '../scripts/build-ui.mjs';
import { ADMIN, startOmnidesk } from './lib/targets.js';
import { summarize, table } from './lib/stats.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench', 'results', 'console.json');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RATE = env('BENCH_CONSOLE_RATE', 50);
const SECONDS = env('BENCH_CONSOLE_SECONDS', 20);
const LOADS = env('BENCH_CONSOLE_LOADS', 10);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TARGETS = { bundleGzipKb: 300, coldLoadMs: 1_000, renderP99Ms: 100 };

/** The first screen's assets, as index.html references them. */
function firstScreenBundle(): { files: { file: string; bytes: number; gzip: number }[]; gzip: number } {
  const dist = path.join(ROOT, 'agent-ui', 'dist');
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const files = [...new Set(refs)].map((file) => {
    const bytes = fs.readFileSync(path.join(dist, file));
    return { file, bytes: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  });
  return { files, gzip: files.reduce((n, f) => n + f.gzip, 0) };
}

const round = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  await buildUi({ quiet: true });
  const bundle = firstScreenBundle();
  const target = await startOmnidesk({ socketEventsPerSecond: Math.max(1_000, RATE * 4), nodeArgs: [] });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const login = (await (
      await fetch(`${target.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      })
    ).json()) as { token: string; expiresAt: number; user: unknown };
    const [visitorAuth] = await target.visitors(1);
    const visitor = ioClient(target.url, { auth: visitorAuth, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve, reject) => {
      visitor.once('connect', resolve);
      visitor.once('connect_error', reject);
    });
    let sent = 0;
    const send = (text: string) => visitor.timeout(10_000).emitWithAck('visitor:send', { clientMessageId: `b${sent++}`, text });
    await send('bench 0 0 hello');

    // Cold loads: a fresh context (no cache) each time, signed in through storage as after a login.
    const loginPage: number[] = [];
    const interactive: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(target.url);
      await page.getByRole('button', { name: /sign in|เข้าสู่ระบบ/i }).waitFor();
      loginPage.push(await page.evaluate(() => performance.now()));
      await page.evaluate((s) => sessionStorage.setItem('omnidesk.session', JSON.stringify(s)), login);
      await page.goto(target.url);
      await page.locator('.connection[data-state="connected"]').waitFor();
      await page.getByText('Visitor 1').first().waitFor({ timeout: 10_000 });
      interactive.push(await page.evaluate(() => performance.now()));
      await context.close();
    }

    // Render latency: the agent has the conversation open; the visitor writes RATE messages a second.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(target.url);
    await page.evaluate((s) => sessionStorage.setItem('omnidesk.session', JSON.stringify(s)), login);
    await page.goto(target.url);
    await page.locator('.connection[data-state="connected"]').waitFor();
    await page.getByText('Visitor 1').first().click();
    await page.getByRole('feed', { name: 'Messages' }).getByText('bench 0 0 hello').waitFor();
    await page.evaluate(() => {
      const seen = new Map<number, number>();
      (window as unknown as { benchSeen: Map<number, number> }).benchSeen = seen;
      new MutationObserver((records) => {
        const now = Date.now();
        for (const r of records)
          for (const node of r.addedNodes) {
            for (const m of (node.textContent ?? '').matchAll(/bench (\d+) (\d+) m/g)) {
              const seq = Number(m[1]);
              if (!seen.has(seq)) seen.set(seq, now - Number(m[2]));
            }
          }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const total = RATE * SECONDS;
    const started = Date.now();
    const acks: Promise<unknown>[] = [];
    for (let seq = 1; seq <= total; seq++) {
      const due = started + ((seq - 1) * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      acks.push(send(`bench ${seq} ${Date.now()} m`));
    }
    await Promise.all(acks);
    await page
      .waitForFunction((n) => (window as unknown as { benchSeen: Map<number, number> }).benchSeen.size >= n, total, { timeout: 30_000 })
      .catch(() => undefined);
    const latencies = await page.evaluate(() => [...(window as unknown as { benchSeen: Map<number, number> }).benchSeen.values()]);
    const domRows = await page.locator('.timeline-row').count();
    await context.close();
    visitor.close();

    const render = summarize(latencies);
    const loads = summarize(interactive);
    const result = {
      startedAt: new Date().toISOString(),
      bundle: { gzipKb: round(bundle.gzip / 1024), files: bundle.files },
      coldLoadMs: { loginPage: summarize(loginPage), consoleInteractive: loads },
      render: { rate: RATE, seconds: SECONDS, sent: total, rendered: latencies.length, latencyMs: render, domChildrenAfter: domRows },
      targets: TARGETS,
    };
    console.log(
      table(
        ['agent console', 'measured', 'target'],
        [
          ['first screen JS + CSS, gzip (KB)', round(bundle.gzip / 1024), `< ${TARGETS.bundleGzipKb}`],
          ['cold load to login form, p50 / max (ms)', `${result.coldLoadMs.loginPage.p50} / ${result.coldLoadMs.loginPage.max}`, ''],
          ['cold load to usable console, p50 / max (ms)', `${loads.p50} / ${loads.max}`, `< ${TARGETS.coldLoadMs}`],
          [`message to render at ${RATE}/s, p50 / p99 (ms)`, `${render.p50} / ${render.p99}`, `p99 < ${TARGETS.renderP99Ms}`],
          ['messages rendered / sent', `${latencies.length} / ${total}`, ''],
        ],
      ),
    );
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${OUT}`);
  } finally {
    await browser.close();
    await target.stop();
  }
}

await main();
