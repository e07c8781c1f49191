// The inbox and the customer panel in a real Chromium against a real server: "My queues" shows only
// the agent's queues, filters and search narrow the list, unread counts move live, an offer pops the
// customer's profile before it is accepted, the panel shows identities and the whole history, edits
// are stored (value tier and VIP for supervisors only), the UI reads in Thai, and "load more" pages.
// Screenshots land in test-results/ and docs/screenshots/customer-panel.png.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { InboundMessage } from '../server/domain/types.js';
import { makeIngestMessage } from '../server/usecases/ingest-message.js';
import { launchChromium, signIn } from './support/browser.js';
import { connect, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { until } from './support/until.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'test-results');
const DOCS = path.join(ROOT, 'docs', 'screenshots');
const PHONE = '+66812345678';

describe('inbox lists and customer panel in Chromium', () => {
  let server: TestServer;
  let admin: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sockets: ClientSocket[] = [];
  let queueA: string;
  let queueB: string;
  let accountA: string;
  let accountB: string;
  let lineAccount: string;
  let smsAccount: string;
  let agent: { id: string; email: string; password: string; token: string };
  let supervisor: { id: string; email: string; password: string; token: string };
  /** Conversation ids by the customer's name. */
  const conversationOf: Record<string, string> = {};
  let somsri: string; // the customer with a LINE and an SMS conversation
  let ingest: ReturnType<typeof makeIngestMessage>;
  let providerIds = 0;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.mkdirSync(DOCS, { recursive: true });
    server = await startTestServer('sqlite', {}, { routing: { tickMs: 50 } });
    browser = await launchChromium();
    admin = await server.api.login();
    ingest = makeIngestMessage({ store: server.store, events: server.events, now: Date.now }, { reopenWindowMs: 72 * 3_600_000 });

    queueA = (await post('/api/v1/queues', { name: 'Parcels', channels: ['web_chat'] })).queue.id;
    queueB = (await post('/api/v1/queues', { name: 'Billing', channels: ['web_chat'] })).queue.id;
    accountA = (await post('/api/v1/channel-accounts', { kind: 'web_chat', name: 'Shop site', queueId: queueA })).account.id;
    accountB = (await post('/api/v1/channel-accounts', { kind: 'web_chat', name: 'Billing site', queueId: queueB })).account.id;
    // LINE and SMS have no adapter yet: their accounts and messages go through the store and the
    // ingest use case in-process, on the running server's event bus (so sockets hear them).
    const account = (kind: 'line' | 'sms', name: string) =>
      server.store.channelAccounts.create({ kind, name, settings: {}, credentialsSealed: null }, Date.now());
    lineAccount = (await account('line', 'LINE OA')).id;
    smsAccount = (await account('sms', 'SMS')).id;

    agent = await server.api.userWithRole(admin, 'agent', 'Nok Agent');
    supervisor = await server.api.userWithRole(admin, 'supervisor', 'Dao Supervisor');
    await patch(`/api/v1/users/${agent.id}/routing`, { queueIds: [queueA] });

    // Nobody is available: everything waits unassigned in its queue (or the shared inbox).
    await visit(accountA, 'สมชาย ใจดี', 'พัสดุของผมยังไม่มาถึงครับ');
    await visit(accountA, 'Emily Clark', 'Where is my parcel? Tracking TH123456');
    await visit(accountB, 'Bob Billing', 'I was charged twice for order 889');
    await visit(accountB, 'มานี มีนา', 'ขอใบกำกับภาษีค่ะ');
    const line = await ingestLine('U-somsri', 'สมศรี รักดี', 'สอบถามโปรโมชั่นเดือนนี้ค่ะ', [{ kind: 'phone', scope: '', value: PHONE }]);
    somsri = line.customer.id;
    conversationOf['สมศรี LINE'] = line.conversation.id;
    const sms = await ingest(inbound(smsAccount, 'sms', { kind: 'phone', scope: '', value: PHONE }, 'ขอเปลี่ยนที่อยู่จัดส่งค่ะ'));
    expect(sms.customer.id).toBe(somsri); // the phone number links the SMS to the same customer
    conversationOf['สมศรี SMS'] = sms.conversation.id;

    for (const name of ['สมชาย ใจดี', 'Emily Clark', 'Bob Billing', 'มานี มีนา']) {
      await until(
        () => server.store.conversations.findById(conversationOf[name]!),
        (c) => c?.enqueuedAt !== null,
        `${name} waiting in a queue`,
      );
    }
    await post(`/api/v1/conversations/${conversationOf['Bob Billing']}/tags`, { tags: ['urgent'] });
    await post(`/api/v1/conversations/${conversationOf['Emily Clark']}/priority`, { priority: 5 });
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  async function post(url: string, body: unknown, token = admin) {
    const res = await server.api.request('POST', url, { token, body });
    expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }
  async function patch(url: string, body: unknown, token = admin) {
    const res = await server.api.request('PATCH', url, { token, body });
    expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }

  /** A web chat visitor writes once; returns their socket. */
  async function visit(accountId: string, name: string | undefined, text: string): Promise<ClientSocket> {
    const session = await server.api.visitorSession(accountId, name ? { name } : {});
    const socket = await connect(server.url, { visitorToken: session.token });
    sockets.push(socket);
    const sent = await socket.emitWithAck('visitor:send', { clientMessageId: `m-${++providerIds}`, text });
    if (!sent.ok) throw new Error(sent.error.message);
    const stored = await server.store.messages.findById(sent.message.id);
    if (name) conversationOf[name] = stored!.conversationId;
    return socket;
  }

  function inbound(accountId: string, kind: 'line' | 'sms', identity: InboundMessage['sender']['identity'], text: string, name?: string) {
    return {
      channelAccountId: accountId,
      channelKind: kind,
      providerMessageId: `p-${++providerIds}`,
      sender: { identity, ...(name ? { name } : {}), otherIdentities: [] as InboundMessage['sender']['identity'][] },
      parts: [{ type: 'text' as const, text }],
      sentAt: Date.now(),
    } satisfies InboundMessage;
  }

  function ingestLine(userId: string, name: string, text: string, others: InboundMessage['sender']['identity'][] = []) {
    const message = inbound(lineAccount, 'line', { kind: 'line', scope: lineAccount, value: userId }, text, name);
    message.sender.otherIdentities = others;
    return ingest(message);
  }

  async function openConsole(user: { email: string; password: string }, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, user, server.url);
    return page;
  }

  /** The names listed, once the list has settled (not loading). */
  async function listed(page: Page): Promise<string[]> {
    await page.locator('.inbox-scroll[aria-busy="false"]').waitFor();
    return (await page.locator('.conversation-list .item-name').allTextContents()).sort();
  }
  const expectListed = (page: Page, names: string[]) => expect.poll(() => listed(page)).toEqual([...names].sort());

  const tab = (page: Page, name: string) => page.getByRole('tab', { name });
  const tabCount = async (page: Page, name: string) => {
    const badge = tab(page, name).locator('.tab-count');
    return (await badge.count()) > 0 ? ((await badge.textContent()) ?? '').trim() : '0';
  };
  const filtersButton = (page: Page) => page.getByRole('button', { name: /^Filters/ });
  const panel = (page: Page) => page.getByRole('complementary', { name: 'Customer' });

  test('My queues, filters and search narrow the list; unread counts move live', { timeout: 60_000 }, async () => {
    const page = await openConsole(agent);
    // Agents start on Unassigned: everything waiting, in every queue and channel.
    expect(await tab(page, 'Unassigned').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('tab', { name: 'All', exact: true }).count()).toBe(0); // All is for supervisors
    await expectListed(page, ['สมชาย ใจดี', 'Emily Clark', 'Bob Billing', 'มานี มีนา', 'สมศรี รักดี', 'สมศรี รักดี']);

    // My queues: only the waiting conversations of Parcels, the one queue Nok works.
    await tab(page, 'My queues').click();
    await expectListed(page, ['สมชาย ใจดี', 'Emily Clark']);
    await expect.poll(() => page.locator('.conversation-list .chip-queue').allTextContents()).toEqual(['Parcels', 'Parcels']);

    // Filters on Unassigned: channel, tag, priority.
    await tab(page, 'Unassigned').click();
    await filtersButton(page).click();
    await page.getByLabel('Channel', { exact: true }).selectOption('line');
    await expectListed(page, ['สมศรี รักดี']);
    await page.getByLabel('Channel', { exact: true }).selectOption('web_chat');
    await expectListed(page, ['สมชาย ใจดี', 'Emily Clark', 'Bob Billing', 'มานี มีนา']);
    await page.getByLabel('Tag', { exact: true }).fill('urgent');
    await expectListed(page, ['Bob Billing']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expectListed(page, ['สมชาย ใจดี', 'Emily Clark', 'Bob Billing', 'มานี มีนา', 'สมศรี รักดี', 'สมศรี รักดี']);
    await page.getByLabel('Priority', { exact: true }).selectOption('5');
    await expectListed(page, ['Emily Clark']);
    expect(await page.locator('.conversation-list .chip-priority').allTextContents()).toEqual(['P5']);
    await page.screenshot({ path: path.join(SHOTS, 'inbox-filters-en.png') });
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // Search: a conversation by its message text, a customer by name.
    const search = page.getByRole('searchbox', { name: 'Search customers and messages' });
    await search.fill('charged twice');
    await expectListed(page, ['Bob Billing']);
    await page.getByText('No customer matches “charged twice”.').waitFor();
    await search.fill('สมศรี');
    const match = page.locator('.customer-match', { hasText: 'สมศรี รักดี' });
    await match.waitFor();
    expect(await page.locator('.customer-match').count()).toBe(1);
    await match.click();
    // Picking the customer shows them in the panel and only their conversations in the list.
    await expectListed(page, ['สมศรี รักดี', 'สมศรี รักดี']);
    await panel(page).getByRole('heading', { name: 'สมศรี รักดี' }).waitFor();
    expect(await search.inputValue()).toBe('');
    await page.getByRole('button', { name: 'Show conversations of everyone, not only สมศรี รักดี' }).click();

    // Live: a new visitor in Parcels and a new message from สมชาย raise the My queues count.
    await tab(page, 'My queues').click();
    await expectListed(page, ['สมชาย ใจดี', 'Emily Clark']);
    expect(await tabCount(page, 'My queues')).toBe('0');
    await visit(accountA, 'กัญญา ทดสอบ', 'สั่งของไปเมื่อวานค่ะ');
    await expectListed(page, ['สมชาย ใจดี', 'Emily Clark', 'กัญญา ทดสอบ']);
    await expect.poll(() => tabCount(page, 'My queues')).toBe('1');
    const somchai = page.locator('.conversation-item', { hasText: 'สมชาย ใจดี' });
    expect(await somchai.locator('.unread-dot').count()).toBe(0);
    const somchaiSocket = sockets[0]!;
    const again = await somchaiSocket.emitWithAck('visitor:send', { clientMessageId: `m-${++providerIds}`, text: 'ช่วยเช็กให้หน่อยครับ' });
    expect(again.ok).toBe(true);
    await somchai.locator('.unread-dot').waitFor();
    await somchai.getByText('ช่วยเช็กให้หน่อยครับ').waitFor();
    await expect.poll(() => tabCount(page, 'My queues')).toBe('2');
    expect(await page.locator('.conversation-list .item-name').first().textContent()).toBe('สมชาย ใจดี'); // newest activity first
    expect(await page.title()).toBe('(2) Omnidesk');
    await somchai.click();
    await expect.poll(() => tabCount(page, 'My queues')).toBe('1');
    expect(await somchai.locator('.unread-dot').count()).toBe(0);

    // A conversation that stops matching leaves the list: a supervisor assigns it to Nok.
    await post(`/api/v1/conversations/${conversationOf['Emily Clark']}/assign`, { assigneeId: agent.id }, supervisor.token);
    await expectListed(page, ['สมชาย ใจดี', 'กัญญา ทดสอบ']);
    await tab(page, 'Mine').click();
    await expectListed(page, ['Emily Clark']);
    await page.context().close();
  });

  test(
    'the customer panel shows identities and the whole history, and stores edits; agents cannot set VIP',
    { timeout: 60_000 },
    async () => {
      const page = await openConsole(agent);
      await page.locator('.conversation-item', { hasText: 'สอบถามโปรโมชั่นเดือนนี้ค่ะ' }).click();
      const aside = panel(page);
      await aside.getByRole('heading', { name: 'สมศรี รักดี' }).waitFor();
      // Identities on every channel: the LINE user id and the phone number.
      await aside.locator('[data-identity-kind="line"]', { hasText: 'U-somsri' }).waitFor();
      await aside.locator('[data-identity-kind="phone"]', { hasText: PHONE }).waitFor();
      await aside.getByText('Not recorded').waitFor(); // consent is not in the API yet
      // History: both conversations, LINE and SMS, newest first; the open one is marked.
      const history = aside.locator('.history-item');
      await expect.poll(() => history.count()).toBe(2);
      expect(await history.nth(0).getAttribute('data-conversation-id')).toBe(conversationOf['สมศรี SMS']);
      expect(await history.nth(0).locator('.chip').first().textContent()).toBe('SMS');
      expect(await history.nth(1).locator('.chip').first().textContent()).toBe('LINE');
      expect(await history.nth(1).getAttribute('class')).toContain('is-current');
      // The other conversation opens in place, read-only, and can be opened in the inbox.
      await history.nth(0).getByRole('button').first().click();
      await aside.getByRole('log').getByText('ขอเปลี่ยนที่อยู่จัดส่งค่ะ').waitFor();
      await aside.getByRole('button', { name: 'Open in the inbox' }).click();
      await page.locator('.message-inbound', { hasText: 'ขอเปลี่ยนที่อยู่จัดส่งค่ะ' }).waitFor();
      await expect.poll(async () => (await history.nth(0).getAttribute('class')) ?? '').toContain('is-current');

      // Edit name, tags and an attribute; the agent has no value tier or VIP control.
      await aside.getByRole('button', { name: 'Edit the profile of สมศรี รักดี' }).click();
      expect(await aside.getByLabel('VIP customer').count()).toBe(0);
      expect(await aside.getByLabel('Value tier').count()).toBe(0);
      await aside.getByLabel('Name', { exact: true }).fill('สมศรี รักดียิ่ง');
      await aside.getByLabel('Add a tag', { exact: true }).fill('loyal');
      await aside.getByLabel('Add a tag', { exact: true }).press('Enter');
      await aside.getByLabel('Add a tag', { exact: true }).fill('ลูกค้าประจำ');
      await aside.getByRole('button', { name: 'Add', exact: true }).click();
      await aside.getByRole('button', { name: '+ Add attribute' }).click();
      await aside.getByLabel('Name of attribute 1').fill('memberNo');
      await aside.getByLabel('Value of Member no').fill('M-2291');
      await aside.getByRole('button', { name: 'Save', exact: true }).click();
      await aside.getByRole('heading', { name: 'สมศรี รักดียิ่ง' }).waitFor();
      const stored = await server.api.request('GET', `/api/v1/customers/${somsri}`, { token: admin });
      expect(stored.body.customer.name).toBe('สมศรี รักดียิ่ง');
      expect(stored.body.customer.tags).toEqual(['loyal', 'ลูกค้าประจำ']);
      expect(stored.body.customer.attributes).toMatchObject({ memberNo: 'M-2291' });
      expect(stored.body.customer.vip).toBe(false);
      await aside.locator('.tag-chip', { hasText: 'ลูกค้าประจำ' }).waitFor();
      // The new name shows in the list and the conversation header too.
      await page.locator('.pane-title h2', { hasText: 'สมศรี รักดียิ่ง' }).waitFor();
      // The API refuses VIP to agents as well.
      const refused = await server.api.request('PATCH', `/api/v1/customers/${somsri}`, { token: agent.token, body: { vip: true } });
      expect(refused.status).toBe(403);
    },
  );

  test('a supervisor sets value tier and VIP', { timeout: 60_000 }, async () => {
    const page = await openConsole(supervisor);
    expect(await tab(page, 'All').getAttribute('aria-selected')).toBe('true');
    await page.locator('.conversation-item', { hasText: 'ขอใบกำกับภาษีค่ะ' }).click();
    const aside = panel(page);
    await aside.getByRole('button', { name: 'Edit the profile of มานี มีนา' }).click();
    await aside.getByLabel('Value tier', { exact: true }).selectOption('gold');
    await aside.getByLabel('VIP customer').check();
    await aside.getByRole('button', { name: 'Save', exact: true }).click();
    await aside.locator('.profile-head .tier-vip').waitFor();
    expect(await aside.locator('.profile-head .tier-gold').textContent()).toBe('Gold');
    const customerId = (await server.store.conversations.findById(conversationOf['มานี มีนา']!))!.customerId;
    const stored = await server.api.request('GET', `/api/v1/customers/${customerId}`, { token: admin });
    expect(stored.body.customer).toMatchObject({ valueTier: 'gold', vip: true });
    await page.context().close();
  });

  test(
    'an offered conversation pops the customer profile before it is accepted; an unknown customer is linked or given details',
    { timeout: 90_000 },
    async () => {
      const queue = (await post('/api/v1/queues', { name: 'Hotline', channels: ['web_chat', 'line'], offerTimeoutMs: 300_000 })).queue.id;
      const hotline = (await post('/api/v1/channel-accounts', { kind: 'web_chat', name: 'Hotline site', queueId: queue })).account.id;
      const ploy = await server.api.userWithRole(admin, 'agent', 'Ploy Agent');
      await patch(`/api/v1/users/${ploy.id}/routing`, { queueIds: [queue] });
      const page = await openConsole(ploy);
      await post(`/api/v1/agents/${ploy.id}/presence`, { presence: 'available' }, ploy.token);
      await page.locator('.presence-available').waitFor();

      // A returning customer: สมศรี writes on LINE, now routed through Hotline.
      await server.store.channelAccounts.update(lineAccount, { queueId: queue }, Date.now());
      await post(`/api/v1/conversations/${conversationOf['สมศรี LINE']}/status`, { status: 'resolved' }, supervisor.token);
      const offered = page.getByRole('alertdialog', { name: 'New conversation offered' });
      const returning = await ingestLine('U-somsri', 'สมศรี รักดี', 'ขอบคุณค่ะ มีคำถามอีกข้อ');
      expect(returning.customer.id).toBe(somsri);
      await offered.getByText('สมศรี รักดียิ่ง').waitFor();
      await offered.getByText(PHONE).waitFor();
      await offered.getByText('1 earlier conversation').waitFor(); // the SMS one (the LINE one reopened: it is this one)
      // Screen pop: the panel already shows them, before Accept.
      const aside = panel(page);
      await aside.getByText('Offered to you, not accepted yet').waitFor();
      await aside.getByRole('heading', { name: 'สมศรี รักดียิ่ง' }).waitFor();
      await page.screenshot({ path: path.join(SHOTS, 'inbox-screen-pop-en.png') });
      await offered.getByRole('button', { name: 'Accept' }).click();
      await offered.waitFor({ state: 'detached' });
      await page.locator('.message-inbound', { hasText: 'ขอบคุณค่ะ มีคำถามอีกข้อ' }).waitFor();
      expect(await tab(page, 'Mine').getAttribute('aria-selected')).toBe('true');
      await expectListed(page, ['สมศรี รักดียิ่ง']);
      expect(await aside.getByText('Offered to you, not accepted yet').count()).toBe(0);

      // An unknown visitor (no name, nothing but the channel id): the pop says so, the panel asks who it is.
      const stranger = await server.api.visitorSession(hotline, {});
      const strangerSocket = await connect(server.url, { visitorToken: stranger.token });
      sockets.push(strangerSocket);
      const sent = await strangerSocket.emitWithAck('visitor:send', { clientMessageId: 'unknown-1', text: 'สวัสดีค่ะ' });
      if (!sent.ok) throw new Error(sent.error.message);
      const strangerCustomer = (await server.store.conversations.findById(
        (await server.store.messages.findById(sent.message.id))!.conversationId,
      ))!.customerId;
      await offered.getByText('Not identified yet').waitFor();
      await offered.getByText('First contact').waitFor();
      await aside.getByRole('heading', { name: 'Who is this?' }).waitFor();
      // Linking: they are an existing customer. Search, link, and the pop now shows that customer.
      await aside.getByRole('button', { name: 'Existing customer' }).click();
      await aside.getByRole('searchbox', { name: 'Name, phone or email of the customer' }).fill('Emily');
      await aside.getByRole('button', { name: 'Search', exact: true }).click();
      await aside.locator('.match-item', { hasText: 'Emily Clark' }).getByRole('button', { name: 'Link to Emily Clark' }).click();
      await aside.getByText('This conversation and everything known here move to Emily Clark’s profile').waitFor();
      await aside.locator('.link-offer').getByRole('button', { name: 'Link to Emily Clark' }).click();
      await aside.getByRole('heading', { name: 'Emily Clark' }).waitFor();
      expect(await aside.getByText('Offered to you, not accepted yet').count()).toBe(1);
      const strangerConversation = (await server.store.messages.findById(sent.message.id))!.conversationId;
      const emily = (await server.store.conversations.findById(conversationOf['Emily Clark']!))!.customerId;
      expect((await server.store.conversations.findById(strangerConversation))!.customerId).toBe(emily);
      expect((await server.store.customers.findById(strangerCustomer))!.mergedInto).toBe(emily);
      await offered.getByRole('button', { name: 'Decline' }).click();
      await offered.waitFor({ state: 'detached' });
      await aside.getByRole('heading', { name: 'สมศรี รักดียิ่ง' }).waitFor();

      // Another unknown visitor gets new details: the phone given first belongs to สมศรี (offered to link,
      // not taken), then their own phone and email become identities, normalized.
      const other = await server.api.visitorSession(hotline, {});
      const otherSocket = await connect(server.url, { visitorToken: other.token });
      sockets.push(otherSocket);
      const otherSent = await otherSocket.emitWithAck('visitor:send', { clientMessageId: 'unknown-2', text: 'ขอสอบถามหน่อยค่ะ' });
      if (!otherSent.ok) throw new Error(otherSent.error.message);
      const otherCustomer = (await server.store.conversations.findById(
        (await server.store.messages.findById(otherSent.message.id))!.conversationId,
      ))!.customerId;
      await offered.getByText('Not identified yet').waitFor();
      await aside.getByRole('heading', { name: 'Who is this?' }).waitFor();
      await aside.getByLabel('Phone', { exact: true }).fill('081 234 5678');
      await aside.getByRole('button', { name: 'Save details' }).click();
      await aside.getByText('This belongs to สมศรี รักดียิ่ง').waitFor();
      await aside.locator('.link-offer').getByRole('button', { name: 'Cancel' }).click();
      await aside.getByLabel('Name', { exact: true }).fill('วิภา สายสุข');
      await aside.getByLabel('Phone', { exact: true }).fill('081 234 5679');
      await aside.getByLabel('Email', { exact: true }).fill('Wipa@Example.com');
      await aside.getByRole('button', { name: 'Save details' }).click();
      await aside.getByRole('heading', { name: 'วิภา สายสุข' }).waitFor();
      expect(await aside.getByRole('heading', { name: 'Who is this?' }).count()).toBe(0);
      await aside.locator('[data-identity-kind="phone"]', { hasText: '+66812345679' }).waitFor();
      await offered.getByText('วิภา สายสุข').waitFor(); // the pop follows the profile
      const stored = await server.api.request('GET', `/api/v1/customers/${otherCustomer}`, { token: admin });
      expect(stored.body.customer.name).toBe('วิภา สายสุข');
      expect(stored.body.customer.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`)).toEqual(
        expect.arrayContaining(['phone:+66812345679', 'email:wipa@example.com']),
      );
      // Consent the customer gives on the call is recorded with its source.
      await aside.getByRole('button', { name: 'Record consent' }).click();
      await aside.getByLabel('Channel', { exact: true }).selectOption('sms');
      await aside.getByLabel('How it was given or withdrawn').fill('agreed in the chat');
      await aside.getByRole('button', { name: 'Save', exact: true }).click();
      await aside.locator('[data-channel="sms"][data-consent="opted_in"]', { hasText: 'agreed in the chat' }).waitFor();
      await page.screenshot({ path: path.join(SHOTS, 'inbox-identify-en.png') });
      await offered.getByRole('button', { name: 'Decline' }).click();
      await offered.waitFor({ state: 'detached' });
      // Declined: the panel goes back to the open conversation's customer.
      await aside.getByRole('heading', { name: 'สมศรี รักดียิ่ง' }).waitFor();
      await server.store.channelAccounts.update(lineAccount, { queueId: null }, Date.now());
      await page.context().close();
    },
  );

  test('in Thai, and at tablet width; screenshot of a Thai customer with history', { timeout: 60_000 }, async () => {
    const page = await openConsole(supervisor);
    await page.locator('.conversation-item', { hasText: 'ขอใบกำกับภาษีค่ะ' }).waitFor();
    // docs: a Thai customer with their history (LINE and SMS), at 1280x800.
    await page.getByRole('searchbox', { name: 'Search customers and messages' }).fill('สมศรี');
    await page.locator('.customer-match', { hasText: 'สมศรี รักดียิ่ง' }).click();
    await page.locator('.conversation-item', { hasText: 'ขอเปลี่ยนที่อยู่จัดส่งค่ะ' }).click();
    const aside = panel(page);
    await aside.locator(`.history-item[data-conversation-id="${conversationOf['สมศรี LINE']}"]`).getByRole('button').first().click();
    await aside.getByRole('log').getByText('สอบถามโปรโมชั่นเดือนนี้ค่ะ').waitFor();
    await aside.getByRole('log').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(DOCS, 'customer-panel.png') });

    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me') && r.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'ไทย' }).click();
    expect((await saved).status()).toBe(200);
    await page.getByRole('tab', { name: 'คิวของฉัน' }).waitFor();
    const thAside = page.getByRole('complementary', { name: 'ลูกค้า' });
    await thAside.getByRole('heading', { name: 'ประวัติการติดต่อ' }).waitFor();
    await thAside.getByText('2 บทสนทนาจากทุกช่องทาง').waitFor();
    await thAside.getByText('ยังไม่ได้บันทึก').waitFor();
    await page.getByRole('searchbox', { name: 'ค้นหาลูกค้าและข้อความ' }).waitFor();
    await page.getByRole('button', { name: 'ตัวกรอง' }).click();
    await page.getByLabel('ช่องทาง', { exact: true }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'inbox-customer-panel-th.png') });

    // Tablet: the panel folds into a rail that opens as a drawer.
    await page.setViewportSize({ width: 800, height: 1000 });
    const rail = page.getByRole('button', { name: 'แสดงข้อมูลลูกค้า: สมศรี รักดียิ่ง' });
    await rail.waitFor();
    expect(await thAside.getByRole('heading', { name: 'ประวัติการติดต่อ' }).isVisible()).toBe(false);
    await rail.click();
    await thAside.getByRole('heading', { name: 'ประวัติการติดต่อ' }).waitFor();
    const box = await thAside.locator('.panel-body').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(800);
    await page.screenshot({ path: path.join(SHOTS, 'inbox-tablet-th.png') });
    await page.keyboard.press('Escape');
    await thAside.getByRole('heading', { name: 'ประวัติการติดต่อ' }).waitFor({ state: 'hidden' });
  });

  test('"load more" reads the next page, with nothing skipped or repeated', { timeout: 60_000 }, async () => {
    for (let i = 1; i <= 30; i++) await ingestLine(`U-bulk-${i}`, `Bulk ${String(i).padStart(2, '0')}`, `bulk message ${i}`);
    const pim = await server.api.userWithRole(admin, 'supervisor', 'Pim Supervisor');
    const page = await openConsole(pim);
    await filtersButton(page).click();
    await page.getByLabel('Channel', { exact: true }).selectOption('line');
    await expect.poll(async () => (await listed(page)).length).toBe(25);
    const more = page.getByRole('button', { name: 'Load more' });
    await more.click();
    await more.waitFor({ state: 'detached' });
    const names = await listed(page);
    const expected = await server.api.request('GET', '/api/v1/conversations?channel=line&status=open,pending&limit=100', {
      token: pim.token,
    });
    expect(names.length).toBe(expected.body.conversations.length);
    expect(new Set(names).size).toBe(names.length);
  });
});
