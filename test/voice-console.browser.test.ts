// Phone calls in the console, in a real Chromium against a real server and the local fake of Twilio.
// An admin creates the voice number with its form (Twilio checks the credentials; the flow's missing
// queue is named) and sees the two URLs to paste into Twilio; an empty auth token next to a typed API
// key secret is refused in the form; the agent's phone for calls refuses a bad number and stores a
// Thai one as E.164. The agent (console in Thai) goes available; a caller rings through the signed
// webhooks, presses 1 and is offered to the agent with their number; Accept has Twilio redirect the
// live call, the wait loop dials the agent, and the call card follows live to "answered" with the
// talk time. A second caller leaves a voicemail: the recording plays in place and the transcription
// follows. "Call back" has Twilio ring the agent's phone. Writes docs/screenshots/voice-call.png and
// docs/screenshots/admin-voice-number.png at 1280x800.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn } from './support/browser.js';
import { postTwilioForm } from './support/channel-traffic.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { ADMIN, startTestServer, type TestServer } from './support/harness.js';
import { only, parseTwiml, verbNames, type XmlElement } from './support/twiml.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'test-results');
const DOCS = path.join(ROOT, 'docs', 'screenshots');
const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6621234567';
const AGENT_PHONE = '+66812345678';
const CALLER = '+66812223344';
const VOICEMAIL_CALLER = '+66898887766';
const LIVE = { timeout: 10_000 };
const hex = (n: number) => randomBytes(n).toString('hex');

/** A small shop line: a menu in Thai and English, a queue, a voicemail box. */
const FLOW = `
name: hotline
languages: [th-TH, en-US]
voices: { th-TH: Google.th-TH-Standard-A, en-US: Polly.Joanna }
start: welcome
nodes:
  welcome:
    type: say
    text: { th-TH: สวัสดีค่ะ ร้านขนมบ้านสวนยินดีให้บริการ, en-US: Welcome to Baan Suan Bakery. }
    next: menu
  menu:
    type: gather
    input: [dtmf]
    prompt: { th-TH: กด 1 คุยกับเจ้าหน้าที่ กด 2 ฝากข้อความ, en-US: Press 1 for an agent or 2 to leave a message. }
    timeout: 5
    retries: 1
    options: { '1': support, '2': voicemail }
    invalid: bye
  support:
    type: enqueue
    queue: Support
    announce: position
  voicemail:
    type: voicemail
    prompt: { th-TH: ฝากข้อความหลังเสียงสัญญาณค่ะ, en-US: Leave a message after the tone. }
    maxLengthSeconds: 60
    transcribe: true
  bye:
    type: hangup
    prompt: { th-TH: ขอบคุณที่โทรมาค่ะ, en-US: Thank you for calling. }
`;

let flowsDir: string;
let fake: FakeTwilio;
let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let admin: string;
let twilioAccount: { accountSid: string; authToken: string };
let accountId: string;
let voicemailQueueId: string;
let agent: { id: string; email: string; password: string; token: string };
let agentPage: Page;
let firstConversationId: string;

async function window(locale: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  contexts.push(context);
  return context.newPage();
}

async function api(method: string, url: string, body?: unknown, token = admin) {
  const res = await server.api.request(method, `/api/v1${url}`, { token, body });
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

const base = () => `/webhooks/voice/${accountId}`;

/** Posts a form as Twilio does, signed over PUBLIC_URL + path with the account's auth token; the TwiML answer parsed. */
async function twiml(hookPath: string, params: Record<string, string>): Promise<XmlElement> {
  const form = { AccountSid: twilioAccount.accountSid, ...params };
  const res = await postTwilioForm(server.url, hookPath, form, { authToken: twilioAccount.authToken, publicUrl: PUBLIC_URL });
  expect(res.status, res.text).toBe(200);
  return parseTwiml(res.text);
}

const ring = (sid: string, from: string) =>
  twiml(base(), { CallSid: sid, From: from, To: OUR_NUMBER, CallStatus: 'ringing', Direction: 'inbound' });
const press = (sid: string, digits: string) => twiml(`${base()}/step/menu`, { CallSid: sid, Digits: digits });

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(DOCS, { recursive: true });
  flowsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-flows-'));
  fs.writeFileSync(path.join(flowsDir, 'hotline.flow.yaml'), FLOW);
  [fake, server] = await Promise.all([
    FakeTwilio.start(),
    startTestServer('sqlite', { PUBLIC_URL, IVR_FLOWS_DIR: flowsDir }, { routing: { tickMs: 50 } }),
  ]);
  twilioAccount = fake.account();
  admin = await server.api.login();
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
  await fake?.close();
  if (flowsDir) fs.rmSync(flowsDir, { recursive: true, force: true });
});

test('an admin creates the voice number with its form and sees the two URLs to paste into Twilio', { timeout: 60_000 }, async () => {
  voicemailQueueId = (await api('POST', '/queues', { name: 'Voicemail', channels: ['voice'], offerTimeoutMs: 120_000, wrapUpMs: 0 })).queue
    .id;
  const page = await window('en-US');
  await signIn(page, ADMIN, server.url);
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await page.getByRole('tab', { name: 'Channel accounts' }).click();
  await page.getByRole('button', { name: 'New account' }).click();
  const form = page.getByRole('form', { name: 'New channel account' });
  await form.getByLabel('Channel', { exact: true }).selectOption('voice');
  // A call's queue is the flow's to choose: the account-wide queue is not offered for a voice number.
  expect(await form.getByLabel('Sends conversations to').count()).toBe(0);
  await form.getByLabel('Name', { exact: true }).fill('สายด่วนร้านขนม');
  await form.getByLabel('Account SID').fill(twilioAccount.accountSid);
  await form.getByLabel('Auth token').fill(twilioAccount.authToken);
  await form.getByLabel('Phone number').fill('+66 2 123 4567');

  // The flows the server loaded, each with its languages; the chosen one names a queue not created yet.
  const flow = form.getByLabel('IVR flow');
  await expect.poll(() => flow.locator('option').allTextContents()).toEqual(['Choose a flow…', 'hotline · th-TH, en-US']);
  await flow.selectOption('hotline');
  await form.getByText('Callers hear: Thai (th-TH), English (en-US).').waitFor();
  const missing = form.locator('.flow-queues-missing');
  expect(await missing.textContent()).toContain('queues that do not exist yet: “Support”');

  await form.getByLabel('Hold music URL (optional)').fill('https://cdn.example.test/hold/bakery.mp3');
  await form.getByLabel('Voicemails wait in').selectOption({ label: 'Voicemail' });
  const apiKeySid = `SK${hex(16)}`;
  await form.getByLabel('API key SID').fill(apiKeySid);
  await form.getByLabel('API key secret').fill(hex(16));
  // The documented screenshot: from the Twilio section down, before the local fake's address is typed.
  await form.getByRole('group', { name: 'Twilio' }).evaluate((section) => {
    section.scrollIntoView({ block: 'start' });
    section.closest('.admin-detail')?.scrollBy(0, -6);
  });
  await page.screenshot({ path: path.join(DOCS, 'admin-voice-number.png') });
  await form.getByLabel('API base URL (optional)').fill(fake.url);

  const check = fake.next((r) => r.method === 'GET' && r.path === `/2010-04-01/Accounts/${twilioAccount.accountSid}.json`);
  await form.getByRole('button', { name: 'Create account' }).click();
  expect(await check).toMatchObject({ user: twilioAccount.accountSid, password: twilioAccount.authToken });

  const urls = page.locator('.url-list');
  await expect
    .poll(() => urls.getByLabel('A call comes in (webhook)').inputValue(), LIVE)
    .toMatch(/^https:\/\/desk\.example\.test\/webhooks\/voice\/[\w-]+$/);
  const [account] = (await api('GET', '/channel-accounts')).accounts;
  accountId = account.id;
  expect(await urls.getByLabel('A call comes in (webhook)').inputValue()).toBe(`${PUBLIC_URL}/webhooks/voice/${accountId}`);
  expect(await urls.getByLabel('Call status changes').inputValue()).toBe(`${PUBLIC_URL}/webhooks/voice/${accountId}/status`);
  expect(account).toMatchObject({ kind: 'voice', name: 'สายด่วนร้านขนม', queueId: null });
  expect(account.settings).toEqual({
    accountSid: twilioAccount.accountSid,
    phoneNumber: OUR_NUMBER,
    apiBaseUrl: fake.url,
    flow: 'hotline',
    holdMusicUrl: 'https://cdn.example.test/hold/bakery.mp3',
    voicemailQueueId,
    apiKeySid,
  });
  await page.getByRole('list', { name: 'Channel accounts' }).getByText(OUR_NUMBER).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'voice-admin-created-en.png') });

  // The server replaces credentials whole: a secret typed alone would drop the auth token, so the form asks for both.
  const settings = page.getByRole('form', { name: 'Settings' });
  await settings.getByLabel('API key secret').fill(hex(16));
  const requests = fake.requests.length;
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await settings.getByText('Type the auth token too', { exact: false }).first().waitFor();
  expect(await settings.getByLabel('Auth token').getAttribute('aria-invalid')).toBe('true');
  expect(fake.requests.length).toBe(requests);
  expect(await page.content()).not.toContain(twilioAccount.authToken);

  // The queue the flow names, and the agent who answers (with a phone for calls), through the API.
  // No wrap-up time after a call, so the voicemail below is offered at once.
  const support = (await api('POST', '/queues', { name: 'Support', channels: ['voice'], offerTimeoutMs: 120_000, wrapUpMs: 0 })).queue;
  const password = 'a-long-enough-password';
  const email = 'niran@example.co.th';
  const created = (await api('POST', '/users', { email, name: 'นิรันดร์ ใจเย็น', role: 'agent', password })).user;
  await api('PATCH', `/users/${created.id}`, { phone: '+66899999999' });
  await api('PATCH', `/users/${created.id}/routing`, { queueIds: [support.id, voicemailQueueId] });
  agent = { id: created.id, email, password, token: await server.api.login(email, password) };
  await api('PATCH', '/auth/me', { locale: 'th' }, agent.token);

  // The admin changes the agent's phone for calls: a bad number is refused next to the field, a Thai one stored as E.164.
  await page.getByRole('tab', { name: 'Users and roles' }).click();
  await page
    .getByRole('list', { name: 'Users' })
    .getByRole('button', { name: /นิรันดร์ ใจเย็น/ })
    .click();
  const userForm = page.getByRole('form', { name: 'Account' });
  const phone = userForm.getByLabel('Phone for calls');
  expect(await phone.inputValue()).toBe('+66899999999');
  await phone.fill('12345');
  await userForm.getByRole('button', { name: 'Save changes' }).click();
  await userForm.locator('.field-error', { hasText: 'not a valid phone number: 12345' }).waitFor();
  expect(await phone.getAttribute('aria-invalid')).toBe('true');
  expect((await api('GET', `/users/${agent.id}`)).user.phone).toBe('+66899999999');
  await phone.fill('081 234 5678');
  await userForm.getByRole('button', { name: 'Save changes' }).click();
  await expect.poll(() => phone.inputValue(), LIVE).toBe(AGENT_PHONE);
  expect((await api('GET', `/users/${agent.id}`)).user.phone).toBe(AGENT_PHONE);
  await page.screenshot({ path: path.join(SHOTS, 'voice-admin-phone-en.png') });
});

test('a caller presses 1, pops up for the agent, is put through; the call card follows live to answered', { timeout: 60_000 }, async () => {
  agentPage = await window('th-TH');
  await agentPage.goto(server.url);
  await agentPage.locator('input[type="email"]').fill(agent.email);
  await agentPage.locator('input[type="password"]').fill(agent.password);
  await agentPage.locator('button[type="submit"]').click();
  await agentPage.locator('.connection[data-state="connected"]').waitFor();
  await agentPage.getByRole('combobox', { name: 'สถานะ' }).selectOption('available');
  await agentPage.locator('.presence-available').waitFor();

  const sid = `CA${hex(16)}`;
  const greeting = await ring(sid, CALLER);
  expect(verbNames(greeting)).toEqual(['Say', 'Gather', 'Redirect']);
  expect(verbNames(await press(sid, '1'))).toEqual(['Redirect']);

  // The offer pops with the caller's number.
  const offer = agentPage.getByRole('alertdialog', { name: 'มีบทสนทนาใหม่เสนอให้คุณ' });
  await offer.getByText(CALLER).first().waitFor(LIVE);
  expect(await offer.textContent()).toContain('Support');
  await agentPage.screenshot({ path: path.join(SHOTS, 'voice-offer-th.png') });

  // Accept: Twilio is told at once to bring the caller back to the wait loop, which now dials the agent.
  const redirect = fake.next((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${twilioAccount.accountSid}/Calls/${sid}.json`);
  await offer.getByRole('button', { name: 'รับงาน' }).click();
  await offer.waitFor({ state: 'detached' });
  expect((await redirect).form).toMatchObject({ Url: `${PUBLIC_URL}${base()}/wait`, Method: 'POST' });
  const card = agentPage.locator('.call-card');
  await card.waitFor(LIVE);
  const bridged = await twiml(`${base()}/wait`, { CallSid: sid });
  const dial = only(bridged, 'Dial');
  // The softphone (the number has an API key) and the agent's phone ring together.
  expect(only(only(dial, 'Client'), 'Identity').text).toBe(`agent-${agent.id}`);
  expect(only(dial, 'Number').text).toBe(AGENT_PHONE);
  await expect.poll(() => card.getAttribute('data-call-state'), LIVE).toBe('connecting');
  expect(await card.locator('.call-state').textContent()).toBe('กำลังเรียกเจ้าหน้าที่');

  // The agent's leg ends after 95 s and the caller hangs up: the card says so without a reload.
  expect(verbNames(await twiml(`${base()}/dial`, { CallSid: sid, DialCallStatus: 'completed', DialCallDuration: '95' }))).toEqual([
    'Hangup',
  ]);
  await twiml(`${base()}/status`, { CallSid: sid, CallStatus: 'completed' });
  await expect.poll(() => card.getAttribute('data-call-outcome'), LIVE).toBe('answered');
  expect(await card.locator('.call-state').textContent()).toBe('รับสายแล้ว');
  expect(await card.locator('[data-field="talk"]').textContent()).toBe('1:35');
  expect(await card.locator('[data-field="queue-wait"]').textContent()).toMatch(/^\d+:\d{2}$/);
  expect(await card.locator('.call-path li').allTextContents()).toEqual(['welcome', 'menu (กด 1)', 'support']);
  expect(await card.locator('.call-title').textContent()).toContain(`สายเรียกเข้า · ${CALLER}`);
  expect(await card.locator('.call-facts').textContent()).toContain('ไทย');

  firstConversationId = (await server.store.calls.findBySid(sid))!.conversationId;
  expect((await server.store.conversations.findById(firstConversationId))!.assigneeId).toBe(agent.id);
  await agentPage.screenshot({ path: path.join(DOCS, 'voice-call.png') });
});

test('a voicemail plays in place and its transcription follows; Call back rings the agent’s phone', { timeout: 60_000 }, async () => {
  const sid = `CA${hex(16)}`;
  await ring(sid, VOICEMAIL_CALLER);
  expect(verbNames(await press(sid, '2'))).toContain('Record');
  const recordingSid = `RE${hex(16)}`;
  const mediaPath = `/2010-04-01/Accounts/${twilioAccount.accountSid}/Recordings/${recordingSid}`;
  fake.serveMedia(`${mediaPath}.mp3`, Buffer.concat([Buffer.from('ID3'), randomBytes(2048)]), 'audio/mpeg');
  await twiml(`${base()}/recording/voicemail`, {
    CallSid: sid,
    RecordingSid: recordingSid,
    RecordingUrl: `${fake.url}${mediaPath}`,
    RecordingDuration: '12',
  });
  await twiml(`${base()}/status`, { CallSid: sid, CallStatus: 'completed' });

  // The voicemail waits in its queue, where the agent works: it is offered like any conversation.
  const offer = agentPage.getByRole('alertdialog', { name: 'มีบทสนทนาใหม่เสนอให้คุณ' });
  await offer.getByText(VOICEMAIL_CALLER).first().waitFor(LIVE);
  expect(await offer.textContent()).toContain('Voicemail');
  await offer.getByRole('button', { name: 'รับงาน' }).click();
  await offer.waitFor({ state: 'detached' });

  const card = agentPage.locator('.call-card');
  await expect.poll(() => card.getAttribute('data-call-outcome'), LIVE).toBe('voicemail');
  const play = agentPage.getByRole('button', { name: 'ข้อความเสียง voicemail.mp3' });
  await play.click();
  await agentPage.locator('.audio-attachment audio[src^="blob:"]').waitFor(LIVE);

  await twiml(`${base()}/transcription/voicemail`, {
    CallSid: sid,
    RecordingSid: recordingSid,
    TranscriptionStatus: 'completed',
    TranscriptionText: 'รบกวนโทรกลับเรื่องเค้กวันเกิดค่ะ',
  });
  const timeline = agentPage.getByRole('feed', { name: 'ข้อความ' });
  await timeline.getByText('ถอดความข้อความเสียง: รบกวนโทรกลับเรื่องเค้กวันเกิดค่ะ').waitFor(LIVE);
  await card.scrollIntoViewIfNeeded();
  await agentPage.screenshot({ path: path.join(SHOTS, 'voice-voicemail-th.png') });

  // Call back: Twilio rings the agent's phone first, from the desk's number; the console says so.
  const placed = fake.next((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${twilioAccount.accountSid}/Calls.json`);
  await agentPage.getByRole('button', { name: 'โทรกลับ', exact: true }).click();
  expect((await placed).form).toMatchObject({ To: AGENT_PHONE, From: OUR_NUMBER, StatusCallback: `${PUBLIC_URL}${base()}/status` });
  await agentPage.getByRole('status').filter({ hasText: 'กำลังโทร: รับสายที่โทรศัพท์ของคุณเพื่อต่อสายถึงลูกค้า' }).waitFor(LIVE);
  await agentPage.locator('.call-card[data-call-state="connecting"]', { hasText: `สายโทรออก · ${VOICEMAIL_CALLER}` }).waitFor(LIVE);
  await agentPage.screenshot({ path: path.join(SHOTS, 'voice-voicemail-callback-th.png') });
  expect(firstConversationId).toBeTruthy();
});
