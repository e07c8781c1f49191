// The admin screens in a real Chromium against a real server. An admin opens the Admin tab, creates
// a queue with a required skill, business hours, SLA targets and an after-hours reply through the
// forms, and the REST API shows it stored with exactly those values; an empty name shows the API's
// error and writes nothing. They add an agent (a duplicate email is refused, nothing written), give
// them the skill and the queue, and add a web chat account feeding the queue, whose snippet is shown
// and copied. Canned responses are created, found, changed and deleted. The screens read in Thai.
// Writes docs/screenshots/admin-queues.png at 1280x800.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn } from './support/browser.js';
import { ADMIN, startTestServer, type TestServer } from './support/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'test-results');
const DOCS_SHOT = path.join(ROOT, 'docs', 'screenshots', 'admin-queues.png');
const HOUR = 3_600_000;
const MINUTE = 60_000;
const OFFICE = [{ from: '09:00', to: '18:00' }];

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let admin: string;

const get = async (url: string) => {
  const res = await server.api.request('GET', `/api/v1${url}`, { token: admin });
  expect(res.status).toBe(200);
  return res.body;
};

async function openAdmin(tab: string) {
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await page.getByRole('tab', { name: tab }).click();
  await expect.poll(() => page.getByRole('tab', { name: tab }).getAttribute('aria-selected')).toBe('true');
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(path.dirname(DOCS_SHOT), { recursive: true });
  server = await startTestServer('sqlite');
  admin = await server.api.login();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  page = await context.newPage();
  await signIn(page, ADMIN, server.url);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

test('an empty queue name shows the API error and stores nothing; a full queue is stored as entered', async () => {
  await openAdmin('Queues and skills');
  await page.getByRole('button', { name: 'New queue' }).click();
  const form = page.getByRole('form', { name: 'New queue' });

  // Nothing typed: the API refuses, its message shows by the form and next to the name field.
  await form.getByRole('button', { name: 'Create queue' }).click();
  await expect.poll(() => form.getByRole('alert').textContent()).toContain('body.name');
  expect(await form.getByLabel('Queue name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
  expect((await get('/queues')).queues).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS, 'admin-queue-error-en.png') });

  await form.getByLabel('Queue name', { exact: true }).fill('Billing TH');
  for (const channel of ['Email', 'SMS', 'Phone', 'Messenger', 'Slack'])
    await form.getByRole('checkbox', { name: channel, exact: true }).uncheck();
  await form.getByLabel('Routing strategy').selectOption('most_skilled');

  await form.getByRole('button', { name: 'Add required skill' }).click();
  await form.getByLabel('Required skill 1', { exact: true }).fill('billing');
  await form.getByLabel('Minimum level 1', { exact: true }).fill('3');

  await form.getByRole('radio', { name: 'Set opening hours' }).check();
  await form.getByLabel('Time zone', { exact: true }).fill('Asia/Bangkok');
  await form.getByLabel('Monday closes').fill('17:30');
  await form.getByRole('checkbox', { name: 'Saturday' }).check();
  await form.getByLabel('Saturday opens').fill('10:00');
  await form.getByLabel('Saturday closes').fill('14:00');
  await form.getByLabel('Closed dates (holidays)').fill('2030-04-13');
  await form.getByRole('button', { name: 'Add date' }).click();

  await form.getByRole('radio', { name: 'Send an automatic reply' }).check();
  await form.getByLabel('Reply in English').fill('We are closed. We open at {{opensAt}}.');
  await form.getByLabel('Reply in Thai').fill('ขณะนี้อยู่นอกเวลาทำการ จะเปิดอีกครั้ง {{opensAt}}');

  const normal = form.getByRole('group', { name: 'Normal (priority 0 and up)' });
  await normal.getByRole('checkbox').check();
  await normal.getByLabel('First response within', { exact: true }).fill('10');
  await normal.getByLabel('First response within unit').selectOption('min');
  await normal.getByLabel('Resolution within', { exact: true }).fill('4');
  await normal.getByLabel('Resolution within unit').selectOption('h');
  const urgent = form.getByRole('group', { name: 'Urgent (priority 3 and up)' });
  await urgent.getByRole('checkbox').check();
  await urgent.getByLabel('First response within', { exact: true }).fill('2');
  await urgent.getByLabel('First response within unit').selectOption('min');
  await urgent.getByLabel('Resolution within', { exact: true }).fill('1');
  await urgent.getByLabel('Resolution within unit').selectOption('h');

  await form.getByRole('button', { name: 'Create queue' }).click();
  await page.getByText('Queue "Billing TH" was created').waitFor();

  const [queue] = (await get('/queues')).queues;
  expect(queue).toMatchObject({
    name: 'Billing TH',
    channels: ['web_chat', 'line'],
    strategy: 'most_skilled',
    requiredSkills: [{ skill: 'billing', minLevel: 3 }],
    businessHours: {
      timeZone: 'Asia/Bangkok',
      week: [[], [{ from: '09:00', to: '17:30' }], OFFICE, OFFICE, OFFICE, OFFICE, [{ from: '10:00', to: '14:00' }]],
      holidays: ['2030-04-13'],
    },
    afterHours: {
      action: 'auto_reply',
      message: { en: 'We are closed. We open at {{opensAt}}.', th: 'ขณะนี้อยู่นอกเวลาทำการ จะเปิดอีกครั้ง {{opensAt}}' },
    },
    sla: { '0': { firstResponseMs: 10 * MINUTE, resolutionMs: 4 * HOUR }, '3': { firstResponseMs: 2 * MINUTE, resolutionMs: HOUR } },
    // Untouched settings keep the API's defaults.
    offerTimeoutMs: 20_000,
    serviceLevelMs: 20_000,
    serviceLevelTarget: 0.8,
  });
  expect(Object.keys(queue.sla)).toEqual(['0', '3']);

  // The stored queue is now selected: its form shows the saved values, and changes save in place.
  const saved = page.getByRole('form', { name: 'Settings of Billing TH' });
  expect(await saved.getByLabel('Saturday closes').inputValue()).toBe('14:00');
  await page
    .getByRole('list', { name: 'Queues' })
    .getByRole('button', { name: /Billing TH/ })
    .waitFor();
  await saved.getByLabel('Offer timeout', { exact: true }).fill('45');
  await saved.getByLabel('Priority', { exact: true }).fill('5');
  await saved.getByRole('button', { name: 'Save changes' }).click();
  await saved.getByText('All changes saved.').waitFor();
  const [changed] = (await get('/queues')).queues;
  expect(changed).toMatchObject({ offerTimeoutMs: 45_000, priority: 5, requiredSkills: queue.requiredSkills, sla: queue.sla });
});

test('an admin adds an agent (a duplicate email is refused) and gives them a skill and the queue', async () => {
  const [queue] = (await get('/queues')).queues;
  await openAdmin('Users and roles');
  const usersBefore = (await get('/users')).users.length;

  await page.getByRole('button', { name: 'New user' }).click();
  let form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('Full name').fill('Ploy Srisuk');
  await form.getByLabel('Email', { exact: true }).fill('ploy@example.com');
  await form.getByLabel('Role', { exact: true }).selectOption('agent');
  await form.getByLabel('Password', { exact: true }).fill('a-long-enough-password');
  await form.getByRole('button', { name: 'Create user' }).click();
  await page.getByText('Ploy Srisuk was added').waitFor();
  const ploy = (await get('/users')).users.find((u: { email: string }) => u.email === 'ploy@example.com');
  expect(ploy).toMatchObject({ name: 'Ploy Srisuk', role: 'agent', active: true });

  // The same email again: the API's conflict shows next to the email, and no user is added.
  await page.getByRole('button', { name: 'New user' }).click();
  form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('Full name').fill('Ploy Again');
  await form.getByLabel('Email', { exact: true }).fill('ploy@example.com');
  await form.getByLabel('Password', { exact: true }).fill('another-long-password');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect.poll(() => form.getByRole('alert').textContent()).toContain('a user with email ploy@example.com already exists');
  expect(await form.getByLabel('Email', { exact: true }).getAttribute('aria-invalid')).toBe('true');
  expect(await form.getByLabel('Full name').inputValue()).toBe('Ploy Again'); // the form keeps what was typed
  expect((await get('/users')).users).toHaveLength(usersBefore + 1);
  await page.screenshot({ path: path.join(SHOTS, 'admin-user-conflict-en.png') });
  await form.getByRole('button', { name: 'Cancel' }).click();

  await page
    .getByRole('list', { name: 'Users' })
    .getByRole('button', { name: /Ploy Srisuk/ })
    .click();
  const routing = page.getByRole('form', { name: 'Routing profile of Ploy Srisuk' });
  await routing.getByRole('button', { name: 'Add skill' }).click();
  await routing.getByLabel('Skill 1', { exact: true }).fill('billing');
  await routing.getByLabel('Level 1', { exact: true }).fill('7');
  await routing.getByLabel('Chat', { exact: true }).fill('4');
  await routing.getByRole('checkbox', { name: 'Billing TH' }).check();
  await routing.getByRole('button', { name: 'Save routing' }).click();
  await routing.getByText('Routing saved.').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'admin-users-en.png') });

  expect((await get(`/users/${ploy.id}/routing`)).routing).toMatchObject({
    skills: { billing: 7 },
    capacity: { chat: 4, voice: 1, messaging: 5, email: 8 },
    queueIds: [queue.id],
  });
  expect((await get(`/queues/${queue.id}`)).queue.memberIds).toEqual([ploy.id]);
});

test('a web chat account feeding the queue shows its snippet and URLs, with copy buttons', async () => {
  const [queue] = (await get('/queues')).queues;
  await openAdmin('Channel accounts');
  await page.getByRole('button', { name: 'New account' }).click();
  const form = page.getByRole('form', { name: 'New channel account' });
  await form.getByLabel('Channel', { exact: true }).selectOption('web_chat');
  await form.getByLabel('Name', { exact: true }).fill('Website chat');
  await form.getByLabel('Sends conversations to').selectOption({ label: 'Billing TH' });
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('"Website chat" was created').waitFor();

  const [account] = (await get('/channel-accounts')).accounts;
  expect(account).toMatchObject({ kind: 'web_chat', name: 'Website chat', queueId: queue.id, active: true });
  const snippet = await page.getByLabel('Embed snippet').inputValue();
  expect(snippet).toBe(`<script src="${server.url}/widget/omnidesk-widget.js" data-account="${account.id}" async></script>`);
  expect(await page.getByLabel('Demo page').inputValue()).toBe(`${server.url}/widget/demo?account=${account.id}`);
  expect(await page.getByLabel('Sessions endpoint').inputValue()).toBe(`${server.url}/webhooks/web_chat/${account.id}/sessions`);

  await page.getByRole('button', { name: 'Copy Embed snippet' }).click();
  await page.getByRole('button', { name: 'Copied Embed snippet' }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(snippet);

  // Reading the account again (after a reload of the section) still shows its URLs, from the API.
  await openAdmin('Queues and skills');
  await openAdmin('Channel accounts');
  await page
    .getByRole('list', { name: 'Channel accounts' })
    .getByRole('button', { name: /Website chat/ })
    .click();
  expect(await page.getByLabel('Embed snippet').inputValue()).toBe(snippet);
  await page.screenshot({ path: path.join(SHOTS, 'admin-channel-account-en.png') });

  // The queue now feeds from this account: deleting it is refused with the API's reason, nothing removed.
  await openAdmin('Queues and skills');
  await page
    .getByRole('list', { name: 'Queues' })
    .getByRole('button', { name: /Billing TH/ })
    .click();
  await page.getByRole('button', { name: 'Delete queue' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('queue "Billing TH" is in use');
  expect((await get('/queues')).queues.map((q: { id: string }) => q.id)).toEqual([queue.id]);
});

test('canned responses: create with a placeholder, find by search, change, and delete', async () => {
  await openAdmin('Canned responses');
  await page.getByRole('button', { name: 'New response' }).click();
  let form = page.getByRole('form', { name: 'New canned response' });
  await form.getByLabel('Title').fill('Greeting');
  await form.getByLabel('Shortcut').fill('hello');
  await form.getByLabel('Language').selectOption('en');
  await form.getByLabel('Text').fill('Hello ');
  await form.getByRole('button', { name: '{{customer.firstName}}' }).click();
  await form.getByLabel('Text').press('End');
  await form.getByLabel('Text').pressSequentially(', how can I help?');
  expect(await form.getByLabel('Text').inputValue()).toBe('Hello {{customer.firstName}}, how can I help?');
  await form.getByText('Hello Jane, how can I help?').waitFor(); // the preview with sample data
  await form.getByRole('button', { name: 'Create response' }).click();
  await page.getByText('"Greeting" was created').waitFor();

  let [stored] = (await get('/canned-responses')).cannedResponses;
  expect(stored).toMatchObject({
    title: 'Greeting',
    shortcut: 'hello',
    locale: 'en',
    body: 'Hello {{customer.firstName}}, how can I help?',
  });

  // A second one with the same shortcut is refused and not stored.
  await page.getByRole('button', { name: 'New response' }).click();
  form = page.getByRole('form', { name: 'New canned response' });
  await form.getByLabel('Title').fill('Another greeting');
  await form.getByLabel('Shortcut').fill('hello');
  await form.getByLabel('Text').fill('Hi!');
  await form.getByRole('button', { name: 'Create response' }).click();
  await expect.poll(() => form.getByRole('alert').textContent()).toContain('/hello');
  expect((await get('/canned-responses')).cannedResponses).toHaveLength(1);
  await form.getByLabel('Shortcut').fill('thanks');
  await form.getByLabel('Title').fill('Thanks');
  await form.getByLabel('Language').selectOption('th');
  await form.getByLabel('Text').fill('ขอบคุณค่ะ คุณ{{customer.name}}');
  await form.getByRole('button', { name: 'Create response' }).click();
  await page.getByText('"Thanks" was created').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'admin-canned-en.png') });

  const list = page.getByRole('list', { name: 'Canned responses' });
  await page.getByLabel('Search shortcut, title or text').fill('ขอบคุณ');
  await expect.poll(() => list.getByRole('button').count()).toBe(1);
  await page.getByLabel('Search shortcut, title or text').fill('');
  await list.getByRole('button', { name: /Greeting/ }).click();
  form = page.getByRole('form', { name: 'Edit Greeting' });
  await form.getByLabel('Title').fill('Warm greeting');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('"Warm greeting" was saved').waitFor();
  stored = (await get('/canned-responses')).cannedResponses.find((c: { id: string }) => c.id === stored.id);
  expect(stored.title).toBe('Warm greeting');

  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByText('"Warm greeting" was deleted').waitFor();
  expect((await get('/canned-responses')).cannedResponses.map((c: { shortcut: string }) => c.shortcut)).toEqual(['thanks']);
});

test('the admin screens read in Thai, fit a tablet, and the queue screen is captured at 1280x800', async () => {
  await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'ไทย' }).click();
  await page.getByRole('button', { name: 'ผู้ดูแลระบบ', exact: true }).click();
  await page.getByRole('tab', { name: 'คิวและทักษะ' }).click();
  await page
    .getByRole('list', { name: 'คิว' })
    .getByRole('button', { name: /Billing TH/ })
    .click();
  const form = page.getByRole('form', { name: 'การตั้งค่าคิว Billing TH' });
  await form.getByRole('group', { name: 'เวลาทำการ', exact: true }).waitFor();
  expect(await form.getByLabel('วันเสาร์ เวลาปิด').inputValue()).toBe('14:00');
  await page.screenshot({ path: path.join(SHOTS, 'admin-queues-th.png') });

  await page.setViewportSize({ width: 820, height: 1180 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBe(0);
  await page.screenshot({ path: path.join(SHOTS, 'admin-queues-tablet-th.png') });

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('group', { name: 'ภาษา' }).getByRole('button', { name: 'EN' }).click();
  await page.getByRole('tab', { name: 'Queues and skills' }).waitFor();
  // The shot starts at the business hours, the heart of a queue's set-up, below the list of queues.
  await page.getByRole('group', { name: 'Business hours', exact: true }).evaluate((section) => {
    section.scrollIntoView({ block: 'start' });
    section.closest('.admin-detail')?.scrollBy(0, -16);
  });
  await page.screenshot({ path: DOCS_SHOT });
});
