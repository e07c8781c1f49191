// Campaigns on the channels campaigns.test.ts (SMS) does not drive, with real parts on both engines.
// LINE (a local fake of LINE's API; webhooks signed with the channel secret's HMAC): follow records the
// opt-in and unfollow the opt-out, so of a segment only the customers who follow the account get the
// push, once each, and an answer comes back into the campaign's conversation. Email (Dovecot for the
// mailbox, a local SMTP server as the relay): only the customer who opted in by email gets the mail,
// with the campaign's subject and their name.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { Customer, Message } from '../server/domain/types.js';
import { createChannelAccount, deliveredMessage, postWebhook } from './support/channel-traffic.js';
import { ENGINES, startTestServer, type TestServer } from './support/harness.js';
import { startDovecot, type Dovecot } from './support/dovecot.js';
import { FakeLine } from './support/fake-line.js';
import { lineEnvelope, lineEvent, lineHeaders, lineTextEvent, lineUserId } from './support/line-webhook.js';
import { startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const SUPPORT = 'support@example.com';
const hex = (n: number) => randomBytes(n).toString('hex');
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 10_000);

describe.each(ENGINES)('campaigns by LINE and email on %s', (engine) => {
  let server: TestServer;
  let line: FakeLine;
  let dovecot: Dovecot;
  let smtp: SmtpReceiver;
  let admin: string;
  let lineId: string;
  let lineSecret: string;
  let emailId: string;

  const request = (method: string, url: string, body?: unknown) => server.api.request(method, `/api/v1${url}`, { token: admin, body });

  /** Posts LINE webhook events signed with the channel secret over the exact bytes. */
  const postLine = (...events: object[]) => {
    const raw = lineEnvelope(...events);
    return postWebhook(`${server.url}/webhooks/line/${lineId}`, raw, lineHeaders(raw, lineSecret));
  };
  const linePost = async (...events: object[]) => expect((await postLine(...events)).status).toBe(200);
  function lineText(userId: string, text: string): Promise<Message> {
    const e = lineTextEvent(userId, text, line.replyToken());
    return deliveredMessage(server, e.message!.id, () => postLine(e));
  }
  const customerOfLine = async (userId: string) =>
    (await server.store.customers.findByIdentity({ kind: 'line', scope: '1657000003', value: userId }))!;

  async function taggedSegment(customerIds: string[]): Promise<string> {
    const tag = `promo-${hex(3)}`;
    for (const id of customerIds) expect((await request('PATCH', `/customers/${id}`, { tags: [tag] })).status).toBe(200);
    const created = await request('POST', '/segments', {
      name: `Tagged ${tag}`,
      rules: { all: [{ field: 'tag', op: 'has', value: tag }] },
    });
    expect(created.status).toBe(201);
    return created.body.segment.id as string;
  }

  async function runCampaign(body: Record<string, unknown>) {
    const created = await request('POST', '/campaigns', { ratePerMinute: 6000, ...body });
    expect(created.status).toBe(201);
    const id = created.body.campaign.id as string;
    expect((await request('POST', `/campaigns/${id}/schedule`)).body.campaign.status).toBe('running');
    const done = await eventually(
      () => request('GET', `/campaigns/${id}`),
      (r) => r.body.campaign.status === 'done',
      'the campaign done',
    );
    return { id, stats: done.body.campaign.stats };
  }

  beforeAll(async () => {
    [line, dovecot, smtp] = await Promise.all([FakeLine.start(), startDovecot(), startSmtpReceiver()]);
    lineSecret = hex(16);
    server = await startTestServer(
      engine,
      { PUBLIC_URL, CLUSTER_NAME: `campaign-channels-${process.pid}` },
      {
        outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 30 },
        campaigns: { pollMs: 20 },
        email: { backoffBaseMs: 50, backoffMaxMs: 400 },
      },
    );
    admin = await server.api.login();
    lineId = await createChannelAccount(server.api, admin, {
      kind: 'line',
      name: 'LINE ร้านค้า',
      settings: { channelId: '1657000003', apiBaseUrl: line.url, dataApiBaseUrl: line.url },
      credentials: { channelSecret: lineSecret, channelAccessToken: line.token() },
    });
    emailId = await createChannelAccount(server.api, admin, dovecot.channelAccount(SUPPORT, smtp));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([line?.close(), dovecot?.close(), smtp?.close()]);
  });

  test('LINE: followers get the push once each; an unfollow or no follow is skipped; the answer comes back', async () => {
    const [follower, blocked, chatted] = [lineUserId(), lineUserId(), lineUserId()];
    line.profiles.set(follower, { displayName: 'มานี มีนา', language: 'th' });
    await linePost(lineEvent(follower, 'follow', { replyToken: line.replyToken() }));
    await linePost(lineEvent(blocked, 'follow', { replyToken: line.replyToken() }));
    await linePost(lineEvent(blocked, 'unfollow'));
    await lineText(chatted, 'สอบถามหน่อยค่ะ'); // wrote, never followed: no consent recorded
    const [a, b, c] = (await Promise.all([follower, blocked, chatted].map(customerOfLine))) as [Customer, Customer, Customer];
    expect((await request('GET', `/customers/${a.id}`)).body.customer.consents).toEqual([
      expect.objectContaining({ channel: 'line', status: 'opted_in', source: 'line follow' }),
    ]);
    expect((await request('PATCH', `/customers/${a.id}`, { name: 'มานี มีนา' })).status).toBe(200);
    const segmentId = await taggedSegment([a.id, b.id, c.id]);

    const pushesBefore = line.requests.length;
    const { id, stats } = await runCampaign({
      name: 'โปรวันเกิด',
      segmentId,
      channelAccountId: lineId,
      template: 'สวัสดีคุณ{{customer.firstName}} รับส่วนลด 10% เดือนนี้',
    });
    expect(stats).toMatchObject({ targeted: 3, sent: 1, skipped: { opted_out: 1, no_consent: 1 }, failed: 0 });
    const pushes = await eventually(
      async () => line.requests.slice(pushesBefore).filter((r) => r.method === 'POST' && r.path === '/v2/bot/message/push'),
      (p) => p.length >= 1,
      'the push at LINE',
    );
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.body).toMatchObject({ to: follower, messages: [{ type: 'text', text: 'สวัสดีคุณมานี รับส่วนลด 10% เดือนนี้' }] });
    expect(pushes[0]!.headers['x-line-retry-key']).toMatch(/^[0-9a-f-]{36}$/);

    // The answer lands in the campaign's conversation and counts as a reply.
    const [send] = (await request('GET', `/campaigns/${id}/recipients?status=sent`)).body.recipients as { conversationId: string }[];
    const answer = await lineText(follower, 'สนใจค่ะ');
    expect(answer.conversationId).toBe(send!.conversationId);
    await eventually(
      () => request('GET', `/campaigns/${id}`),
      (r) => r.body.campaign.stats.replied === 1,
      'the reply counted',
    );
  });

  test('email: only the customer who opted in by email gets the mail, with the subject and their name', async () => {
    const stamp = hex(3);
    const csv = `name,email\nSomchai Jaidee,somchai.${stamp}@example.net\nNo Consent,nobody.${stamp}@example.net\n`;
    const imported = await server.api.request('POST', '/api/v1/customers/import', {
      token: admin,
      raw: csv,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(imported.status).toBe(201);
    const [somchai, silent] = imported.body.customerIds as [string, string];
    expect((await request('PUT', `/customers/${somchai}/consents/email`, { status: 'opted_in', source: 'newsletter box' })).status).toBe(
      200,
    );
    const segmentId = await taggedSegment([somchai, silent]);

    const bad = await request('POST', '/campaigns', { name: 'Broken', channelAccountId: emailId, template: 'Hi', subject: 'Hi {{#if}}' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^body\.subject: is not a valid template/);

    // The preview shows the subject and the message for one customer of the segment.
    const preview = await request('POST', '/campaigns/preview', {
      template: 'Dear {{customer.name}}, your air conditioner is due for its yearly service.',
      subject: 'Your service is due, {{customer.firstName}}',
      channelAccountId: emailId,
      segmentId,
      customerId: somchai,
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      subject: 'Your service is due, Somchai',
      text: 'Dear Somchai Jaidee, your air conditioner is due for its yearly service.',
      audience: 2,
    });
    expect((await request('POST', '/campaigns/preview', { template: 'Hi', subject: '{{#if}}', channelAccountId: emailId })).status).toBe(
      400,
    );

    const mailsBefore = smtp.messages.length;
    const { stats } = await runCampaign({
      name: 'Service reminder',
      segmentId,
      channelAccountId: emailId,
      subject: 'Your service is due, {{customer.firstName}}',
      template: 'Dear {{customer.name}}, your air conditioner is due for its yearly service.',
    });
    expect(stats).toMatchObject({ targeted: 2, sent: 1, skipped: { no_consent: 1 }, failed: 0 });
    const mails = await eventually(
      async () => smtp.messages.slice(mailsBefore),
      (m) => m.length >= 1,
      'the mail at the relay',
    );
    expect(mails.map((m) => m.to)).toEqual([[`somchai.${stamp}@example.net`]]);
    const parsed = await simpleParser(mails[0]!.raw);
    // The subject is the campaign's, for this customer, with the conversation's reference (so a reply threads)
    // and no "Re:": this mail starts the conversation.
    expect(parsed.subject).toMatch(/^Your service is due, Somchai \[OD-[0-9A-Z]{10}\]$/);
    expect(parsed.text).toContain('Dear Somchai Jaidee, your air conditioner is due for its yearly service.');
    expect(parsed.from?.value[0]?.address).toBe(SUPPORT);
  });
});
