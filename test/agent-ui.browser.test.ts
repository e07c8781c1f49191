// The agent console in a real Chromium against a real server: log in, see a web chat visitor's
// message arrive live, take the conversation, reply, and watch the reply reach the visitor's socket
// and turn "delivered". Screenshots land in test-results/ for a human to look at.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn } from './support/browser.js';
import { gradientPng } from './support/scenario.js';
import { connect, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'test-results');

describe('agent console in Chromium', () => {
  let server: TestServer;
  let adminToken: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer('sqlite');
    adminToken = await server.api.login();
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  async function openConsole(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 820 }, locale: 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(server.url);
    return page;
  }

  test('an agent logs in, sees a visitor message live, takes the conversation and replies', async () => {
    const agent = await server.api.userWithRole(adminToken, 'agent', 'Nok Agent');
    const accountId = await server.api.webChatAccount(adminToken);
    const visitor = await server.api.visitorSession(accountId, { name: 'สมหญิง ใจดี', email: 'somying@example.com' });
    const visitorSocket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(visitorSocket);

    const page = await openConsole();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'agent-ui-login-en.png') });
    await signIn(page, agent);
    await page.getByText('No open conversations here.').waitFor();

    // The visitor writes in Thai; the console shows it without a reload.
    const question = 'สวัสดีค่ะ พัสดุของฉันยังไม่มาถึงเลยค่ะ 📦';
    const sent = await visitorSocket.emitWithAck('visitor:send', { clientMessageId: 'ui-1', text: question });
    expect(sent.ok).toBe(true);
    const item = page.locator('.conversation-item', { hasText: 'สมหญิง ใจดี' });
    await item.filter({ hasText: question }).waitFor();
    expect(await item.locator('.unread-dot').count()).toBe(1);

    await item.click();
    await page.locator('.message-inbound .bubble-text', { hasText: question }).waitFor();
    await page.locator('.customer-column').getByText('somying@example.com').waitFor();
    expect(await item.locator('.unread-dot').count()).toBe(0);

    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('button', { name: 'Assign to me' }).waitFor({ state: 'detached' });
    await page.locator('.pane-subtitle', { hasText: 'Assigned to you' }).waitFor();

    // The reply goes through the outbox to the visitor's socket, which acknowledges it.
    const reply = 'สวัสดีครับ ขอเลขพัสดุด้วยครับ';
    const received = new Promise<string>((resolve) => {
      visitorSocket.on('visitor:message', (m, ack) => {
        ack(true);
        const part = m.parts[0];
        if (m.direction === 'outbound' && part?.type === 'text') resolve(part.text);
      });
    });
    const composer = page.getByRole('textbox', { name: 'Reply' });
    await composer.fill(reply);
    await composer.press('Enter');
    expect(await received).toBe(reply);
    const bubble = page.locator('.message-outbound', { hasText: reply });
    await bubble.locator('[data-delivery="delivered"]', { hasText: 'Delivered' }).waitFor();
    expect(await composer.inputValue()).toBe('');

    // The visitor sends a photo and a text file: the console loads both with the agent's token.
    const photo = await uploadAsVisitor(
      accountId,
      visitor.token,
      'parcel.png',
      'image/png',
      gradientPng(240, 150, [120, 160, 210], [210, 220, 170]),
    );
    const label = await uploadAsVisitor(accountId, visitor.token, 'order.txt', 'text/plain', Buffer.from('Order TH123\n'));
    const withFiles = await visitorSocket.emitWithAck('visitor:send', {
      clientMessageId: 'ui-2',
      text: 'รูปพัสดุค่ะ',
      attachmentIds: [photo, label],
    });
    expect(withFiles.ok).toBe(true);
    const image = page.locator('.message-inbound img.bubble-image[alt="parcel.png"]');
    await image.waitFor();
    await page.waitForFunction(
      (img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth === 240,
      await image.elementHandle(),
    );
    const download = page.waitForEvent('download');
    await page.locator('.message-inbound .file-attachment', { hasText: 'order.txt' }).click();
    expect((await download).suggestedFilename()).toBe('order.txt');

    // A private note looks different and says so.
    await page.getByRole('tab', { name: 'Note' }).click();
    const noteBox = page.getByRole('textbox', { name: 'Note' });
    await noteBox.fill('Customer asked twice about parcel TH123');
    await noteBox.press('Enter');
    await page.locator('.bubble-note', { hasText: 'Customer asked twice about parcel TH123' }).getByText('Internal note').waitFor();
    await page.getByRole('tab', { name: 'Reply' }).click();
    await page.screenshot({ path: path.join(SHOTS, 'agent-ui-console-en.png') });

    // Thai UI: the choice is stored on the user.
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me') && r.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'ไทย' }).click();
    expect((await saved).status()).toBe(200);
    await page.getByRole('heading', { name: 'บทสนทนา' }).waitFor();
    await page.locator('.message-outbound [data-delivery="delivered"]', { hasText: 'ถึงผู้รับแล้ว' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'agent-ui-console-th.png') });
    const me = await server.api.request('GET', '/api/v1/auth/me', { token: agent.token });
    expect(me.body.user.locale).toBe('th');

    await page.getByRole('button', { name: 'ออกจากระบบ' }).click();
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'agent-ui-login-th.png') });
  });

  test('? lists the keyboard shortcuts (outside a text field); Escape closes the list', async () => {
    const agent = await server.api.userWithRole(adminToken, 'agent', 'Keys Agent');
    const page = await openConsole();
    await signIn(page, agent);
    await page.locator('body').press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await expect.poll(() => help.getByText('Alt+R').isVisible()).toBe(true);
    await expect.poll(() => help.getByText('Ctrl+Enter').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });

  test('a revoked session returns to the login page with a clear message', async () => {
    const agent = await server.api.userWithRole(adminToken, 'agent', 'Dao Agent');
    const page = await openConsole();
    await signIn(page, agent);

    // A new password revokes every session of the user; the console hears it on its socket.
    const reset = await server.api.request('PATCH', `/api/v1/users/${agent.id}`, {
      token: adminToken,
      body: { password: 'another-long-enough-password' },
    });
    expect(reset.status).toBe(200);
    await page.getByText('Your session expired, please log in again').waitFor();
    await page.getByLabel('Password').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'agent-ui-session-expired-en.png') });
  });

  test('after the network drops, the console reconnects and shows what it missed', async () => {
    const agent = await server.api.userWithRole(adminToken, 'agent', 'Ploy Agent');
    const accountId = await server.api.webChatAccount(adminToken, 'Shop');
    const visitor = await server.api.visitorSession(accountId, { name: 'Reconnect Visitor' });
    const visitorSocket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(visitorSocket);
    const first = await visitorSocket.emitWithAck('visitor:send', { clientMessageId: 'rc-1', text: 'before the drop' });
    expect(first.ok).toBe(true);

    const page = await openConsole();
    await signIn(page, agent);
    await page.locator('.conversation-item', { hasText: 'Reconnect Visitor' }).click();
    await page.locator('.message-inbound', { hasText: 'before the drop' }).waitFor();
    const composer = page.getByRole('textbox', { name: 'Reply' });
    await composer.fill('half-typed answer');

    await page.context().setOffline(true);
    await page.locator('.connection[data-state="reconnecting"]').waitFor();
    const missed = await visitorSocket.emitWithAck('visitor:send', { clientMessageId: 'rc-2', text: 'sent while you were offline' });
    expect(missed.ok).toBe(true);
    // Back online: the console asks for the messages after the last one it shows.
    const catchUp = page.waitForResponse((r) => /\/messages\?after=/.test(r.url()));
    await page.context().setOffline(false);
    await page.locator('.connection[data-state="connected"]').waitFor();
    expect((await catchUp).status()).toBe(200);
    await page.locator('.message-inbound', { hasText: 'sent while you were offline' }).waitFor();
    expect(await page.locator('.message-inbound', { hasText: 'sent while you were offline' }).count()).toBe(1);
    expect(await composer.inputValue()).toBe('half-typed answer');
  });

  async function uploadAsVisitor(accountId: string, token: string, filename: string, type: string, bytes: Buffer): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename);
    const res = await fetch(`${server.url}/webhooks/web_chat/${accountId}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { attachment: { id: string } }).attachment.id;
  }
});
