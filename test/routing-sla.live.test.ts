// SLA clocks on a real server, both engines, with a controllable clock: due times stored when a
// conversation queues (business hours aware), warning then breach reported as the clock advances
// (conversations.sla_status, routing events, `sla:changed` to supervisors), a first reply stopping
// the first-response clock, resolution stopping the rest, and a status that survives a restart.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../server/logger.js';
import type { SlaChangedEvent } from '../server/realtime/contract.js';
import { startServer } from '../server/server.js';
import {
  Api,
  ENGINES,
  connect,
  freshDatabase,
  nextEvent,
  startTestServer,
  testConfig,
  type ClientSocket,
  type TestServer,
} from './support/harness.js';
import { until } from './support/until.js';

// Monday 2026-01-05, 17:30 in Bangkok: half an hour before closing. Open weekdays 09:00-18:00.
const T0 = Date.UTC(2026, 0, 5, 10, 30);
const weekdays = [[], ...Array.from({ length: 5 }, () => [{ from: '09:00', to: '18:00' }]), []];
const QUEUE = {
  channels: ['web_chat'],
  businessHours: { timeZone: 'Asia/Bangkok', week: weekdays, holidays: [] },
  sla: { '0': { firstResponseMs: 3_600_000, resolutionMs: 4 * 3_600_000 } },
};
// 1 h of business time: 30 min on Monday, 30 on Tuesday → Tuesday 09:30 Bangkok; 4 h → Tuesday 12:30.
const FIRST_DUE = Date.UTC(2026, 0, 6, 2, 30);
const RESOLUTION_DUE = Date.UTC(2026, 0, 6, 5, 30);
// Warnings come when 80 % of the target has passed: 12 and 48 minutes before due.
const FIRST_WARN = FIRST_DUE - 12 * 60_000;
const RESOLUTION_WARN = RESOLUTION_DUE - 48 * 60_000;

// Tokens must outlive the day the clock jumps over.
const LONG_TOKENS = { TOKEN_TTL_HOURS: '96' };

async function visitorWrites(url: string, api: Api, accountId: string, text: string): Promise<string> {
  const visitor = await api.visitorSession(accountId);
  const socket = await connect(url, { visitorToken: visitor.token });
  const ack = await socket.emitWithAck('visitor:send', { clientMessageId: 'sla-1', text });
  socket.close();
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.message.id;
}

const slaEvent = (socket: ClientSocket, conversationId: string, which: SlaChangedEvent['which'], status: SlaChangedEvent['status']) =>
  nextEvent(socket, 'sla:changed', (e) => e.conversation.id === conversationId && e.which === which && e.status === status).then(
    ([e]) => e,
  );

describe.each(ENGINES)('SLA clocks on %s', (engine) => {
  let server: TestServer;
  let clock = T0;
  let admin: string;
  let watcher: ClientSocket;
  let accountId: string;

  const post = (path: string, body: unknown) => server.api.request('POST', `/api/v1${path}`, { token: admin, body });
  const slaEventsOf = async (conversationId: string) =>
    (await server.store.routingEvents.listSince(T0))
      .filter((e) => e.conversationId === conversationId && e.type.startsWith('sla_'))
      .map((e) => `${e.type}:${String(e.data.which)}`);

  async function queued(text: string) {
    const messageId = await visitorWrites(server.url, server.api, accountId, text);
    const conversationId = (await server.store.messages.findById(messageId))!.conversationId;
    return (await until(
      () => server.store.conversations.findById(conversationId),
      (c) => c?.resolutionDueAt != null,
      'due times',
    ))!;
  }

  beforeAll(async () => {
    server = await startTestServer(engine, LONG_TOKENS, { now: () => clock, routing: { tickMs: 10 } });
    admin = await server.api.login();
    const queue = await post('/queues', { name: 'Support', ...QUEUE });
    expect(queue.status).toBe(201);
    const account = await post('/channel-accounts', { kind: 'web_chat', name: 'Site', queueId: queue.body.queue.id });
    accountId = account.body.account.id;
    const supervisor = await server.api.userWithRole(admin, 'supervisor', 'Supervisor Ying');
    watcher = await connect(server.url, { token: supervisor.token });
  });
  afterAll(async () => {
    watcher.close();
    await server.stop();
  });

  test('warning then breach as the clock runs; a first reply stops its clock; resolution stops the rest', async () => {
    const late = await queued('is anyone there?');
    const answered = await queued('hello, a question');
    expect(late).toMatchObject({ firstResponseDueAt: FIRST_DUE, resolutionDueAt: RESOLUTION_DUE, slaStatus: 'ok' });
    const detail = await server.api.request('GET', `/api/v1/conversations/${late.id}`, { token: admin });
    expect(detail.body.conversation).toMatchObject({ firstResponseDueAt: FIRST_DUE, resolutionDueAt: RESOLUTION_DUE });

    // An agent's reply is the first response (a supervisor may answer any conversation).
    expect((await post(`/conversations/${answered.id}/messages`, { text: 'Hi! How can we help?' })).status).toBe(201);

    const warned = slaEvent(watcher, late.id, 'first_response', 'warning');
    clock = FIRST_WARN;
    expect((await warned).conversation).toMatchObject({ id: late.id, slaStatus: 'warning' });
    expect((await server.store.conversations.findById(late.id))?.slaStatus).toBe('warning');

    const breached = slaEvent(watcher, late.id, 'first_response', 'breached');
    clock = FIRST_DUE;
    expect((await breached).conversation.slaStatus).toBe('breached');

    // The answered one skipped both first-response steps; its resolution clock still runs.
    const lateResolution = slaEvent(watcher, late.id, 'resolution', 'warning');
    const answeredResolution = slaEvent(watcher, answered.id, 'resolution', 'warning');
    clock = RESOLUTION_WARN;
    expect((await answeredResolution).conversation.slaStatus).toBe('warning');
    // The late one stays breached overall: its breached first response is still unanswered.
    expect((await lateResolution).conversation.slaStatus).toBe('breached');
    expect(await slaEventsOf(answered.id)).toEqual(['sla_warning:resolution']);
    expect(await slaEventsOf(late.id)).toEqual(['sla_warning:first_response', 'sla_breached:first_response', 'sla_warning:resolution']);

    // Resolving stops the late one's clocks; the answered one still breaches on time.
    expect((await post(`/conversations/${late.id}/status`, { status: 'resolved' })).status).toBe(200);
    const answeredBreach = slaEvent(watcher, answered.id, 'resolution', 'breached');
    clock = RESOLUTION_DUE;
    await answeredBreach;
    expect(await slaEventsOf(late.id)).toHaveLength(3);
    expect(await slaEventsOf(answered.id)).toEqual(['sla_warning:resolution', 'sla_breached:resolution']);
  });
});

test.each(ENGINES)('on %s, SLA status survives a restart and the clock resumes from the stored due time', async (engine) => {
  const db = await freshDatabase(engine);
  let clock = T0;
  const config = testConfig(db, LONG_TOKENS);
  const log = createLogger('silent');
  const start = () => startServer(config, log, { now: () => clock, routing: { tickMs: 10 }, schema: db.schema });
  let server = await start();
  try {
    const api = new Api(server.url);
    const admin = await api.login();
    const queue = await api.request('POST', '/api/v1/queues', { token: admin, body: { name: 'Support', ...QUEUE } });
    const account = await api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: { kind: 'web_chat', name: 'Site', queueId: queue.body.queue.id },
    });
    const supervisor = await api.userWithRole(admin, 'supervisor', 'Supervisor Chai');
    const messageId = await visitorWrites(server.url, api, account.body.account.id, 'hello?');
    const conversationId = (await server.store.messages.findById(messageId))!.conversationId;
    await until(
      () => server.store.conversations.findById(conversationId),
      (c) => c?.firstResponseDueAt === FIRST_DUE,
      'due times',
    );
    let watcher = await connect(server.url, { token: supervisor.token });
    const warned = slaEvent(watcher, conversationId, 'first_response', 'warning');
    clock = FIRST_WARN;
    await warned;
    watcher.close();
    await server.close();

    clock = FIRST_WARN + 60_000;
    server = await start();
    expect(await server.store.conversations.findById(conversationId)).toMatchObject({
      slaStatus: 'warning',
      firstResponseDueAt: FIRST_DUE,
    });
    watcher = await connect(server.url, { token: supervisor.token });
    const breached = slaEvent(watcher, conversationId, 'first_response', 'breached');
    clock = FIRST_DUE;
    expect((await breached).conversation.slaStatus).toBe('breached');
    watcher.close();
    // Warned once (not again after the restart), breached once.
    const events = (await server.store.routingEvents.listSince(T0)).filter((e) => e.type.startsWith('sla_'));
    expect(events.map((e) => `${e.type}:${String(e.data.which)}`)).toEqual(['sla_warning:first_response', 'sla_breached:first_response']);
  } finally {
    await server.close();
    await db.drop();
  }
});
