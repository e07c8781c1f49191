// The reports screen in a real Chromium against a real server. Two weeks of a small desk are written
// straight into the database (three queues, four agents, web chat, LINE and email); a supervisor opens
// Reports, sees the headline figures and the table per channel, then per queue and per agent (Thai names
// intact), switches to Thai, and downloads the CSV. An agent has no Reports tab. The last test writes
// docs/screenshots/reports.png.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openDatabase, type Database } from '../db/connection.js';
import { launchChromium, signIn } from './support/browser.js';
import { startTestServer, type TestServer } from './support/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'test-results');
const DOCS_SHOT = path.join(ROOT, 'docs', 'screenshots', 'reports.png');
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

let server: TestServer;
let db: Database;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let admin: string;
let supervisor: { email: string; password: string; token: string };
let agentUser: { email: string; password: string };
const queueNames = ['ฝ่ายขาย', 'Parcel support', 'VIP line'];
const agentNames = ['สมชาย ใจดี', 'Ploy Srisuk', 'Krit Wongsa', 'Mali Jones'];
const queues: string[] = [];
const agents: string[] = [];
let conversations = 0;

function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fourteen days up to now: 15 to 40 conversations a day, most answered and resolved. */
async function writeHistory(): Promise<void> {
  const rand = prng(7);
  const channels = ['web_chat', 'line', 'email'] as const;
  for (const kind of channels) {
    await db.knex('channel_accounts').insert({ id: `acc-${kind}`, kind, name: kind, settings: '{}', created_at: 0, updated_at: 0 });
  }
  const now = Date.now();
  for (let day = 13; day >= 0; day--) {
    const perDay = 15 + Math.floor(rand() * 25);
    for (let k = 0; k < perDay; k++) {
      const createdAt = now - day * DAY - Math.floor(rand() * 20 * HOUR) - HOUR;
      const channel = channels[Math.floor(rand() * 3)]!;
      const q = Math.floor(rand() * 3);
      const answered = rand() < 0.9;
      const agent = answered ? agents[Math.floor(rand() * agents.length)]! : null;
      const firstResponseAt = answered ? createdAt + Math.round((channel === 'email' ? 40 * MIN : MIN) * (0.3 + rand() * 2)) : null;
      const resolved = answered ? rand() < 0.85 : rand() < 0.6;
      const resolvedAt = resolved
        ? (firstResponseAt ?? createdAt) + Math.round((channel === 'email' ? 5 * HOUR : 15 * MIN) * (0.2 + rand() * 2))
        : null;
      const id = `conv-${++conversations}`;
      await db
        .knex('customers')
        .insert({ id: `cust-${conversations}`, name: `ลูกค้า ${conversations}`, attributes: '{}', created_at: 0, updated_at: 0 });
      await db.knex('conversations').insert({
        id,
        customer_id: `cust-${conversations}`,
        channel_account_id: `acc-${channel}`,
        channel_kind: channel,
        status: resolved && resolvedAt! < now ? 'resolved' : 'open',
        queue_id: queues[q],
        assignee_id: agent,
        last_message_at: createdAt,
        first_response_at: firstResponseAt !== null && firstResponseAt < now ? firstResponseAt : null,
        resolved_at: resolved && resolvedAt! < now ? resolvedAt : null,
        first_response_due_at: createdAt + (channel === 'email' ? 2 * HOUR : 2 * MIN),
        resolution_due_at: createdAt + (channel === 'email' ? 8 * HOUR : HOUR),
        created_at: createdAt,
        updated_at: now,
      });
      if (resolved && resolvedAt! < now) {
        const event = agent
          ? { type: 'resolved', agent_id: agent, data: JSON.stringify({ handleMs: resolvedAt! - createdAt - 20_000 }) }
          : { type: 'abandoned', agent_id: null, data: '{}' };
        await db.knex('routing_events').insert({ id: `${id}-e`, conversation_id: id, queue_id: queues[q], at: resolvedAt, ...event });
        if (agent && channel !== 'email' && rand() < 0.5) {
          await db.knex('csat_surveys').insert({
            id: `${id}-csat`,
            conversation_id: id,
            channel_account_id: `acc-${channel}`,
            channel_kind: channel,
            agent_id: agent,
            queue_id: queues[q],
            score: 3 + Math.floor(rand() * 3),
            sent_at: resolvedAt,
            expires_at: resolvedAt! + DAY,
            answered_at: resolvedAt! + MIN,
          });
        }
      }
    }
  }
}

async function openReports(user: { email: string; password: string }, viewport = { width: 1280, height: 900 }) {
  await context?.close();
  context = await browser.newContext({ viewport, locale: 'en-US', acceptDownloads: true });
  page = await context.newPage();
  await signIn(page, user, server.url);
}

const kpi = (label: string) => page.locator('.report-kpi', { has: page.locator('.report-kpi-label', { hasText: label }) });
const tableRows = () => page.locator('.report-table tbody th');

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(path.dirname(DOCS_SHOT), { recursive: true });
  server = await startTestServer('sqlite', {}, { reports: { intervalMs: 0 } });
  db = openDatabase(server.db.url, { schema: server.db.schema });
  browser = await launchChromium();
  admin = await server.api.login();
  supervisor = await server.api.userWithRole(admin, 'supervisor', 'Anong Supervisor');
  agentUser = await server.api.userWithRole(admin, 'agent', 'Agent Andy');
  for (const name of queueNames) {
    const res = await server.api.request('POST', '/api/v1/queues', { token: admin, body: { name } });
    expect(res.status).toBe(201);
    queues.push(res.body.queue.id);
  }
  for (const [k, name] of agentNames.entries()) {
    const body = { email: `floor${k}@example.com`, name, role: 'agent', password: 'a-long-enough-password' };
    const res = await server.api.request('POST', '/api/v1/users', { token: admin, body });
    expect(res.status).toBe(201);
    agents.push(res.body.user.id);
  }
  await writeHistory();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await db?.close();
  await server?.stop();
});

test('a supervisor opens Reports: headline figures and a row per channel for the last 30 days', async () => {
  await openReports(supervisor);
  await page.getByRole('button', { name: 'Reports' }).click();
  await page.getByRole('heading', { name: 'Reports' }).waitFor();
  await expect.poll(() => kpi('Conversations').locator('.report-kpi-value').innerText()).toBe(conversations.toLocaleString('en-US'));
  expect(await tableRows().allInnerTexts()).toEqual(expect.arrayContaining(['Web chat', 'LINE', 'Email']));
  // The figures are the API's.
  const res = await server.api.request('GET', `/api/v1/reports?${await periodParams()}&groupBy=channel`, { token: supervisor.token });
  const totals = res.body.totals;
  expect(await page.locator('.report-table tfoot td').first().innerText()).toBe(String(totals.conversations));
  expect(await kpi('SLA first response').locator('.report-kpi-value').innerText()).toBe(`${totals.slaFirstResponsePct.toFixed(1)}%`);
  // Two charts, drawn: bars for the days with conversations, lines for speed and SLA.
  expect(await page.locator('svg.report-chart rect').count()).toBeGreaterThan(10);
  expect(await page.locator('svg.report-chart path').count()).toBe(3);
});

/** The period the screen shows (its note names the dates). */
async function periodParams(): Promise<string> {
  const note = await page.locator('.report-note').innerText();
  const [, from, to] = /(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})/.exec(note)!;
  return `from=${from}&to=${to}`;
}

test('group by queue and by agent: names as written, Thai included; the last 7 days count fewer', async () => {
  await page.getByRole('button', { name: 'Queue', exact: true }).click();
  await expect.poll(() => tableRows().allInnerTexts()).toEqual(expect.arrayContaining(queueNames));
  await page.getByRole('button', { name: 'Agent', exact: true }).click();
  await expect.poll(() => tableRows().allInnerTexts()).toEqual(expect.arrayContaining(agentNames));
  const all = Number((await kpi('Conversations').locator('.report-kpi-value').innerText()).replace(/,/g, ''));
  await page.getByRole('button', { name: 'Last 7 days' }).click();
  await expect
    .poll(async () => Number((await kpi('Conversations').locator('.report-kpi-value').innerText()).replace(/,/g, '')))
    .toBeLessThan(all);
  await page.getByRole('button', { name: 'Last 30 days' }).click();
  await expect.poll(() => kpi('Conversations').locator('.report-kpi-value').innerText()).toBe(conversations.toLocaleString('en-US'));
});

test('the CSV downloads with the same rows, UTF-8 with a byte-order mark', async () => {
  const downloaded = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const download = await downloaded;
  expect(download.suggestedFilename()).toMatch(/^omnidesk-report-agent-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = fs.readFileSync(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  for (const name of agentNames) expect(text).toContain(name);
  expect(text.split('\r\n')[0]).toMatch(/^Key,Agent,Conversations,/);
});

test('in Thai', async () => {
  await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'ไทย' }).click();
  await page.getByRole('heading', { name: 'รายงาน' }).waitFor();
  expect(await page.getByRole('button', { name: 'ดาวน์โหลด CSV' }).isVisible()).toBe(true);
  await page.getByRole('button', { name: 'ช่องทาง' }).click();
  await expect.poll(() => tableRows().allInnerTexts()).toEqual(expect.arrayContaining(['เว็บแชท', 'LINE', 'อีเมล']));
  await page.screenshot({ path: path.join(SHOTS, 'reports-th.png'), fullPage: true });
  await page.getByRole('group', { name: 'ภาษา' }).getByRole('button', { name: 'EN' }).click();
});

test('an agent has no Reports tab (and the API refuses them)', async () => {
  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const agentPage = await agentContext.newPage();
  await signIn(agentPage, agentUser, server.url);
  expect(await agentPage.getByRole('button', { name: 'Reports' }).count()).toBe(0);
  await agentContext.close();
});

test('per queue over the last 30 days (writes docs/screenshots/reports.png)', async () => {
  await openReports(supervisor, { width: 1280, height: 1000 });
  await page.getByRole('button', { name: 'Reports' }).click();
  await page.getByRole('button', { name: 'Queue', exact: true }).click();
  await expect.poll(() => tableRows().allInnerTexts()).toEqual(expect.arrayContaining(queueNames));
  await page.locator('.view-loading').waitFor({ state: 'detached' });
  await page.screenshot({ path: DOCS_SHOT, fullPage: true });
});
