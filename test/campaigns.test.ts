// Outbound campaigns with real parts: the server on port 0 with a clock the test moves, SMS through a
// local fake of Twilio. A campaign to a segment reaches only the customers who opted in on SMS, each
// exactly once, at its rate (the recorded send times are a slot apart, also across a restart of the
// server on the same database); everyone else is skipped with the reason; each message is on the
// customer's timeline and their answer comes back into that conversation.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../db/connection.js';
import { createLogger } from '../server/logger.js';
import { startServer, type RunningServer, type StartOptions } from '../server/server.js';
import { smsCustomers, smsNumber, type SmsNumber } from './support/crm-scenario.js';
import { Api, ENGINES, freshDatabase, testConfig, type TestDatabase } from './support/harness.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6621234567';
const MINUTE = 60_000;
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 5_000);
const hex = (n: number) => randomBytes(n).toString('hex');

describe.each(ENGINES)('campaigns on %s', (engine) => {
  let fake: FakeTwilio;
  let db: TestDatabase;
  let raw: Database;
  let server: RunningServer;
  let api: Api;
  let admin: string;
  let number: SmsNumber;
  let webChatAccountId: string;
  let clock = Date.UTC(2026, 2, 2, 3, 0, 0);
  let phoneSeq = 0;

  const options: StartOptions = {
    now: () => clock,
    outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 30 },
    campaigns: { pollMs: 20 },
  };
  const start = async () => {
    const config = testConfig(db, { PUBLIC_URL, CLUSTER_NAME: `campaign-test-${process.pid}-${engine}` });
    server = await startServer(config, createLogger(config.logLevel), { ...options, schema: db.schema });
    api = new Api(server.url);
  };

  const newPhone = () => `+668${String(20_000_000 + Math.floor(Math.random() * 70_000_000) + ++phoneSeq).slice(0, 8)}`;

  /** An SMS from `from`, signed as Twilio signs it; resolves with the stored message. */
  const sms = (from: string, body: string) => number.arrives(server, from, body);

  const request = (method: string, url: string, body?: unknown) => api.request(method, `/api/v1${url}`, { token: admin, body });
  const consent = (customerId: string, channel: string, status: string, source: string) =>
    request('PUT', `/customers/${customerId}/consents/${channel}`, { status, source });
  const customerOf = async (conversationId: string) =>
    (await request('GET', `/conversations/${conversationId}`)).body.conversation.customerId;
  const tag = (customerId: string, tags: string[]) => request('PATCH', `/customers/${customerId}`, { tags });
  const sends = (campaignId: string) =>
    raw.knex('campaign_sends').where({ campaign_id: campaignId }).orderBy('sent_at') as Promise<Record<string, any>[]>;
  const sentTo = (phone: string) => fake.sends().filter((r) => r.form.To === phone);
  /** Waits for a trigger scan at or after `at` on the server's clock (its occasions are then written). */
  const scannedAt = (campaignId: string, at: number) =>
    eventually(
      () => raw.knex('campaigns').where({ id: campaignId }).first(),
      (c) => Number(c?.scanned_at) >= at,
      'a trigger scan',
    );

  /** A saved segment (the CRM's segments API): customers with this tag. */
  async function segment(tagName: string): Promise<string> {
    const created = await request('POST', '/segments', {
      name: `Tagged ${tagName}`,
      rules: { all: [{ field: 'tag', op: 'has', value: tagName }] },
    });
    expect(created.status).toBe(201);
    return created.body.segment.id as string;
  }

  /** A customer who wrote by SMS, with the conversation left open or resolved. */
  async function smsCustomer(resolved: boolean, phone = newPhone(), text = 'สวัสดีค่ะ') {
    const m = await sms(phone, text);
    if (resolved) expect((await request('POST', `/conversations/${m.conversationId}/status`, { status: 'resolved' })).status).toBe(200);
    return { phone, customerId: await customerOf(m.conversationId), conversationId: m.conversationId };
  }

  /** A customer who wrote by SMS (resolved), opted in on SMS from `source` and tagged `tagName`. */
  async function optedIn(tagName: string, source: string) {
    const [customer] = await smsCustomers(request, [{ phone: newPhone(), consent: 'opted_in', profile: { tags: [tagName] } }], {
      greeting: 'สวัสดีค่ะ',
      source,
      texts: (phone, text) => smsCustomer(true, phone, text),
    });
    return customer!;
  }

  beforeAll(async () => {
    fake = await FakeTwilio.start();
    db = await freshDatabase(engine);
    await start();
    raw = openDatabase(db.url, { schema: db.schema });
    admin = await api.login();
    number = await smsNumber(api, admin, fake, { name: 'SMS', phoneNumber: OUR_NUMBER, publicUrl: PUBLIC_URL });
    webChatAccountId = await api.webChatAccount(admin);
  });
  afterAll(async () => {
    await server?.close();
    await raw?.close();
    await db?.drop();
    await fake?.close();
  });

  test('only customers who opted in on SMS get it, each once, at the rate; the others are skipped with the reason', async () => {
    const open = await smsCustomer(false);
    const [in2, in3] = [await smsCustomer(true), await smsCustomer(true)];
    const silent = await smsCustomer(true); // no consent recorded
    const stopped = await smsCustomer(true); // opted in, then replied STOP
    const emailOnly = await smsCustomer(true); // opted in by email, not SMS
    const outsider = await smsCustomer(true); // opted in, not in the segment
    const visitor = await api.visitorSession(webChatAccountId, { name: 'Web Visitor' }); // opted in on SMS, no phone
    const visitorCustomer = (await raw.knex('web_chat_sessions').where({ id: visitor.sessionId }).first()).customer_id as string;

    const names = ['สมหญิง ใจดี', 'Anna Lee', 'Ken'];
    for (const [i, c] of [open, in2, in3].entries())
      expect((await request('PATCH', `/customers/${c.customerId}`, { name: names[i] })).status).toBe(200);
    for (const c of [open, in2, in3, stopped, outsider])
      expect((await consent(c.customerId, 'sms', 'opted_in', 'signup form')).status).toBe(200);
    expect((await consent(emailOnly.customerId, 'email', 'opted_in', 'newsletter box')).status).toBe(200);
    expect((await consent(visitorCustomer, 'sms', 'opted_in', 'told the agent')).status).toBe(200);
    clock += 1_000;
    await sms(stopped.phone, 'STOP');
    // The opt-out is recorded next to the opt-in it overrides: both sources and times are kept and shown.
    const stoppedConsent = (await request('GET', `/customers/${stopped.customerId}`)).body.customer.consents[0];
    expect(stoppedConsent).toMatchObject({
      status: 'opted_out',
      source: 'sms keyword STOP',
      optedInSource: 'signup form',
      optedInAt: clock - 1_000,
      optedOutSource: 'sms keyword STOP',
      optedOutAt: clock,
    });
    const spring = `spring-${hex(3)}`;
    for (const c of [open, in2, in3, silent, stopped, emailOnly]) expect((await tag(c.customerId, [spring])).status).toBe(200);
    expect((await tag(visitorCustomer, [spring])).status).toBe(200);
    const segmentId = await segment(spring);

    const template = 'สวัสดีคุณ {{customer.firstName}} ลด 20% ทั้งร้านถึงสิ้นเดือน{{#if customer.vip}} (VIP){{/if}}';
    const preview = await request('POST', '/campaigns/preview', {
      template,
      channelAccountId: number.accountId,
      segmentId,
      customerId: open.customerId,
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ text: 'สวัสดีคุณ สมหญิง ลด 20% ทั้งร้านถึงสิ้นเดือน', audience: 7, customer: { id: open.customerId } });
    const bad = await request('POST', '/campaigns', { name: 'Broken', channelAccountId: number.accountId, template: 'Hi {{#if}}' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^body\.template: is not a valid template/);

    const created = await request('POST', '/campaigns', {
      name: 'Spring sale',
      segmentId,
      channelAccountId: number.accountId,
      template,
      ratePerMinute: 2,
    });
    expect(created.status).toBe(201);
    const id = created.body.campaign.id as string;
    expect(created.body.campaign).toMatchObject({ status: 'draft', trigger: { kind: 'once' }, ratePerMinute: 2 });
    const started = await request('POST', `/campaigns/${id}/schedule`);
    expect(started.body.campaign.status).toBe('running');

    // The first slot is now; the rest wait 30 s each (2 a minute) on the server's clock.
    const first = await eventually(
      () => sends(id),
      (rows) => rows.filter((r) => r.status !== 'pending').length === 5,
      'the first send and the skips',
    );
    expect(first.filter((r) => r.status === 'sent')).toHaveLength(1);
    const t0 = clock;
    for (let i = 1; i <= 2; i++) {
      clock += MINUTE / 2;
      await eventually(
        () => sends(id),
        (rows) => rows.filter((r) => r.status === 'sent').length === i + 1,
        `send ${i + 1}`,
      );
    }
    const done = await eventually(
      () => request('GET', `/campaigns/${id}`),
      (r) => r.body.campaign.status === 'done',
      'the campaign done',
    );
    expect(done.body.campaign.stats).toEqual({
      targeted: 7,
      pending: 0,
      sent: 3,
      skipped: { no_consent: 2, opted_out: 1, no_identity: 1 },
      failed: 0,
      delivered: 0,
      replied: 0,
    });
    const rows = await sends(id);
    const sentAt = rows.filter((r) => r.status === 'sent').map((r) => Number(r.sent_at));
    expect(sentAt).toEqual([t0, t0 + MINUTE / 2, t0 + MINUTE]);
    const reasons = Object.fromEntries(rows.filter((r) => r.status === 'skipped').map((r) => [r.customer_id, r.skip_reason]));
    expect(reasons).toEqual({
      [silent.customerId]: 'no_consent',
      [emailOnly.customerId]: 'no_consent',
      [stopped.customerId]: 'opted_out',
      [visitorCustomer]: 'no_identity',
    });

    // Twilio got exactly one message for each customer who opted in, and nothing for anyone else.
    await eventually(
      async () => fake.sends().filter((r) => r.form.Body?.includes('ลด 20%')).length,
      (n) => n === 3,
      'three at Twilio',
    );
    for (const [i, c] of [open, in2, in3].entries()) {
      expect(sentTo(c.phone).map((r) => r.form.Body)).toEqual([`สวัสดีคุณ ${names[i]!.split(' ')[0]} ลด 20% ทั้งร้านถึงสิ้นเดือน`]);
    }
    for (const c of [silent, stopped, emailOnly, outsider]) expect(sentTo(c.phone)).toEqual([]);

    // On the timeline: in the open conversation, or a new one that waits for no agent until they answer.
    const inOpen = rows.find((r) => r.customer_id === open.customerId)!;
    expect(inOpen.conversation_id).toBe(open.conversationId);
    const fresh = rows.find((r) => r.customer_id === in2.customerId)!;
    expect(fresh.conversation_id).not.toBe(in2.conversationId);
    const conversation = (await request('GET', `/conversations/${fresh.conversation_id}`)).body;
    expect(conversation.conversation).toMatchObject({ status: 'resolved', assigneeId: null, subject: 'Spring sale' });
    expect(conversation.messages.at(-1)).toMatchObject({
      direction: 'outbound',
      senderType: 'system',
      meta: { campaign: { campaignId: id } },
    });
    const profile = (await request('GET', `/customers/${in2.customerId}`)).body;
    expect(profile.conversations.map((c: { id: string }) => c.id)).toContain(fresh.conversation_id);

    // The answer comes back into that conversation (reopened, so it reaches an agent) and counts as a reply.
    clock += 5_000;
    const answer = await sms(in2.phone, 'สนใจค่ะ ส่งรายละเอียดมาได้ไหม');
    expect(answer.conversationId).toBe(fresh.conversation_id);
    expect((await request('GET', `/conversations/${fresh.conversation_id}`)).body.conversation.status).toBe('open');
    expect((await request('GET', `/campaigns/${id}`)).body.campaign.stats.replied).toBe(1);
    const recipients = await request('GET', `/campaigns/${id}/recipients?status=skipped`);
    expect(recipients.body.recipients.map((r: { skipReason: string }) => r.skipReason).sort()).toEqual([
      'no_consent',
      'no_consent',
      'no_identity',
      'opted_out',
    ]);
  });

  test('a restart of the server mid-campaign sends the rest once each and keeps the pace', async () => {
    const tagName = `restart-${hex(3)}`;
    const people = [await optedIn(tagName, 'signup form'), await optedIn(tagName, 'signup form'), await optedIn(tagName, 'signup form')];
    const created = await request('POST', '/campaigns', {
      name: 'Restart',
      segmentId: await segment(tagName),
      channelAccountId: number.accountId,
      template: 'Hello {{customer.phone}}',
      ratePerMinute: 1,
    });
    const id = created.body.campaign.id as string;
    await request('POST', `/campaigns/${id}/schedule`);
    await eventually(
      () => sends(id),
      (rows) => rows.filter((r) => r.status === 'sent').length === 1,
      'the first send',
    );
    const t0 = clock;

    // A new server on the same database: the next slot is still a minute after the first send.
    await server.close();
    clock += 20_000;
    await start();
    admin = await api.login();
    await eventually(
      () => sends(id),
      (rows) => rows.length === 3,
      'the recipients, still there',
    );
    expect((await sends(id)).filter((r) => r.status === 'sent')).toHaveLength(1);
    clock = t0 + MINUTE;
    await eventually(
      () => sends(id),
      (rows) => rows.filter((r) => r.status === 'sent').length === 2,
      'the second send',
    );
    clock = t0 + 2 * MINUTE;
    await eventually(
      () => request('GET', `/campaigns/${id}`),
      (r) => r.body.campaign.status === 'done',
      'the campaign done',
    );
    const sentAt = (await sends(id)).map((r) => Number(r.sent_at));
    expect(sentAt).toEqual([t0, t0 + MINUTE, t0 + 2 * MINUTE]);
    await eventually(
      async () => people.map((c) => sentTo(c.phone).length),
      (n) => n.every((x) => x === 1),
      'one message each at Twilio',
    );
    const messages = await raw.knex('messages').whereIn(
      'id',
      (await sends(id)).map((r) => r.message_id),
    );
    expect(messages).toHaveLength(3);
  });

  test('pause holds the rest; a trigger fires for customers silent for N days, once per silence', async () => {
    const tagName = `quiet-${hex(3)}`;
    const quiet = await optedIn(tagName, 'signup form');
    const created = await request('POST', '/campaigns', {
      name: 'We miss you',
      segmentId: await segment(tagName),
      channelAccountId: number.accountId,
      template: 'We miss you! 10% off your next order.',
      trigger: { kind: 'silent_for_days', days: 30 },
      ratePerMinute: 60,
    });
    expect(created.status).toBe(201);
    const id = created.body.campaign.id as string;
    expect((await request('POST', `/campaigns/${id}/schedule`)).body.campaign.status).toBe('running');
    // Not silent long enough yet: nothing. A trigger scans every 5 minutes of the server's clock.
    clock += 10 * 86_400_000;
    await scannedAt(id, clock);
    expect(await sends(id)).toEqual([]);
    clock += 21 * 86_400_000;
    const fired = await eventually(
      () => sends(id),
      (rows) => rows.some((r) => r.status === 'sent'),
      'the win-back',
    );
    expect(fired).toHaveLength(1);
    expect(fired[0]!.occasion).toMatch(/^silent:\d+$/);
    // Later scans find the same silence taken: still one message.
    clock += 10 * MINUTE;
    await scannedAt(id, clock);
    expect(await sends(id)).toHaveLength(1);
    admin = await api.login(); // a month on, the morning's session has expired
    // A send is written with its outbox row; the outbox delivers it to Twilio a moment later.
    await eventually(
      async () => sentTo(quiet.phone).filter((r) => r.form.Body?.includes('We miss you')).length,
      (n) => n === 1,
      'the win-back at Twilio',
    );

    const paused = await request('POST', `/campaigns/${id}/pause`);
    expect(paused.body.campaign.status).toBe('paused');
    expect((await request('PATCH', `/campaigns/${id}`, { template: 'Come back soon' })).status).toBe(200);
    expect((await request('POST', `/campaigns/${id}/pause`)).status).toBe(409);
    expect((await request('POST', `/campaigns/${id}/end`)).body.campaign.status).toBe('done');
  });

  test('triggers: a reminder a set time after each purchase (once per order), a win-back when orders fall (once per window)', async () => {
    const DAY = 86_400_000;
    const tagName = `orders-${hex(3)}`;
    const [buyer, lapsed] = [await optedIn(tagName, 'checkout'), await optedIn(tagName, 'checkout')];
    const order = (customerId: string, orderedAt: number) =>
      raw.knex('orders').insert({
        id: `ord-${hex(6)}`,
        customer_id: customerId,
        source: 'test',
        external_id: hex(8),
        amount: 150_000,
        currency: 'THB',
        ordered_at: orderedAt,
        created_at: clock,
      });
    const segmentId = await segment(tagName);
    const make = async (name: string, trigger: unknown) => {
      const created = await request('POST', '/campaigns', {
        name,
        segmentId,
        channelAccountId: number.accountId,
        template: `${name}!`,
        trigger,
        ratePerMinute: 600,
      });
      expect(created.status).toBe(201);
      await request('POST', `/campaigns/${created.body.campaign.id}/schedule`);
      return created.body.campaign.id as string;
    };
    // Orders before the campaign: one long ago (its reminder date has passed: history), one whose reminder is tomorrow.
    await order(buyer.customerId, clock - 30 * DAY);
    await order(buyer.customerId, clock - 6 * DAY);
    // Three orders in the 30 days before the last 30, none since.
    for (const back of [40, 45, 50]) await order(lapsed.customerId, clock - back * DAY);
    const reminder = await make('Service reminder', { kind: 'after_purchase', delayHours: 7 * 24 });
    const winBack = await make('Win-back', { kind: 'activity_dropped', windowDays: 30, dropPercent: 50 });

    const won = await eventually(
      () => sends(winBack),
      (rows) => rows.some((r) => r.status === 'sent'),
      'the win-back',
    );
    expect(won.map((r) => r.customer_id)).toEqual([lapsed.customerId]);
    await scannedAt(reminder, clock); // both were made at this clock: the reminder's own scan has run too
    expect(await sends(reminder)).toEqual([]);

    clock += DAY + 5 * MINUTE;
    const first = await eventually(
      () => sends(reminder),
      (rows) => rows.some((r) => r.status === 'sent'),
      'the first reminder',
    );
    expect(first).toHaveLength(1);
    await order(buyer.customerId, clock);
    clock += 7 * DAY + 5 * MINUTE;
    const both = await eventually(
      () => sends(reminder),
      (rows) => rows.filter((r) => r.status === 'sent').length === 2,
      'the second reminder',
    );
    expect(new Set(both.map((r) => r.occasion)).size).toBe(2);
    expect(both.every((r) => r.customer_id === buyer.customerId && r.occasion.startsWith('order:'))).toBe(true);
    // Within 30 days of the last one: the win-back is not sent again.
    await scannedAt(winBack, clock);
    expect(await sends(winBack)).toHaveLength(1);
    await eventually(
      async () => sentTo(buyer.phone).filter((r) => r.form.Body === 'Service reminder!').length,
      (n) => n === 2,
      'two reminders at Twilio',
    );
    await eventually(
      async () => sentTo(lapsed.phone).filter((r) => r.form.Body === 'Win-back!').length,
      (n) => n === 1,
      'one win-back at Twilio',
    );
  });
});
