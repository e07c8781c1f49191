// An agent's day end to end, in Thai, with three real Chromium windows on one real server: a customer
// types in the web chat widget on the demo shop; the agent (console in Thai) goes available, accepts
// the offer and finds the customer panel already filled; replies with a canned response whose
// placeholder is filled with the customer's name; adds a note the customer never sees; resolves. A
// supervisor's board shows the queue change live throughout.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { startTestServer, type TestServer } from './support/harness.js';

const SHOTS = path.join(import.meta.dirname, '..', 'test-results', 'agent-day');
const LIVE = { timeout: 15_000 };

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await startTestServer('sqlite', {}, { routing: { tickMs: 50 } });
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
});

async function window(locale: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  contexts.push(context);
  return context.newPage();
}

async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto(server.url);
  await page.locator('input[type="email"]').fill(user.email);
  await page.locator('input[type="password"]').fill(user.password);
  await page.locator('button[type="submit"]').click();
  await page.locator('.connection[data-state="connected"]').waitFor();
}

const cell = async (row: Locator, col: string) => (await row.locator(`[data-col="${col}"]`).innerText()).trim();

test(
  'a customer on the widget reaches a Thai agent who answers with a canned reply, notes, resolves; the board follows',
  { timeout: 120_000 },
  async () => {
    const admin = await server.api.login();
    const post = async (url: string, body: unknown, token = admin) => {
      const res = await server.api.request('POST', `/api/v1${url}`, { token, body });
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      return res.body;
    };
    const queue = (await post('/queues', { name: 'ฝ่ายบริการลูกค้า', channels: ['web_chat'], offerTimeoutMs: 120_000, wrapUpMs: 0 })).queue;
    const account = (await post('/channel-accounts', { kind: 'web_chat', name: 'ร้านขนมบ้านสวน', queueId: queue.id })).account;
    const user = async (role: 'agent' | 'supervisor', name: string, email: string) => {
      const password = 'a-long-enough-password';
      const { id } = (await post('/users', { email, name, role, password })).user as { id: string };
      const token = await server.api.login(email, password);
      // They work in Thai: the choice is stored on the user and the console follows it at login.
      expect((await server.api.request('PATCH', '/api/v1/auth/me', { token, body: { locale: 'th' } })).status).toBe(200);
      return { id, email, password, token };
    };
    const agent = await user('agent', 'นิรันดร์ ใจเย็น', 'niran@example.co.th');
    await server.api.request('PATCH', `/api/v1/users/${agent.id}/routing`, { token: admin, body: { queueIds: [queue.id] } });
    const supervisor = await user('supervisor', 'อนงค์ หัวหน้าทีม', 'anong@example.co.th');
    await post(
      '/canned-responses',
      {
        title: 'ขอบคุณที่รอ',
        shortcut: 'thanks',
        body: 'ขอบคุณที่รอนะคะ คุณ{{customer.firstName}} ดิฉัน{{agent.firstName}} ยินดีดูแลค่ะ',
        locale: 'th',
      },
      supervisor.token,
    );

    // The supervisor watches the board.
    const board = await window('th-TH');
    await signIn(board, supervisor);
    await board.getByRole('button', { name: 'บอร์ด' }).click();
    const row = board.locator(`.queue-table tr[data-queue-id="${queue.id}"]`);
    await expect.poll(() => cell(row, 'waiting'), LIVE).toBe('0');

    // The agent signs in (Thai UI from their stored choice) and goes available.
    const agentPage = await window('th-TH');
    await signIn(agentPage, agent);
    await agentPage.getByRole('combobox', { name: 'สถานะ' }).selectOption('available');
    await agentPage.locator('.presence-available').waitFor();

    // The customer opens the shop's chat widget and writes.
    const shop = await window('th-TH');
    await shop.goto(`${server.url}/widget/demo?account=${account.id}&lang=th`);
    const widget = (selector: string, hasText?: string) => shop.locator(`omnidesk-widget ${selector}`, hasText ? { hasText } : {});
    await widget('.launcher').click();
    await widget('input[name="name"]').fill('สมชาย ใจดี');
    await shop.getByRole('button', { name: 'เริ่มแชท' }).click();
    const question = 'สวัสดีครับ สั่งเค้กไปเมื่อวาน ยังไม่ได้รับเลยครับ';
    await widget('textarea').fill(question);
    await widget('textarea').press('Enter');
    await widget('.msg.mine[data-state="sent"]', question).waitFor();

    // The board shows the customer waiting; the offer pops for the agent with the customer's profile.
    await expect.poll(() => cell(row, 'waiting'), LIVE).toBe('1');
    const offer = agentPage.getByRole('alertdialog', { name: 'มีบทสนทนาใหม่เสนอให้คุณ' });
    await offer.getByText('สมชาย ใจดี').first().waitFor(LIVE);
    const panel = agentPage.getByRole('complementary', { name: 'ลูกค้า' });
    await panel.getByText('สมชาย ใจดี').first().waitFor(LIVE); // screen pop: filled before Accept
    await agentPage.screenshot({ path: path.join(SHOTS, '1-offer-th.png') });
    await offer.getByRole('button', { name: 'รับงาน' }).click();
    await offer.waitFor({ state: 'detached' });
    await agentPage.locator('.message-inbound', { hasText: question }).waitFor(LIVE);
    await expect.poll(() => cell(row, 'waiting'), LIVE).toBe('0');
    await expect.poll(() => cell(row, 'answered'), LIVE).toBe('1');
    await panel.getByText('สมชาย ใจดี').first().waitFor();

    // A canned response, its placeholder filled with the customer's first name, previewed and sent.
    const box = agentPage.getByRole('textbox', { name: 'ตอบกลับ' });
    await box.pressSequentially('/than');
    await agentPage
      .getByRole('listbox', { name: 'ข้อความสำเร็จรูป' })
      .getByRole('option', { name: /ขอบคุณที่รอ/ })
      .waitFor();
    await box.press('Enter');
    const filled = 'ขอบคุณที่รอนะคะ คุณสมชาย ดิฉันนิรันดร์ ยินดีดูแลค่ะ';
    await expect.poll(() => box.inputValue()).toBe(filled);
    await box.press('Control+Enter');
    await widget('.msg.theirs .bubble', filled).waitFor(LIVE);

    // A note for colleagues: shown as a note in the console, never in the widget.
    await agentPage.keyboard.press('Alt+KeyN');
    const noteBox = agentPage.getByRole('textbox', { name: 'บันทึก' });
    await noteBox.fill('ลูกค้าประจำ เช็กเลขพัสดุกับขนส่งก่อนตอบ');
    await noteBox.press('Control+Enter');
    await agentPage.locator('.message-note', { hasText: 'เช็กเลขพัสดุกับขนส่ง' }).waitFor(LIVE);
    await agentPage.keyboard.press('Alt+KeyN');
    const after = 'ตรวจสอบแล้วค่ะ พัสดุจะถึงพรุ่งนี้เช้านะคะ';
    await box.fill(after);
    await box.press('Control+Enter');
    await widget('.msg.theirs .bubble', after).waitFor(LIVE);
    expect(await widget('.msg', 'เช็กเลขพัสดุกับขนส่ง').count()).toBe(0);
    await agentPage.screenshot({ path: path.join(SHOTS, '2-conversation-th.png') });
    await shop.screenshot({ path: path.join(SHOTS, '3-widget-th.png') });

    // Resolve (Alt+R): stored, and the agent's load on the board drops back.
    await agentPage.keyboard.press('Alt+KeyR');
    const resolved = async () =>
      (await server.api.request('GET', `/api/v1/conversations?assignee=${agent.id}&status=resolved`, { token: admin })).body
        .conversations as { id: string }[];
    await expect.poll(async () => (await resolved()).length, LIVE).toBe(1);
    const agentRow = board.locator(`.agent-table tr[data-agent-id="${agent.id}"]`);
    await expect.poll(() => cell(agentRow, 'conversations'), LIVE).not.toContain('สมชาย ใจดี');
    await board.screenshot({ path: path.join(SHOTS, '4-board-th.png') });

    // What the customer saw: their question and the two replies, never the note.
    const id = (await resolved())[0]!.id;
    const messages = (await server.api.request('GET', `/api/v1/conversations/${id}/messages`, { token: admin })).body.messages as {
      text: string;
      private: boolean;
      direction: string;
    }[];
    expect(messages.filter((m) => !m.private).map((m) => m.text)).toEqual([question, filled, after]);
    expect(messages.filter((m) => m.private).map((m) => m.text)).toEqual(['ลูกค้าประจำ เช็กเลขพัสดุกับขนส่งก่อนตอบ']);
  },
);
