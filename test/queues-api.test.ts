// The queue and routing-profile admin API over real HTTP on both engines: CRUD, membership, agents'
// skills and capacity, channel accounts pointing at queues, role checks, strict validation naming the
// field, 409 for a queue in use, and no partial writes (row counts on an independent connection).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHANNEL_KINDS } from '../server/domain/types.js';
import { ENGINES, startTestServer, type ApiResponse, type ClientSocket, type TestServer } from './support/harness.js';
import { RowCounter } from './support/row-counts.js';
import { openConversation } from './support/scenario.js';

const HOURS = {
  timeZone: 'Asia/Bangkok',
  week: [
    [],
    [
      { from: '09:00', to: '12:00' },
      { from: '13:00', to: '18:00' },
    ],
    [],
    [],
    [],
    [{ from: '08:30', to: '24:00' }],
    [],
  ],
  holidays: ['2025-04-14'],
};

function expectError(res: ApiResponse, status: number, code: string): string {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error.message.length).toBeGreaterThan(0);
  return res.body.error.message as string;
}

describe.each(ENGINES)('queues API on %s', (engine) => {
  let server: TestServer;
  let counter: RowCounter;
  let admin: string;
  let supervisor: { id: string; token: string };
  let agent: { id: string; token: string };
  let otherAgent: { id: string; token: string };
  const sockets: ClientSocket[] = [];
  let n = 0;

  const api = (method: string, url: string, token: string | undefined, body?: unknown) =>
    server.api.request(method, `/api/v1${url}`, { token, body });

  async function createQueue(body: Record<string, unknown> = {}) {
    const res = await api('POST', '/queues', admin, { name: `Queue ${++n}`, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.queue as { id: string; name: string; [k: string]: unknown };
  }

  /** Runs `work` and proves that no table gained or lost a row. */
  async function withoutWrites(work: () => Promise<void>): Promise<void> {
    const before = await counter.counts();
    await work();
    expect(await counter.counts()).toEqual(before);
  }

  async function auditActions(targetId: string): Promise<string[]> {
    const rows = await counter.rows('audit_log');
    return rows
      .filter((r) => r.target_id === targetId)
      .sort((a, b) => String(a.id).localeCompare(String(b.id)))
      .map((r) => String(r.action));
  }

  beforeAll(async () => {
    server = await startTestServer(engine);
    counter = RowCounter.open(server);
    admin = await server.api.login();
    supervisor = await server.api.userWithRole(admin, 'supervisor');
    agent = await server.api.userWithRole(admin, 'agent');
    otherAgent = await server.api.userWithRole(admin, 'agent');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await counter?.close();
    await server?.stop();
  });

  describe('queues', () => {
    test('create with defaults, read as an agent, list', async () => {
      const res = await api('POST', '/queues', admin, { name: '  Sales  ' });
      expect(res.status).toBe(201);
      const queue = res.body.queue;
      expect(queue).toMatchObject({
        name: 'Sales',
        channels: [...CHANNEL_KINDS],
        requiredSkills: [],
        strategy: 'longest_idle',
        priority: 0,
        agingPerMinute: 0,
        offerTimeoutMs: 20_000,
        autoAccept: false,
        wrapUpMs: 30_000,
        maxMisses: 3,
        stickyMs: 0,
        overflow: null,
        businessHours: null,
        afterHours: { action: 'keep_queued' },
        sla: null,
        serviceLevelMs: 20_000,
        serviceLevelTarget: 0.8,
        memberIds: [],
      });
      expect((await api('GET', `/queues/${queue.id}`, agent.token)).body.queue).toEqual(queue);
      const list = await api('GET', '/queues', agent.token);
      expect(list.status).toBe(200);
      expect(list.body.queues).toContainEqual(queue);
      expect(await auditActions(queue.id)).toEqual(['queue.create']);
    });

    test('every setting round-trips; a time zone is stored in its canonical spelling', async () => {
      const target = await createQueue();
      const body = {
        name: 'Thai VIP',
        channels: ['voice', 'line', 'web_chat'],
        requiredSkills: [{ skill: 'thai', minLevel: 7 }],
        strategy: 'most_skilled',
        priority: 3,
        agingPerMinute: 0.5,
        offerTimeoutMs: 15_000,
        autoAccept: true,
        wrapUpMs: 60_000,
        maxMisses: 2,
        stickyMs: 86_400_000,
        overflow: { afterMs: 120_000, toQueueId: target.id },
        businessHours: { ...HOURS, timeZone: 'asia/bangkok' },
        afterHours: { action: 'auto_reply', message: { th: 'เราเปิดทำการ 9:00 น.', en: 'We open at 9:00.' } },
        sla: { '0': { firstResponseMs: 3_600_000, resolutionMs: 86_400_000 }, '3': { firstResponseMs: 60_000, resolutionMs: 3_600_000 } },
        serviceLevelMs: 30_000,
        serviceLevelTarget: 0.9,
      };
      const res = await api('POST', '/queues', admin, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.queue).toMatchObject({ ...body, businessHours: HOURS });
      expect((await api('GET', `/queues/${res.body.queue.id}`, supervisor.token)).body.queue).toEqual(res.body.queue);
    });

    test('PATCH changes only what it names and audits the field names', async () => {
      const queue = await createQueue({ priority: 1, requiredSkills: [{ skill: 'billing', minLevel: 2 }] });
      const res = await api('PATCH', `/queues/${queue.id}`, admin, { strategy: 'round_robin', businessHours: HOURS, sla: null });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.queue).toMatchObject({
        strategy: 'round_robin',
        businessHours: HOURS,
        priority: 1,
        requiredSkills: [{ skill: 'billing', minLevel: 2 }],
      });
      const cleared = await api('PATCH', `/queues/${queue.id}`, admin, { businessHours: null, name: 'Renamed queue' });
      expect(cleared.body.queue).toMatchObject({ businessHours: null, name: 'Renamed queue' });
      expect(await auditActions(queue.id)).toEqual(['queue.create', 'queue.update', 'queue.update']);
      const audit = (await counter.rows('audit_log')).filter((r) => r.target_id === queue.id && r.action === 'queue.update');
      expect(audit.map((r) => JSON.parse(String(r.data)).fields).sort()).toEqual([
        ['name', 'businessHours'],
        ['strategy', 'businessHours', 'sla'],
      ]);
    });

    test('unknown queues are 404', async () => {
      await withoutWrites(async () => {
        expectError(await api('GET', '/queues/0190a6c0-0000-7000-8000-000000000000', agent.token), 404, 'NOT_FOUND');
        expectError(await api('PATCH', '/queues/nope', admin, { priority: 2 }), 404, 'NOT_FOUND');
        expectError(await api('DELETE', '/queues/nope', admin), 404, 'NOT_FOUND');
        expectError(await api('PUT', '/queues/nope/members', admin, { userIds: [] }), 404, 'NOT_FOUND');
      });
    });

    test('a taken name is 409, on create and on rename, with nothing written', async () => {
      const first = await createQueue();
      const second = await createQueue();
      await withoutWrites(async () => {
        expect(expectError(await api('POST', '/queues', admin, { name: first.name }), 409, 'CONFLICT')).toContain(first.name);
        expectError(await api('PATCH', `/queues/${second.id}`, admin, { name: first.name, priority: 9 }), 409, 'CONFLICT');
      });
      expect((await api('GET', `/queues/${second.id}`, admin)).body.queue).toMatchObject({ name: second.name, priority: 0 });
      // Renaming a queue to its own name is no conflict.
      expect((await api('PATCH', `/queues/${first.id}`, admin, { name: first.name })).status).toBe(200);
    });

    test('members: set, replace, visible from the agent side; an unknown user is 400 and changes nothing', async () => {
      const queue = await createQueue();
      const res = await api('PUT', `/queues/${queue.id}/members`, admin, { userIds: [agent.id, otherAgent.id] });
      expect(res.status).toBe(200);
      expect(res.body.queue.memberIds).toEqual([agent.id, otherAgent.id].sort());
      expect((await api('GET', `/users/${agent.id}/routing`, agent.token)).body.routing.queueIds).toContain(queue.id);

      await withoutWrites(async () => {
        const bad = await api('PUT', `/queues/${queue.id}/members`, admin, { userIds: [agent.id, 'no-such-user'] });
        expect(expectError(bad, 400, 'VALIDATION')).toContain('body.userIds.1');
        expect(bad.body.error.details).toEqual([expect.objectContaining({ path: 'body.userIds.1' })]);
      });
      const replaced = await api('PUT', `/queues/${queue.id}/members`, admin, { userIds: [otherAgent.id] });
      expect(replaced.body.queue.memberIds).toEqual([otherAgent.id]);
      expect((await api('GET', `/queues/${queue.id}`, agent.token)).body.queue.memberIds).toEqual([otherAgent.id]);
      const audit = (await counter.rows('audit_log')).filter((r) => r.target_id === queue.id && r.action === 'queue.set_members');
      expect(audit.map((r) => JSON.parse(String(r.data))).sort((a, b) => b.added.length - a.added.length)).toEqual([
        { added: [agent.id, otherAgent.id].sort(), removed: [] },
        { added: [], removed: [agent.id] },
      ]);
    });

    test('DELETE is 409 while a channel account, an open conversation or an overflow rule uses the queue', async () => {
      const queue = await createQueue();
      const accountRes = await api('POST', '/channel-accounts', admin, { kind: 'web_chat', name: 'Queued site', queueId: queue.id });
      expect(accountRes.status).toBe(201);
      const accountId = accountRes.body.account.id as string;
      await withoutWrites(async () => {
        expect(expectError(await api('DELETE', `/queues/${queue.id}`, admin), 409, 'CONFLICT')).toContain(accountId);
      });
      expect((await api('PATCH', `/channel-accounts/${accountId}`, admin, { queueId: null })).body.account.queueId).toBeNull();

      // A conversation waiting in it (placed there directly: routing on arrival is the engine's job).
      const opened = await openConversation(server, accountId, 'is anyone there?');
      sockets.push(opened.socket);
      await server.store.conversations.touch(opened.conversationId, { queueId: queue.id, enqueuedAt: Date.now() }, Date.now());
      await withoutWrites(async () => {
        expect(expectError(await api('DELETE', `/queues/${queue.id}`, admin), 409, 'CONFLICT')).toMatch(/1 unresolved conversation/);
      });
      await server.store.conversations.touch(opened.conversationId, { status: 'resolved', resolvedAt: Date.now() }, Date.now());

      const overflowing = await createQueue({ overflow: { afterMs: 60_000, toQueueId: queue.id } });
      await withoutWrites(async () => {
        expect(expectError(await api('DELETE', `/queues/${queue.id}`, admin), 409, 'CONFLICT')).toContain(overflowing.id);
      });
      await api('PATCH', `/queues/${overflowing.id}`, admin, { overflow: null });

      await api('PUT', `/queues/${queue.id}/members`, admin, { userIds: [agent.id] });
      const deleted = await api('DELETE', `/queues/${queue.id}`, admin);
      expect(deleted.status).toBe(204);
      expectError(await api('GET', `/queues/${queue.id}`, admin), 404, 'NOT_FOUND');
      expect((await api('GET', `/users/${agent.id}/routing`, admin)).body.routing.queueIds).not.toContain(queue.id);
      expect(await auditActions(queue.id)).toEqual(['queue.create', 'queue.set_members', 'queue.delete']);
    });

    test('a queue cannot drop a channel that one of its channel accounts uses (409)', async () => {
      const queue = await createQueue({ channels: ['web_chat', 'email'] });
      await api('POST', '/channel-accounts', admin, { kind: 'web_chat', name: 'Site for channels test', queueId: queue.id });
      await withoutWrites(async () => {
        expectError(await api('PATCH', `/queues/${queue.id}`, admin, { channels: ['email'] }), 409, 'CONFLICT');
      });
      expect((await api('PATCH', `/queues/${queue.id}`, admin, { channels: ['web_chat'] })).status).toBe(200);
    });
  });

  describe('agent routing profiles', () => {
    test('a never-configured agent reads the defaults, and reading writes nothing', async () => {
      const fresh = await server.api.userWithRole(admin, 'agent');
      await withoutWrites(async () => {
        const res = await api('GET', `/users/${fresh.id}/routing`, fresh.token);
        expect(res.status).toBe(200);
        expect(res.body.routing).toEqual({
          userId: fresh.id,
          presence: 'offline',
          presenceReason: null,
          presenceSince: null,
          skills: {},
          capacity: { voice: 1, chat: 3, messaging: 5, email: 8 },
          queueIds: [],
          load: { voice: 0, chat: 0, messaging: 0, email: 0 },
          misses: 0,
        });
      });
    });

    test('admins set skills (replaced), capacity (merged) and queues (replaced); supervisors read them', async () => {
      const [sales, support] = [await createQueue(), await createQueue()];
      const res = await api('PATCH', `/users/${otherAgent.id}/routing`, admin, {
        skills: { thai: 8, english: 5, 'after-sales_2': 1 },
        capacity: { chat: 4, email: 0 },
        queueIds: [sales.id, support.id],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.routing).toMatchObject({
        userId: otherAgent.id,
        presence: 'offline',
        skills: { thai: 8, english: 5, 'after-sales_2': 1 },
        capacity: { voice: 1, chat: 4, messaging: 5, email: 0 },
        queueIds: [sales.id, support.id].sort(),
      });
      expect(typeof res.body.routing.presenceSince).toBe('number');

      const second = await api('PATCH', `/users/${otherAgent.id}/routing`, admin, {
        skills: { thai: 9 },
        capacity: { voice: 2 },
        queueIds: [support.id],
      });
      expect(second.body.routing).toMatchObject({
        skills: { thai: 9 },
        capacity: { voice: 2, chat: 4, messaging: 5, email: 0 },
        queueIds: [support.id],
      });
      expect((await api('GET', `/users/${otherAgent.id}/routing`, supervisor.token)).body.routing).toEqual(second.body.routing);
      expect((await api('GET', `/queues/${sales.id}`, admin)).body.queue.memberIds).not.toContain(otherAgent.id);

      const audit = (await counter.rows('audit_log')).filter((r) => r.target_id === otherAgent.id && r.action === 'agent_routing.update');
      expect(audit).toHaveLength(2);
      expect(JSON.parse(String(audit[0]!.data))).toEqual({ fields: ['skills', 'capacity', 'queueIds'] });
    });

    test('the profile shows what the agent holds right now', async () => {
      const worker = await server.api.userWithRole(admin, 'agent');
      const accountId = await server.api.webChatAccount(admin, 'Load site');
      const opened = await openConversation(server, accountId, 'help please');
      sockets.push(opened.socket);
      expect((await api('POST', `/conversations/${opened.conversationId}/assign`, admin, { assigneeId: worker.id })).status).toBe(200);
      expect((await api('GET', `/users/${worker.id}/routing`, worker.token)).body.routing.load).toEqual({
        voice: 0,
        chat: 1,
        messaging: 0,
        email: 0,
      });
    });

    test('unknown users are 404; unknown queues are 400 naming the entry; nothing is written', async () => {
      await withoutWrites(async () => {
        expectError(await api('GET', '/users/nope/routing', admin), 404, 'NOT_FOUND');
        expectError(await api('PATCH', '/users/nope/routing', admin, { skills: {} }), 404, 'NOT_FOUND');
        const bad = await api('PATCH', `/users/${agent.id}/routing`, admin, { skills: { thai: 3 }, queueIds: ['no-such-queue'] });
        expect(expectError(bad, 400, 'VALIDATION')).toContain('body.queueIds.0');
      });
    });
  });

  describe('channel accounts point at queues', () => {
    test('create and change queueId; an unknown queue or one not serving the kind is 400 with nothing written', async () => {
      const chatQueue = await createQueue({ channels: ['web_chat'] });
      const emailOnly = await createQueue({ channels: ['email'] });
      const created = await api('POST', '/channel-accounts', admin, { kind: 'web_chat', name: 'Shop', queueId: chatQueue.id });
      expect(created.status).toBe(201);
      expect(created.body.account.queueId).toBe(chatQueue.id);
      const id = created.body.account.id as string;
      expect((await api('GET', `/channel-accounts/${id}`, supervisor.token)).body.account.queueId).toBe(chatQueue.id);

      await withoutWrites(async () => {
        const unknown = await api('POST', '/channel-accounts', admin, { kind: 'web_chat', name: 'Shop 2', queueId: 'no-such-queue' });
        expect(expectError(unknown, 400, 'VALIDATION')).toContain('body.queueId');
        const wrongKind = await api('PATCH', `/channel-accounts/${id}`, admin, { queueId: emailOnly.id, name: 'Renamed' });
        expect(expectError(wrongKind, 400, 'VALIDATION')).toMatch(/does not serve web_chat/);
        expectError(await api('PATCH', `/channel-accounts/${id}`, admin, { queueId: 42 }), 400, 'VALIDATION');
      });
      expect((await api('GET', `/channel-accounts/${id}`, admin)).body.account).toMatchObject({ name: 'Shop', queueId: chatQueue.id });
      const audit = (await counter.rows('audit_log')).find((r) => r.target_id === id && r.action === 'channel_account.create');
      expect(JSON.parse(String(audit!.data))).toEqual({ kind: 'web_chat', queueId: chatQueue.id });
    });
  });

  describe('roles', () => {
    const endpoints: { method: string; url: () => string; body?: unknown; least: 'agent' | 'supervisor' | 'admin' | 'self' }[] = [
      { method: 'GET', url: () => '/queues', least: 'agent' },
      { method: 'POST', url: () => '/queues', body: { name: 'Forbidden queue' }, least: 'admin' },
      { method: 'GET', url: () => `/queues/${queueId}`, least: 'agent' },
      { method: 'PATCH', url: () => `/queues/${queueId}`, body: { priority: 7 }, least: 'admin' },
      { method: 'DELETE', url: () => `/queues/${queueId}`, least: 'admin' },
      { method: 'PUT', url: () => `/queues/${queueId}/members`, body: { userIds: [] }, least: 'admin' },
      { method: 'GET', url: () => `/users/${otherAgent.id}/routing`, least: 'supervisor' },
      { method: 'PATCH', url: () => `/users/${agent.id}/routing`, body: { skills: { thai: 10 } }, least: 'admin' },
    ];
    let queueId: string;
    beforeAll(async () => {
      queueId = (await createQueue()).id;
    });

    test.each(endpoints)('$method $least-only endpoint: 401 without a token', async ({ method, url, body }) => {
      await withoutWrites(async () => {
        expectError(await api(method, url(), undefined, body), 401, 'UNAUTHENTICATED');
      });
    });

    test.each(endpoints.filter((e) => e.least !== 'agent'))(
      '$method $least-only endpoint: 403 below that role',
      async ({ method, url, body, least }) => {
        const tokens = least === 'admin' ? [agent.token, supervisor.token] : [agent.token];
        await withoutWrites(async () => {
          for (const token of tokens) expectError(await api(method, url(), token, body), 403, 'FORBIDDEN');
        });
      },
    );

    test('an agent reads their own routing profile', async () => {
      expect((await api('GET', `/users/${agent.id}/routing`, agent.token)).status).toBe(200);
    });
  });

  describe('strict validation: 400 naming the field, nothing written', () => {
    const day = (intervals: unknown[]) => [[], intervals, [], [], [], [], []];
    const badQueues: [string, Record<string, unknown>, string][] = [
      ['empty name', { name: '   ' }, 'body.name'],
      ['unknown strategy', { strategy: 'random' }, 'body.strategy'],
      ['unknown channel', { channels: ['fax'] }, 'body.channels.0'],
      ['no channels', { channels: [] }, 'body.channels'],
      ['a channel twice', { channels: ['sms', 'sms'] }, 'body.channels.1'],
      ['a skill name with spaces', { requiredSkills: [{ skill: 'Thai language', minLevel: 3 }] }, 'body.requiredSkills.0.skill'],
      ['a skill level of 11', { requiredSkills: [{ skill: 'thai', minLevel: 11 }] }, 'body.requiredSkills.0.minLevel'],
      [
        'a skill required twice',
        {
          requiredSkills: [
            { skill: 'thai', minLevel: 1 },
            { skill: 'thai', minLevel: 2 },
          ],
        },
        'body.requiredSkills.1',
      ],
      ['a fractional priority', { priority: 1.5 }, 'body.priority'],
      ['a negative aging rate', { agingPerMinute: -1 }, 'body.agingPerMinute'],
      ['an offer timeout in seconds', { offerTimeoutMs: 20 }, 'body.offerTimeoutMs'],
      ['autoAccept as a string', { autoAccept: 'yes' }, 'body.autoAccept'],
      ['a service level target of 80', { serviceLevelTarget: 80 }, 'body.serviceLevelTarget'],
      ['an unknown time zone', { businessHours: { ...HOURS, timeZone: 'Mars/Olympus_Mons' } }, 'body.businessHours.timeZone'],
      ['six days', { businessHours: { ...HOURS, week: [[], [], [], [], [], []] } }, 'body.businessHours.week'],
      [
        'a time without a leading zero',
        { businessHours: { ...HOURS, week: day([{ from: '9:00', to: '17:00' }]) } },
        'body.businessHours.week.1.0.from',
      ],
      ['25 o’clock', { businessHours: { ...HOURS, week: day([{ from: '09:00', to: '25:00' }]) } }, 'body.businessHours.week.1.0.to'],
      [
        'an interval ending before it starts',
        { businessHours: { ...HOURS, week: day([{ from: '17:00', to: '09:00' }]) } },
        'body.businessHours.week.1.0.to',
      ],
      [
        'overlapping intervals',
        {
          businessHours: {
            ...HOURS,
            week: day([
              { from: '09:00', to: '13:00' },
              { from: '12:00', to: '18:00' },
            ]),
          },
        },
        'body.businessHours.week.1.1.from',
      ],
      ['an impossible holiday', { businessHours: { ...HOURS, holidays: ['2025-02-30'] } }, 'body.businessHours.holidays.0'],
      ['an extra business hours field', { businessHours: { ...HOURS, open247: true } }, 'body.businessHours'],
      ['an SLA band of 4', { sla: { '4': { firstResponseMs: 60_000, resolutionMs: 120_000 } } }, 'body.sla'],
      ['an empty SLA', { sla: {} }, 'body.sla'],
      ['an SLA target of 0', { sla: { '0': { firstResponseMs: 0, resolutionMs: 120_000 } } }, 'body.sla.0.firstResponseMs'],
      ['resolution before first response', { sla: { '1': { firstResponseMs: 120_000, resolutionMs: 60_000 } } }, 'body.sla.1.resolutionMs'],
      ['an auto-reply without text', { afterHours: { action: 'auto_reply', message: {} } }, 'body.afterHours.message'],
      ['an unknown after-hours action', { afterHours: { action: 'hang_up' } }, 'body.afterHours.action'],
      ['overflow without a wait', { overflow: { toQueueId: 'x' } }, 'body.overflow.afterMs'],
      ['overflow into an unknown queue', { overflow: { afterMs: 60_000, toQueueId: 'no-such-queue' } }, 'body.overflow.toQueueId'],
      ['an unknown field', { color: 'red' }, 'body'],
    ];

    test.each(badQueues)('POST /queues with %s → 400 at %s', async (_name, body, path) => {
      await withoutWrites(async () => {
        const res = await api('POST', '/queues', admin, { name: 'Valid name', ...body });
        expect(expectError(res, 400, 'VALIDATION')).toContain(`${path}:`);
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      });
    });

    test.each(badQueues.filter(([name]) => name !== 'empty name'))('PATCH /queues/:id with %s → 400 at %s', async (_name, body, path) => {
      const queue = await createQueue();
      await withoutWrites(async () => {
        const res = await api('PATCH', `/queues/${queue.id}`, admin, body);
        expect(expectError(res, 400, 'VALIDATION')).toContain(`${path}:`);
      });
    });

    test('PATCH /queues/:id may not overflow into itself, nor change its id', async () => {
      const queue = await createQueue();
      await withoutWrites(async () => {
        const self = await api('PATCH', `/queues/${queue.id}`, admin, { overflow: { afterMs: 60_000, toQueueId: queue.id } });
        expect(expectError(self, 400, 'VALIDATION')).toContain('body.overflow.toQueueId');
        expect(expectError(await api('PATCH', `/queues/${queue.id}`, admin, { id: 'mine' }), 400, 'VALIDATION')).toContain('id');
      });
    });

    const badProfiles: [string, Record<string, unknown>, string][] = [
      ['a skill name with capitals', { skills: { Thai: 3 } }, 'body.skills.Thai'],
      ['a skill level of 0', { skills: { thai: 0 } }, 'body.skills.thai'],
      ['a skill level as text', { skills: { thai: 'high' } }, 'body.skills.thai'],
      ['a capacity of 51', { capacity: { chat: 51 } }, 'body.capacity.chat'],
      ['a negative capacity', { capacity: { email: -1 } }, 'body.capacity.email'],
      ['an unknown capacity class', { capacity: { fax: 1 } }, 'body.capacity'],
      ['queueIds as a string', { queueIds: 'q1' }, 'body.queueIds'],
      ['presence (not an admin setting here)', { presence: 'available' }, 'body'],
    ];

    test.each(badProfiles)('PATCH /users/:id/routing with %s → 400 at %s', async (_name, body, path) => {
      await withoutWrites(async () => {
        const res = await api('PATCH', `/users/${agent.id}/routing`, admin, body);
        expect(expectError(res, 400, 'VALIDATION')).toContain(`${path}:`);
      });
    });

    test('PUT /queues/:id/members with a user twice or without a list → 400', async () => {
      const queue = await createQueue();
      await withoutWrites(async () => {
        expect(
          expectError(await api('PUT', `/queues/${queue.id}/members`, admin, { userIds: [agent.id, agent.id] }), 400, 'VALIDATION'),
        ).toContain('body.userIds.1:');
        expect(expectError(await api('PUT', `/queues/${queue.id}/members`, admin, {}), 400, 'VALIDATION')).toContain('body.userIds:');
      });
    });
  });

  test('the OpenAPI document describes the new endpoints', async () => {
    const doc = (await server.api.request('GET', '/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/queues', '/api/v1/queues/{id}', '/api/v1/queues/{id}/members', '/api/v1/users/{id}/routing']),
    );
    expect(Object.keys(doc.paths['/api/v1/queues/{id}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    const schema = doc.paths['/api/v1/queues'].post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['name']);
    expect(schema.additionalProperties).toBe(false);
    expect(doc.paths['/api/v1/channel-accounts'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('queueId');
  });
});
