// Satisfaction surveys (CSAT) with real parts, on both engines: after an agent resolves a conversation
// the customer is asked on the same channel. Web chat: the survey arrives on the visitor's socket with
// score buttons and the visitor answers with `visitor:csat`. SMS (a local fake of Twilio): "Reply 1-5",
// and a reply that is just "5" is the score; it stays in the resolved conversation instead of reopening
// it. Email (Dovecot and a local SMTP server): a signed link to a page with five buttons. Scores show
// on the conversation, the agent and the customer.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { Message } from '../server/domain/types.js';
import type { VisitorMessage } from '../server/realtime/contract.js';
import { createChannelAccount } from './support/channel-traffic.js';
import { smsNumber, type SmsNumber } from './support/crm-scenario.js';
import { ENGINES, connect, nextDomainEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { startDovecot, type Dovecot } from './support/dovecot.js';
import { startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6620001111';
const SUPPORT = 'support@example.com';
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 10_000);
const hex = (n: number) => randomBytes(n).toString('hex');

describe.each(ENGINES)('CSAT on %s', (engine) => {
  let server: TestServer;
  let fake: FakeTwilio;
  let dovecot: Dovecot;
  let smtp: SmtpReceiver;
  let admin: string;
  let agent: { id: string; token: string };
  let number: SmsNumber;
  let webChatId: string;
  let emailId: string;

  const request = (method: string, url: string, body?: unknown, token = admin) =>
    server.api.request(method, `/api/v1${url}`, { token, body });
  const csatOn = (accountId: string) => request('PUT', `/csat/settings/${accountId}`, { enabled: true, replyWindowHours: 24 });

  /** Assigns the conversation to the agent, who resolves it; resolves with the survey message. */
  async function resolveByAgent(conversationId: string): Promise<Message> {
    expect((await request('POST', `/conversations/${conversationId}/assign`, { assigneeId: agent.id })).status).toBe(200);
    const survey = nextDomainEvent(server, 'message.created', (e) => e.message.conversationId === conversationId && !!e.message.meta?.csat);
    expect((await request('POST', `/conversations/${conversationId}/status`, { status: 'resolved' }, agent.token)).status).toBe(200);
    return (await survey).message;
  }

  const sms = (from: string, body: string): Promise<Message> => number.arrives(server, from, body);

  beforeAll(async () => {
    [fake, dovecot, smtp] = await Promise.all([FakeTwilio.start(), startDovecot(), startSmtpReceiver()]);
    server = await startTestServer(
      engine,
      { PUBLIC_URL, CLUSTER_NAME: `csat-test-${process.pid}` },
      { outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 30 }, email: { backoffBaseMs: 50, backoffMaxMs: 400 } },
    );
    admin = await server.api.login();
    agent = await server.api.userWithRole(admin, 'agent', `CSAT Agent ${engine}`);
    webChatId = await server.api.webChatAccount(admin);
    number = await smsNumber(server.api, admin, fake, { name: 'SMS', phoneNumber: OUR_NUMBER, publicUrl: PUBLIC_URL });
    emailId = await createChannelAccount(server.api, admin, dovecot.channelAccount(SUPPORT, smtp));
    for (const id of [webChatId, number.accountId, emailId]) expect((await csatOn(id)).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([fake?.close(), dovecot?.close(), smtp?.close()]);
  });

  test('web chat: the visitor rates the resolved chat with a button; the score is on the conversation, agent and customer', async () => {
    const session = await server.api.visitorSession(webChatId, { name: 'Pim', locale: 'th' });
    const visitor: ClientSocket = await connect(server.url, { visitorToken: session.token });
    const pushed: VisitorMessage[] = [];
    visitor.on('visitor:message', (m, ack) => {
      pushed.push(m);
      ack(true);
    });
    const sent = await visitor.emitWithAck('visitor:send', { clientMessageId: 'c1', text: 'สั่งของไปแล้วยังไม่ได้รับค่ะ' });
    if (!sent.ok) throw new Error(sent.error.message);
    const conversationId = (await server.store.messages.findById(sent.message.id))!.conversationId;
    const survey = await resolveByAgent(conversationId);
    expect(survey).toMatchObject({ direction: 'outbound', senderType: 'system', text: 'คุณพอใจกับการให้บริการครั้งนี้แค่ไหน' });
    const shown = await eventually(
      async () => pushed.find((m) => m.id === survey.id),
      (m) => m !== undefined,
      'the survey in the widget',
    );
    expect(shown!.csat).toEqual({ score: null });

    // Out of range, or another visitor's survey: refused; then the real answer, once.
    const wrong = await visitor.emitWithAck('visitor:csat', { messageId: survey.id, score: 7 });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const stranger = await connect(server.url, { visitorToken: (await server.api.visitorSession(webChatId)).token });
    expect(await stranger.emitWithAck('visitor:csat', { messageId: survey.id, score: 1 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    stranger.close();
    expect(await visitor.emitWithAck('visitor:csat', { messageId: survey.id, score: 4 })).toEqual({ ok: true, score: 4 });
    expect(await visitor.emitWithAck('visitor:csat', { messageId: survey.id, score: 2 })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });

    const onConversation = await request('GET', `/conversations/${conversationId}/csat`);
    expect(onConversation.body.survey).toMatchObject({ score: 4, answeredVia: 'web_chat', agentId: agent.id, channelKind: 'web_chat' });
    const customerId = (await request('GET', `/conversations/${conversationId}`)).body.conversation.customerId;
    expect((await request('GET', `/customers/${customerId}/csat`)).body.csat).toMatchObject({ count: 1, average: 4 });
    // After a reload the widget shows the score it gave.
    const history = await visitor.emitWithAck('visitor:history', {});
    if (!history.ok) throw new Error(history.error.message);
    expect(history.messages.find((m) => m.id === survey.id)?.csat).toEqual({ score: 4 });
    // The conversation stays resolved.
    expect((await request('GET', `/conversations/${conversationId}`)).body.conversation.status).toBe('resolved');
    visitor.close();
  });

  test('SMS: "Reply 1-5"; a reply of "5" is the score and does not reopen the conversation; other replies do', async () => {
    const phone = `+6689${String(Math.floor(Math.random() * 9_000_000) + 1_000_000)}`;
    const first = await sms(phone, 'My order has not arrived');
    const survey = await resolveByAgent(first.conversationId);
    const atTwilio = await fake.next((r) => r.form.To === phone && String(r.form.Body).includes('Reply with a number'));
    expect(atTwilio.form.Body).toBe('How would you rate the help you got today? Reply with a number from 1 (poor) to 5 (excellent).');
    expect(survey.meta?.csat).toMatchObject({ mode: 'reply', score: null });

    const score = await sms(phone, ' 5 ');
    expect(score.conversationId).toBe(first.conversationId);
    const conversation = (await request('GET', `/conversations/${first.conversationId}`)).body;
    expect(conversation.conversation.status).toBe('resolved');
    const answered = (await request('GET', `/conversations/${first.conversationId}/csat`)).body.survey;
    expect(answered).toMatchObject({ score: 5, answeredVia: 'reply', answerMessageId: score.id, agentId: agent.id });
    expect(conversation.messages.find((m: Message) => m.id === survey.id).meta.csat.score).toBe(5);

    // The survey is answered: the next message is an ordinary one and reopens the conversation as usual.
    const later = await sms(phone, '3');
    expect(later.conversationId).toBe(first.conversationId);
    expect((await request('GET', `/conversations/${first.conversationId}`)).body.conversation.status).toBe('open');
    expect((await request('GET', `/conversations/${first.conversationId}/csat`)).body.survey.score).toBe(5);

    // The agent's own scores: the chat's 4 and this 5.
    const mine = await request('GET', `/users/${agent.id}/csat`, undefined, agent.token);
    expect(mine.body.csat).toMatchObject({ count: 2, average: 4.5 });
    const byAgent = await request('GET', '/csat/agents');
    expect(byAgent.body.agents).toContainEqual(expect.objectContaining({ agentId: agent.id, count: 2, average: 4.5 }));
    expect((await request('GET', `/users/${agent.id}/csat`, undefined, (await server.api.userWithRole(admin, 'agent')).token)).status).toBe(
      403,
    );
  });

  test('SMS: a customer who replied STOP is not surveyed', async () => {
    const phone = `+6688${String(Math.floor(Math.random() * 9_000_000) + 1_000_000)}`;
    const first = await sms(phone, 'Please stop the promotions');
    await sms(phone, 'STOP');
    expect((await request('POST', `/conversations/${first.conversationId}/status`, { status: 'resolved' })).status).toBe(200);
    // The survey is written by a handler of the resolve's event. Another customer resolved after it is
    // surveyed; by the time that survey exists, the STOP customer's handler (started first) has decided.
    const other = await sms(`+6689${String(Math.floor(Math.random() * 9_000_000) + 1_000_000)}`, 'ขอบคุณค่ะ');
    expect((await resolveByAgent(other.conversationId)).meta?.csat).toBeTruthy();
    expect((await request('GET', `/conversations/${first.conversationId}/csat`)).body.survey).toBeNull();
  });

  test('email: a signed link to a page with five buttons; the score comes back by POST', async () => {
    const from = `malee-${engine}-${hex(4)}@customer.example`;
    const messageId = `${hex(8)}@customer.example`;
    const created = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === messageId);
    await dovecot.append(
      SUPPORT,
      'INBOX',
      Buffer.from(
        [
          `From: Malee <${from}>`,
          `To: ${SUPPORT}`,
          'Subject: Invoice question',
          `Message-ID: <${messageId}>`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Where is my invoice?',
          '',
        ].join('\r\n'),
      ),
    );
    const first = (await created).message;
    const mailsBefore = smtp.messages.length;
    await resolveByAgent(first.conversationId);
    const mail = await eventually(
      async () => smtp.messages.slice(mailsBefore).find((m) => m.to.includes(from) && m.raw.toString().includes('/csat/')),
      (m) => m !== undefined,
      'the survey mail',
    );
    const parsed = await simpleParser(mail!.raw);
    const link = /https:\/\/desk\.example\.test(\/csat\/[\w.-]+)/.exec(parsed.text ?? '')![1]!;
    expect(parsed.text).toContain('Choose a score from 1 to 5 here:');

    const page = await fetch(`${server.url}${link}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('How would you rate the help you got?');
    expect(html.match(/name="score"/g)).toHaveLength(5);
    // A forged token is not found, and scores nothing.
    const forged = link.slice(0, -3) + (link.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await fetch(`${server.url}${forged}`, { method: 'POST', body: new URLSearchParams({ score: '1' }) })).status).toBe(404);

    const answer = await fetch(`${server.url}${link}`, { method: 'POST', body: new URLSearchParams({ score: '3' }) });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('You gave us 3 out of 5.');
    expect((await request('GET', `/conversations/${first.conversationId}/csat`)).body.survey).toMatchObject({
      score: 3,
      answeredVia: 'email_link',
    });
    // Opening the link again shows the answer; a second score is refused.
    expect(await (await fetch(`${server.url}${link}`)).text()).toContain('You gave us 3 out of 5.');
    expect((await fetch(`${server.url}${link}`, { method: 'POST', body: new URLSearchParams({ score: '5' }) })).status).toBe(409);
  });
});
