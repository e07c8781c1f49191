// The conversation view as an agent works in it, in a real Chromium against a real server: a canned
// response picked with "/" and filled in for the customer, a private note the customer never gets,
// tags, snooze / resolve / reopen, refused uploads, a send that loses its connection and is retried
// exactly once, colleagues viewing and typing, a transfer, and a 2,000-message conversation that
// keeps only a bounded number of rows in the DOM. Screenshot: docs/screenshots/conversation.png.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Message } from '../server/domain/types.js';
import { launchChromium, signIn } from './support/browser.js';
import { gradientPng } from './support/scenario.js';
import { connect, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS_SHOTS = path.join(ROOT, 'docs', 'screenshots');
const SHOTS = path.join(ROOT, 'test-results');
const UPLOAD_LIMIT = 16 * 1024;

describe('conversation view in Chromium', () => {
  let server: TestServer;
  let adminToken: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    fs.mkdirSync(DOCS_SHOTS, { recursive: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer('sqlite', { UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT) });
    adminToken = await server.api.login();
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  async function consoleAs(user: { email: string; password: string }): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, user, server.url);
    return page;
  }

  /** Opens a conversation from the inbox list (agents find theirs under "Mine"). */
  async function openFromList(page: Page, customerName: string, tab: 'mine' | 'all'): Promise<void> {
    await page.locator(`[role="tab"][data-tab="${tab}"]`).click();
    await page.locator('.conversation-item', { hasText: customerName }).click();
  }

  /** A web chat visitor who has written once, and everything their socket receives. */
  async function visitorWrites(accountId: string, name: string, text: string) {
    const session = await server.api.visitorSession(accountId, { name });
    const socket = await connect(server.url, { visitorToken: session.token });
    sockets.push(socket);
    const received: Message['parts'][] = [];
    socket.on('visitor:message', (m, ack) => {
      ack(true);
      if (m.direction === 'outbound') received.push(m.parts);
    });
    const sent = await socket.emitWithAck('visitor:send', { clientMessageId: 'first', text });
    expect(sent.ok).toBe(true);
    const conversationId = (await server.store.messages.findByProviderId(accountId, `${session.sessionId}:first`))!.conversationId;
    const texts = () => received.flatMap((parts) => parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])));
    return { socket, conversationId, received, texts };
  }

  const conversation = async (id: string) =>
    (await server.api.request('GET', `/api/v1/conversations/${id}`, { token: adminToken })).body as {
      conversation: { status: string; tags: string[]; priority: number; assigneeId: string | null; queueId: string | null };
      messages: Message[];
    };

  test('canned reply, note, tags, status, uploads, a send through a lost connection, colleagues, transfer', async () => {
    const supervisor = await server.api.userWithRole(adminToken, 'supervisor', 'Mali Supervisor');
    const agent = await server.api.userWithRole(adminToken, 'agent', 'Niran Agent');
    for (const body of [
      { title: 'Greeting', shortcut: 'greet', body: 'Hello {{customer.firstName}}, thank you for waiting. How can I help?' },
      { title: 'Ask for the parcel number', shortcut: 'parcel', body: 'ขอเลขพัสดุด้วยนะครับ คุณ{{customer.firstName}}' },
    ]) {
      const created = await server.api.request('POST', '/api/v1/canned-responses', { token: supervisor.token, body });
      expect(created.status).toBe(201);
    }
    const accountId = await server.api.webChatAccount(adminToken);
    const visitor = await visitorWrites(accountId, 'สมชาย ใจดี', 'สวัสดีครับ พัสดุของผมยังไม่มาเลย');
    const id = visitor.conversationId;
    const assigned = await server.api.request('POST', `/api/v1/conversations/${id}/assign`, {
      token: adminToken,
      body: { assigneeId: agent.id },
    });
    expect(assigned.status).toBe(200);

    const page = await consoleAs(agent);
    await openFromList(page, 'สมชาย ใจดี', 'mine');
    await page.locator('.message-inbound', { hasText: 'พัสดุของผมยังไม่มาเลย' }).waitFor();

    // "/" opens the picker; Esc closes it; typing narrows it; Enter fills the chosen one in.
    const box = page.getByRole('textbox', { name: 'Reply' });
    const picker = page.getByRole('listbox', { name: 'Canned responses' });
    await box.pressSequentially('/');
    await expect.poll(() => picker.getByRole('option').count()).toBe(2);
    await page.screenshot({ path: path.join(SHOTS, 'conversation-canned-picker.png') });
    await box.press('Escape');
    await picker.waitFor({ state: 'detached' });
    await box.press('Backspace');
    await box.pressSequentially('/gre');
    await picker.getByRole('option', { name: /Greeting/ }).waitFor();
    await expect.poll(() => picker.getByRole('option').count()).toBe(1);
    await box.press('ArrowDown');
    await box.press('Enter');
    const greeting = 'Hello สมชาย, thank you for waiting. How can I help?';
    await expect.poll(() => box.inputValue()).toBe(greeting);
    await page.locator('.canned-preview', { hasText: 'Greeting' }).waitFor();
    // The preview is editable before it goes.
    await box.press('End');
    await box.pressSequentially(' 🙏');
    await box.press('Control+Enter');
    await expect.poll(() => visitor.texts()).toContain(`${greeting} 🙏`);
    await page.locator('.message-outbound[data-message-id]', { hasText: greeting }).locator('[data-delivery="delivered"]').waitFor();
    expect(await box.inputValue()).toBe('');

    // Alt+N: a private note, drawn as one; the customer never receives it (a later reply does arrive).
    await page.keyboard.press('Alt+KeyN');
    const noteBox = page.getByRole('textbox', { name: 'Note' });
    await noteBox.fill('ลูกค้าติดตามพัสดุเป็นครั้งที่สอง: escalate if TH123 is late');
    await noteBox.press('Control+Enter');
    const note = page.locator('.message-note[data-message-id]', { hasText: 'escalate if TH123 is late' });
    await note.locator('.bubble-note').getByText('Internal note').waitFor();
    await page.keyboard.press('Alt+KeyN');
    await box.fill('ขอเลขพัสดุด้วยนะครับ');
    await box.press('Enter');
    await expect.poll(() => visitor.texts()).toContain('ขอเลขพัสดุด้วยนะครับ');
    expect(visitor.texts().some((t) => t.includes('TH123'))).toBe(false);
    expect((await conversation(id)).messages.find((m) => m.text.includes('TH123'))?.private).toBe(true);

    // Tags: lower-cased, Thai accepted, a bad one explained, removal stored.
    const tagBox = page.getByRole('textbox', { name: 'Add a tag' });
    for (const tag of ['VIP', 'ส่งด่วน']) {
      await tagBox.fill(tag);
      await tagBox.press('Enter');
    }
    await expect.poll(async () => (await conversation(id)).conversation.tags).toEqual(['vip', 'ส่งด่วน']);
    await tagBox.fill('two words');
    await tagBox.press('Enter');
    await page.getByRole('alert').filter({ hasText: '“two words” is not a tag' }).waitFor();
    await tagBox.fill('');

    // A colleague opens the same conversation: the agent is warned.
    const supervisorPage = await consoleAs(supervisor);
    await openFromList(supervisorPage, 'สมชาย ใจดี', 'all');
    await page.locator('[data-notice="viewing"]', { hasText: 'Mali Supervisor also has this conversation open.' }).waitFor();
    const priority = supervisorPage.getByRole('combobox', { name: 'Priority' });
    await priority.selectOption('5');
    await expect.poll(async () => (await conversation(id)).conversation.priority).toBe(5);

    // The visitor types; canned reply, note, tags and the colleague's presence show: the documented screenshot.
    visitor.socket.emit('visitor:typing', { typing: true });
    await page.locator('.typing-line', { hasText: 'สมชาย ใจดี is typing…' }).waitFor();
    await page.getByRole('button', { name: 'Jump to the latest message' }).waitFor({ state: 'detached' });
    await page.screenshot({ path: path.join(DOCS_SHOTS, 'conversation.png') });
    visitor.socket.emit('visitor:typing', { typing: false });

    // Uploads: over the limit and an executable are refused in words; an image is previewed.
    const fileInput = page.locator('.composer input[type="file"]');
    await fileInput.setInputFiles({ name: 'scan.txt', mimeType: 'text/plain', buffer: Buffer.alloc(UPLOAD_LIMIT * 3, 'a') });
    const tooLarge = page.getByRole('alert').filter({ hasText: '“scan.txt” (48 KB) is larger than the upload limit' });
    await tooLarge.waitFor();
    await fileInput.setInputFiles({ name: 'tracking.exe', mimeType: 'application/octet-stream', buffer: exeBytes() });
    const refused = page.getByRole('alert').filter({ hasText: '“tracking.exe” cannot be attached' });
    await refused.waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'conversation-upload-errors.png') });
    await tooLarge.getByRole('button', { name: 'Dismiss' }).click();
    await refused.getByRole('button', { name: 'Dismiss' }).click();
    await fileInput.setInputFiles({
      name: 'parcel-label.png',
      mimeType: 'image/png',
      buffer: gradientPng(180, 110, [230, 200, 120], [170, 170, 200]),
    });
    // Enter while the file still uploads: the message goes once the upload is done.
    await box.fill('This is the label we printed for you.');
    await box.press('Enter');
    const image = page.locator('.message-outbound[data-message-id] img.bubble-image[alt="parcel-label.png"]');
    await image.waitFor();
    await page.waitForFunction(
      (img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth === 180,
      await image.elementHandle(),
    );

    // The colleague types a reply: the agent is warned about that too.
    await supervisorPage.getByRole('textbox', { name: 'Reply' }).pressSequentially('I can take this one');
    await page.locator('[data-notice="typing"]', { hasText: 'Mali Supervisor is typing a reply' }).waitFor();
    await supervisorPage.getByRole('textbox', { name: 'Reply' }).fill('');
    await supervisorPage.context().close();

    // Snooze (Alt+S), unsnooze, resolve (Alt+R), reopen: each stored.
    const status = page.locator('[data-conversation-status]');
    await page.keyboard.press('Alt+KeyS');
    await status.filter({ hasText: 'Snoozed' }).waitFor();
    expect((await conversation(id)).conversation.status).toBe('snoozed');
    await page.getByRole('button', { name: 'Unsnooze' }).click();
    await status.filter({ hasText: 'Open' }).waitFor();
    expect((await conversation(id)).conversation.status).toBe('open');
    await page.keyboard.press('Alt+KeyR');
    await status.filter({ hasText: 'Resolved' }).waitFor();
    expect((await conversation(id)).conversation.status).toBe('resolved');
    await page.getByRole('button', { name: 'Reopen' }).click();
    await status.filter({ hasText: 'Open' }).waitFor();
    expect((await conversation(id)).conversation.status).toBe('open');

    // Offline mid-send: kept and marked "not sent"; back online, Retry stores it exactly once.
    const lost = 'Are you still there? I have the update on your parcel.';
    await box.fill(lost);
    await page.context().setOffline(true);
    await box.press('Control+Enter');
    const failed = page.locator('[data-unsent="failed"]', { hasText: lost });
    await failed.getByText('Not sent: no connection.').waitFor();
    expect(await box.inputValue()).toBe('');
    await page.context().setOffline(false);
    await page.locator('.connection[data-state="connected"]').waitFor();
    await failed.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.message-outbound[data-message-id]', { hasText: lost }).waitFor();
    await page.locator('[data-unsent]').waitFor({ state: 'detached' });
    await expect.poll(() => visitor.texts().filter((t) => t === lost).length).toBe(1);
    expect((await conversation(id)).messages.filter((m) => m.text === lost)).toHaveLength(1);

    // The request arrived but its answer was lost: Retry finds the stored copy and does not send twice.
    const echo = 'Your parcel TH123 leaves the depot today.';
    let cut = false;
    await page.route('**/api/v1/conversations/*/messages', async (route) => {
      if (route.request().method() !== 'POST' || cut) return route.continue();
      cut = true;
      await route.fetch(); // reaches the server, which stores the reply
      await route.abort('connectionreset');
    });
    await box.fill(echo);
    await box.press('Enter');
    await page.locator('[data-unsent="failed"]', { hasText: echo }).getByRole('button', { name: 'Retry' }).click();
    await page.locator('.message-outbound[data-message-id]', { hasText: echo }).waitFor();
    await page.locator('[data-unsent]').waitFor({ state: 'detached' });
    expect(cut).toBe(true);
    expect((await conversation(id)).messages.filter((m) => m.text === echo)).toHaveLength(1);
    await page.unroute('**/api/v1/conversations/*/messages');

    // Alt+T: an agent cannot list colleagues, so the dialog offers queues and says why.
    const queue = await server.api.request('POST', '/api/v1/queues', {
      token: adminToken,
      body: { name: 'Parcel desk', channels: ['web_chat'] },
    });
    expect(queue.status).toBe(201);
    await page.keyboard.press('Alt+KeyT');
    const dialog = page.getByRole('dialog', { name: 'Transfer conversation' });
    await dialog.getByText('Only supervisors can pick a colleague').waitFor();
    await expect.poll(() => dialog.getByRole('combobox', { name: 'Queue' }).inputValue()).toBe(queue.body.queue.id);
    await dialog.getByRole('textbox', { name: /Private note/ }).fill('Customer prefers Thai, parcel TH123');
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await conversation(id)).conversation).toMatchObject({ queueId: queue.body.queue.id, assigneeId: null });
  }, 120_000);

  test('a 2,000-message conversation keeps a bounded number of rows and stays still as messages stream in', async () => {
    const agent = await server.api.userWithRole(adminToken, 'agent', 'Ploy Agent');
    const accountId = await server.api.webChatAccount(adminToken, 'Long chats');
    const visitor = await visitorWrites(accountId, 'Long Visitor', 'Line 0001 first of many');
    const first = (await conversation(visitor.conversationId)).messages[0]!;
    for (let i = 2; i <= 2000; i++) {
      const inbound = i % 3 === 0;
      const text = `Line ${String(i).padStart(4, '0')} ${'lorem ipsum dolor '.repeat((i * 7) % 9)}`.trim();
      await server.store.messages.insert(
        {
          conversationId: visitor.conversationId,
          channelAccountId: accountId,
          direction: inbound ? 'inbound' : 'outbound',
          senderType: inbound ? 'customer' : 'agent',
          senderId: inbound ? null : agent.id,
          parts: [{ type: 'text', text }],
          text,
          private: i % 10 === 0,
          providerMessageId: inbound ? `long-${i}` : null,
          status: inbound ? 'received' : 'delivered',
        },
        // All in the first message's millisecond (ordered by their time-ordered ids), so a message
        // sent live a moment later is always the newest, however fast this setup runs.
        first.createdAt,
      );
    }
    await server.api.request('POST', `/api/v1/conversations/${visitor.conversationId}/assign`, {
      token: adminToken,
      body: { assigneeId: agent.id },
    });

    const page = await consoleAs(agent);
    await openFromList(page, 'Long Visitor', 'mine');
    const timeline = page.getByRole('feed', { name: 'Messages' });
    await timeline.locator('.message', { hasText: 'Line 2000' }).waitFor();
    const rows = timeline.locator('.timeline-row');
    expect(await rows.count()).toBeLessThan(60);
    expect(await gapBelow(timeline)).toBeLessThan(2);

    // To the top and back: still bounded, and the first message is there.
    await timeline.evaluate((el) => (el.scrollTop = 0));
    await timeline.locator('.message', { hasText: 'Line 0001 first of many' }).waitFor();
    expect(await rows.count()).toBeLessThan(60);

    // Scrolled into the middle, a new message must not move what the agent is reading.
    await timeline.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await timeline
      .locator('.message', { hasText: /Line 1[0-9]{3}/ })
      .first()
      .waitFor();
    const reading = timeline.locator('.timeline-row').nth(5);
    const key = await reading.getAttribute('data-key');
    const before = (await reading.boundingBox())!.y;
    const more = await visitor.socket.emitWithAck('visitor:send', { clientMessageId: 'live-1', text: 'Line 2001 sent live' });
    expect(more.ok).toBe(true);
    await page.getByRole('button', { name: 'Jump to the latest message' }).filter({ hasText: 'New messages' }).waitFor();
    expect((await timeline.locator(`.timeline-row[data-key="${key}"]`).boundingBox())!.y).toBeCloseTo(before, 0);

    // At the bottom, new messages come into view.
    await page.getByRole('button', { name: 'Jump to the latest message' }).click();
    await timeline.locator('.message', { hasText: 'Line 2001 sent live' }).waitFor();
    const live = await visitor.socket.emitWithAck('visitor:send', { clientMessageId: 'live-2', text: 'Line 2002 also live' });
    expect(live.ok).toBe(true);
    await timeline.locator('.message', { hasText: 'Line 2002 also live' }).waitFor();
    await expect.poll(() => gapBelow(timeline)).toBeLessThan(2);
    expect(await rows.count()).toBeLessThan(60);
    await page.screenshot({ path: path.join(SHOTS, 'conversation-long.png') });

    // The same view in Thai.
    await page.getByRole('button', { name: 'ไทย' }).click();
    await page.getByRole('feed', { name: 'ข้อความ' }).waitFor();
    await page.getByRole('button', { name: 'พักเรื่องไว้' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'conversation-long-th.png') });
  }, 120_000);
});

/** Pixels between the bottom of the scrolled content and the bottom of the viewport. */
const gapBelow = (timeline: import('playwright-core').Locator) =>
  timeline.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

/** The start of a Windows executable: enough for the server to know what it is. */
function exeBytes(): Buffer {
  const bytes = Buffer.alloc(1024);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(0x80, 0x3c);
  bytes.write('PE\0\0', 0x80, 'latin1');
  return bytes;
}
