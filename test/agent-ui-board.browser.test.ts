// The supervisor board in a real Chromium against a real server: a supervisor opens the Board tab, a
// visitor writes into a queue and the board shows them waiting (the longest wait ticking); an agent
// (a real socket) accepts and the board shows the answer and the conversation on the agent's row.
// From the board the supervisor sets the agent away and reassigns the conversation; a refused
// reassignment shows the API's reason. The board reads in Thai, fits a tablet, and the last test
// writes docs/screenshots/supervisor-board.png from a floor with several queues and agents.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, signIn } from './support/browser.js';
import { connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { until } from './support/until.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'test-results');
const DOCS_SHOT = path.join(ROOT, 'docs', 'screenshots', 'supervisor-board.png');
const LIVE = { timeout: 15_000, interval: 50 };

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let admin: string;
let supervisor: { id: string; email: string; password: string; token: string };
const sockets: ClientSocket[] = [];
const queues: Record<string, { queueId: string; accountId: string }> = {};
const agents: Record<string, { id: string; token: string; socket: ClientSocket }> = {};
let visits = 0;

async function makeQueue(name: string, extra: Record<string, unknown> = {}) {
  const queue = await server.api.request('POST', '/api/v1/queues', { token: admin, body: { name, channels: ['web_chat'], ...extra } });
  expect(queue.status).toBe(201);
  const account = await server.api.request('POST', '/api/v1/channel-accounts', {
    token: admin,
    body: { kind: 'web_chat', name: `${name} site`, queueId: queue.body.queue.id },
  });
  expect(account.status).toBe(201);
  queues[name] = { queueId: queue.body.queue.id, accountId: account.body.account.id };
  return queues[name];
}

/** An agent working the given queues, connected over a real socket, in the given state. */
async function makeAgent(name: string, queueNames: string[], presence: 'available' | 'offline' = 'available') {
  const user = await server.api.userWithRole(admin, 'agent', name);
  const routing = await server.api.request('PATCH', `/api/v1/users/${user.id}/routing`, {
    token: admin,
    body: { queueIds: queueNames.map((q) => queues[q]!.queueId) },
  });
  expect(routing.status).toBe(200);
  const socket = await connect(server.url, { token: user.token });
  sockets.push(socket);
  if (presence === 'available') expect(await socket.emitWithAck('presence:set', { presence: 'available' })).toEqual({ ok: true });
  agents[name] = { id: user.id, token: user.token, socket };
  return agents[name];
}

/** A web chat visitor writes into a queue; resolves with the conversation's id. */
async function visit(queueName: string, customer: string, text: string): Promise<string> {
  const { accountId } = queues[queueName]!;
  const session = await server.api.visitorSession(accountId, { name: customer });
  const socket = await connect(server.url, { visitorToken: session.token });
  sockets.push(socket);
  const clientMessageId = `board-${++visits}`;
  const sent = await socket.emitWithAck('visitor:send', { clientMessageId, text });
  expect(sent.ok).toBe(true);
  return (await server.store.messages.findByProviderId(accountId, `${session.sessionId}:${clientMessageId}`))!.conversationId;
}

async function openBoard(viewport = { width: 1280, height: 800 }) {
  context = await browser.newContext({ viewport, locale: 'en-US' });
  page = await context.newPage();
  await signIn(page, supervisor, server.url);
  await page.getByRole('button', { name: 'Board' }).click();
  await page.getByRole('heading', { name: 'Supervisor board' }).waitFor();
}

const queueRow = (name: string) => page.locator(`.queue-table tr[data-queue-id="${queues[name]!.queueId}"]`);
const agentRow = (name: string) => page.locator(`.agent-table tr[data-agent-id="${agents[name]!.id}"]`);
const textOf = async (locator: Locator) => (await locator.innerText()).trim();
const cell = (row: Locator, col: string) => textOf(row.locator(`[data-col="${col}"]`));

async function agentsFromApi() {
  const res = await server.api.request('GET', '/api/v1/agents', { token: supervisor.token });
  expect(res.status).toBe(200);
  return res.body.agents as { id: string; presence: string; presenceReason?: string | null }[];
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(path.dirname(DOCS_SHOT), { recursive: true });
  server = await startTestServer('sqlite', {}, { routing: { tickMs: 50 } });
  browser = await launchChromium();
  admin = await server.api.login();
  await makeQueue('Parcel support');
  await makeQueue('Billing');
  await makeQueue('VIP line', { serviceLevelMs: 10_000, serviceLevelTarget: 0.9 });
  await makeAgent('Ploy Srisuk', ['Parcel support']);
  await makeAgent('Krit Wongsa', ['Billing']);
  supervisor = await server.api.userWithRole(admin, 'supervisor', 'Anong Supervisor');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await context?.close();
  await browser?.close();
  await server?.stop();
});

let conversationId: string;

test('a visitor waits live on the board, an agent answers, and the board shows it on the agent', async () => {
  await openBoard();
  const parcel = queueRow('Parcel support');
  await expect.poll(() => cell(parcel, 'waiting'), LIVE).toBe('0');
  expect(await cell(parcel, 'service-level')).toContain('—'); // nothing answered yet
  expect(await cell(agentRow('Ploy Srisuk'), 'state')).toContain('Available');

  const offered = nextEvent(agents['Ploy Srisuk']!.socket, 'offer:new');
  conversationId = await visit('Parcel support', 'สมชาย ใจดี', 'พัสดุของผมอยู่ไหนครับ');
  const [{ offer }] = await offered;
  expect(offer.conversationId).toBe(conversationId);

  // Waiting (under offer until answered), the longest wait counting up in the browser.
  await expect.poll(() => cell(parcel, 'waiting'), LIVE).toBe('1');
  const firstWait = await cell(parcel, 'longest-wait');
  expect(firstWait).toMatch(/^\d+:\d\d$/);
  await expect.poll(() => cell(parcel, 'longest-wait'), LIVE).not.toBe(firstWait);

  const accepted = await agents['Ploy Srisuk']!.socket.emitWithAck('offer:accept', { conversationId });
  expect(accepted.ok).toBe(true);
  await expect.poll(() => cell(parcel, 'answered'), LIVE).toBe('1');
  expect(await cell(parcel, 'waiting')).toBe('0');
  expect(await cell(parcel, 'longest-wait')).toBe('—');
  expect(await cell(parcel, 'service-level')).toMatch(/^100%/);

  const ploy = agentRow('Ploy Srisuk');
  await expect.poll(() => cell(ploy, 'conversations'), LIVE).toContain('สมชาย ใจดี');
  expect(await cell(ploy, 'conversations')).toContain('Web chat');
  await expect.poll(() => textOf(ploy.locator('[data-class="chat"] .num')), LIVE).toBe('1/3');
});

test('the supervisor sets the agent away from the board', async () => {
  const ploy = agentRow('Ploy Srisuk');
  const heard = nextEvent(agents['Ploy Srisuk']!.socket, 'presence:changed', (e) => e.agentId === agents['Ploy Srisuk']!.id);
  await page.getByLabel('New state for Ploy Srisuk').selectOption('away:lunch');
  await page.getByRole('button', { name: 'Set state of Ploy Srisuk' }).click();
  const [event] = await heard;
  expect(event).toMatchObject({ presence: 'away', reason: 'lunch' });
  await page.locator(`.agent-table tr[data-agent-id="${agents['Ploy Srisuk']!.id}"][data-presence="away"]`).waitFor();
  expect(await cell(ploy, 'state')).toMatch(/Away\s+Lunch/);
  // The queue's agents by state follow through the statistics deltas.
  const parcelAway = queueRow('Parcel support').locator('[data-col="agents"] [data-presence="away"]');
  await expect.poll(() => textOf(parcelAway), LIVE).toMatch(/:\s*1$/);
  expect(await textOf(queueRow('Parcel support').locator('[data-col="agents"] [data-presence="available"]'))).toMatch(/:\s*0$/);
  expect((await agentsFromApi()).find((a) => a.id === agents['Ploy Srisuk']!.id)).toMatchObject({
    presence: 'away',
    presenceReason: 'lunch',
  });
});

test('the supervisor reassigns the conversation to another agent, with a note', async () => {
  await page.getByRole('button', { name: 'Reassign the conversation with สมชาย ใจดี' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reassign conversation' });
  await dialog.getByText('Now with Ploy Srisuk').waitFor();
  await dialog.getByLabel('Agent', { exact: true }).selectOption(agents['Krit Wongsa']!.id);
  await dialog.getByLabel('Private note for the next agent (optional)').fill('ลูกค้ารอพัสดุ ขอให้โทรกลับหลังบ่ายสาม');
  await page.screenshot({ path: path.join(SHOTS, 'supervisor-board-reassign.png') });
  await dialog.getByRole('button', { name: 'Reassign' }).click();
  await dialog.waitFor({ state: 'detached' });

  await expect.poll(() => cell(agentRow('Krit Wongsa'), 'conversations'), LIVE).toContain('สมชาย ใจดี');
  await expect.poll(() => cell(agentRow('Ploy Srisuk'), 'conversations'), LIVE).not.toContain('สมชาย ใจดี');
  const res = await server.api.request('GET', `/api/v1/conversations/${conversationId}`, { token: supervisor.token });
  expect(res.body.conversation.assigneeId).toBe(agents['Krit Wongsa']!.id);
  expect(res.body.messages.some((m: { private: boolean; text: string }) => m.private && m.text.includes('โทรกลับ'))).toBe(true);
});

test('the supervisor sends the conversation back to a queue', async () => {
  await page.getByRole('button', { name: 'Reassign the conversation with สมชาย ใจดี' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reassign conversation' });
  await dialog.getByText('Now with Krit Wongsa').waitFor();
  await dialog.getByRole('radio', { name: /To a queue/ }).check();
  await dialog.getByLabel('Queue', { exact: true }).selectOption(queues['Billing']!.queueId);
  await dialog.getByRole('button', { name: 'Reassign' }).click();
  await dialog.waitFor({ state: 'detached' });

  // Billing's only agent is the one who had it, so it waits there, on the board too.
  await expect.poll(() => cell(queueRow('Billing'), 'waiting'), LIVE).toBe('1');
  await expect.poll(() => cell(agentRow('Krit Wongsa'), 'conversations'), LIVE).not.toContain('สมชาย ใจดี');
  const res = await server.api.request('GET', `/api/v1/conversations/${conversationId}`, { token: supervisor.token });
  expect(res.body.conversation).toMatchObject({ assigneeId: null, queueId: queues['Billing']!.queueId });
});

test('a refused reassignment shows the reason the API gives', async () => {
  const back = await server.api.request('POST', `/api/v1/conversations/${conversationId}/transfer`, {
    token: supervisor.token,
    body: { toAgentId: agents['Krit Wongsa']!.id },
  });
  expect(back.status).toBe(200);
  await expect.poll(() => cell(agentRow('Krit Wongsa'), 'conversations'), LIVE).toContain('สมชาย ใจดี');
  await page.getByRole('button', { name: 'Reassign the conversation with สมชาย ใจดี' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reassign conversation' });
  await dialog.getByText('Now with Krit Wongsa').waitFor();
  // Meanwhile the agent resolves it: the board drops it from the row live, the open dialog stays.
  const resolved = await server.api.request('POST', `/api/v1/conversations/${conversationId}/status`, {
    token: agents['Krit Wongsa']!.token,
    body: { status: 'resolved' },
  });
  expect(resolved.status).toBe(200);
  await expect.poll(() => cell(agentRow('Krit Wongsa'), 'conversations'), LIVE).not.toContain('สมชาย ใจดี');
  await dialog.getByLabel('Agent', { exact: true }).selectOption(agents['Ploy Srisuk']!.id);
  await dialog.getByRole('button', { name: 'Reassign' }).click();
  const alert = dialog.getByRole('alert');
  await alert.waitFor();
  expect(await textOf(alert)).toBe('Not reassigned: the conversation is resolved; reopen it first');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  const res = await server.api.request('GET', `/api/v1/conversations/${conversationId}`, { token: supervisor.token });
  expect(res.body.conversation).toMatchObject({ status: 'resolved', assigneeId: agents['Krit Wongsa']!.id });
});

test('the board reads in Thai', async () => {
  await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'ไทย' }).click();
  await page.getByRole('heading', { name: 'บอร์ดหัวหน้างาน' }).waitFor();
  await page.getByRole('heading', { name: 'คิว', exact: true }).waitFor();
  await page.getByRole('heading', { name: 'เจ้าหน้าที่', exact: true }).waitFor();
  expect(await page.locator('.queue-table thead').innerText()).toMatch(/กำลังรอ[\s\S]*รอนานสุด[\s\S]*ระดับบริการ/);
  expect(await cell(agentRow('Ploy Srisuk'), 'state')).toMatch(/ไม่อยู่\s+พักกลางวัน/);
  await page.getByRole('button', { name: 'ตั้งสถานะของ Ploy Srisuk' }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'supervisor-board-th.png') });
  await page.getByRole('group', { name: 'ภาษา' }).getByRole('button', { name: 'EN' }).click();
  await page.getByRole('heading', { name: 'Supervisor board' }).waitFor();
  await context.close();
});

test('a busy floor, at desktop and tablet width (writes docs/screenshots/supervisor-board.png)', { timeout: 90_000 }, async () => {
  const nok = await makeAgent('Nok Chaiyo', ['Parcel support', 'VIP line']);
  nok.socket.on('offer:new', ({ offer }) => void nok.socket.emitWithAck('offer:accept', { conversationId: offer.conversationId }));
  const mali = await makeAgent('Mali Jones', ['Billing']);
  await makeAgent('Somsak Dee', ['VIP line'], 'offline');
  const assignedTo = (id: string, agentId: string) =>
    until(
      () => server.store.conversations.findById(id),
      (c) => c?.assigneeId === agentId,
      `conversation ${id} assigned`,
    );

  await assignedTo(await visit('Parcel support', 'John Carter', 'My parcel shows delivered but it is not here'), nok.id);
  await assignedTo(await visit('VIP line', 'วิไล ศรีสมบูรณ์', 'ขอเปลี่ยนที่อยู่จัดส่งค่ะ'), nok.id);
  // Billing: Krit on a break, Mali busy; customers wait, one gives up, one is handed to Mali.
  for (const [name, presence, reason] of [
    ['Krit Wongsa', 'away', 'break'],
    ['Mali Jones', 'busy', undefined],
  ] as const) {
    const res = await server.api.request('POST', `/api/v1/agents/${agents[name]!.id}/presence`, {
      token: supervisor.token,
      body: { presence, ...(reason && { reason }) },
    });
    expect(res.status).toBe(200);
  }
  const daniel = await visit('Billing', 'Daniel Lee', 'I was charged twice this month');
  const transferred = await server.api.request('POST', `/api/v1/conversations/${daniel}/transfer`, {
    token: supervisor.token,
    body: { toAgentId: mali.id },
  });
  expect(transferred.status).toBe(200);
  const gaveUp = await visit('Billing', 'ธนพล มีสุข', 'สอบถามยอดค้างชำระครับ');
  expect(
    (await server.api.request('POST', `/api/v1/conversations/${gaveUp}/status`, { token: supervisor.token, body: { status: 'resolved' } }))
      .status,
  ).toBe(200);
  await visit('Billing', 'วิภาดา สุขใจ', 'ใบแจ้งหนี้เดือนนี้ไม่ถูกต้องค่ะ');
  await visit('Billing', 'Sarah Kim', 'How do I update my card?');

  await openBoard();
  const billing = queueRow('Billing');
  await expect.poll(() => cell(billing, 'waiting'), LIVE).toBe('2');
  await expect.poll(() => cell(billing, 'abandoned'), LIVE).toBe('1');
  expect(await cell(page.locator('.queue-table tfoot tr'), 'waiting')).toBe('2');
  await expect.poll(() => textOf(agentRow('Nok Chaiyo').locator('[data-class="chat"] .num')), LIVE).toBe('2/3');
  expect(await cell(agentRow('Mali Jones'), 'conversations')).toContain('Daniel Lee');
  expect(await cell(agentRow('Somsak Dee'), 'state')).toContain('Offline');
  // The longest wait has ticked past zero, so the picture shows a live clock.
  await expect.poll(() => cell(billing, 'longest-wait'), LIVE).not.toBe('0:00');
  await page.screenshot({ path: DOCS_SHOT });

  // Tablet: both tables fit without scrolling sideways.
  await page.setViewportSize({ width: 800, height: 1100 });
  await page.getByRole('heading', { name: 'Supervisor board' }).waitFor();
  const overflow = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.board, .board-scroll')].map((e) => e.scrollWidth - e.clientWidth),
  );
  expect(overflow.every((extra) => extra <= 0)).toBe(true);
  await page.screenshot({ path: path.join(SHOTS, 'supervisor-board-tablet.png') });
});
