// The routing data layer on both engines: the migration (and its way back), every routing store's
// round trip with its JSON fields, the one-live-offer rule, the conditional claim that settles
// accept/decline/timeout races, and the load count the router's capacity check rests on.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isUniqueViolation, migrate, openDatabase, type Database } from '../db/connection.js';
import { migrationSource } from '../db/migrations/index.js';
import { createStore, type Store } from '../db/store.js';
import { QUEUE_DEFAULTS, type NewQueue } from '../db/stores/queues.store.js';
import { DEFAULT_CAPACITY, type BusinessHours, type SlaPolicy } from '../server/domain/routing/types.js';
import { CHANNEL_KINDS, type ChannelKind, type ConversationStatus } from '../server/domain/types.js';
import { ENGINES, freshDatabase, type TestDatabase } from './support/harness.js';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (err) {
    return err;
  }
  throw new Error('expected the write to be rejected, but it succeeded');
}

const BANGKOK_HOURS: BusinessHours = {
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
    [{ from: '09:00', to: '17:30' }],
    [],
  ],
  holidays: ['2025-04-14'],
};
const SLA: SlaPolicy = {
  0: { firstResponseMs: 4 * 60 * MINUTE, resolutionMs: 24 * 60 * MINUTE },
  3: { firstResponseMs: MINUTE, resolutionMs: 60 * MINUTE },
};

describe.each(ENGINES)('routing stores on %s', (engine) => {
  let testDb: TestDatabase;
  let db: Database;
  let store: Store;
  let seq = 0;

  const user = (role: 'agent' | 'supervisor' = 'agent') =>
    store.users.create({ email: `u${++seq}@example.com`, name: `User ${seq}`, role, passwordHash: 'h' }, T0);
  const account = (kind: ChannelKind = 'web_chat') =>
    store.channelAccounts.create({ kind, name: `Account ${++seq}`, settings: {}, credentialsSealed: null }, T0);
  const queue = (name = `Queue ${++seq}`, over: Partial<NewQueue> = {}) => store.queues.create({ name, ...over }, T0);
  /** An open conversation on a fresh customer and a fresh account of `kind`. */
  async function conversation(kind: ChannelKind, over: { status?: ConversationStatus; assigneeId?: string; queueId?: string } = {}) {
    const [acct, cust] = await Promise.all([account(kind), store.customers.create({ name: null }, T0)]);
    const c = await store.conversations.create(
      { customerId: cust.id, channelAccountId: acct.id, channelKind: kind, queueId: over.queueId },
      T0,
    );
    if (over.status || over.assigneeId) await store.conversations.touch(c.id, { status: over.status, assigneeId: over.assigneeId }, T0);
    return c;
  }

  beforeAll(async () => {
    testDb = await freshDatabase(engine);
    db = openDatabase(testDb.url, { schema: testDb.schema });
    await migrate(db);
    store = createStore(db);
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  test('the migration adds the routing tables and columns, and rolls back without losing core rows', async () => {
    for (const table of ['queues', 'agent_routing', 'queue_members', 'offers', 'routing_events']) {
      expect(await db.knex.schema.hasTable(table), table).toBe(true);
    }
    for (const [table, columns] of [
      ['conversations', ['enqueued_at', 'required_skills', 'refused_by', 'first_response_due_at', 'resolution_due_at', 'sla_status']],
      ['channel_accounts', ['queue_id']],
      ['customers', ['value_tier', 'vip']],
    ] as const) {
      for (const column of columns) expect(await db.knex.schema.hasColumn(table, column), `${table}.${column}`).toBe(true);
    }

    // Down and up again on a database of its own that holds a conversation and a message.
    const other = await freshDatabase(engine);
    const odb = openDatabase(other.url, { schema: other.schema });
    try {
      await migrate(odb);
      const ostore = createStore(odb);
      const q = await ostore.queues.create({ name: 'Sales' }, T0);
      const acct = await ostore.channelAccounts.create(
        { kind: 'email', name: 'Inbox', settings: {}, credentialsSealed: null, queueId: q.id },
        T0,
      );
      const cust = await ostore.customers.create({ name: 'Somchai' }, T0);
      const conv = await ostore.conversations.create(
        { customerId: cust.id, channelAccountId: acct.id, channelKind: 'email', queueId: q.id },
        T0,
      );
      // The migrations after voice's come off first, then voice's, email's and customer links', then the console's, then routing's.
      const names = await migrationSource.getMigrations([]);
      for (const _later of names.slice(names.indexOf('006-voice') + 1)) await odb.knex.migrate.down({ migrationSource });
      expect(await odb.knex.schema.hasTable('calls')).toBe(true);
      await odb.knex.migrate.down({ migrationSource });
      expect(await odb.knex.schema.hasTable('calls')).toBe(false);
      expect(await odb.knex.schema.hasColumn('users', 'phone')).toBe(false);
      await odb.knex.migrate.down({ migrationSource });
      expect(await odb.knex.schema.hasTable('email_imports')).toBe(false);
      expect(await odb.knex.schema.hasColumn('conversations', 'email_ref')).toBe(false);
      await odb.knex.migrate.down({ migrationSource });
      expect(await odb.knex.schema.hasTable('customer_merges')).toBe(false);
      expect(await odb.knex.schema.hasColumn('customers', 'merged_into')).toBe(false);
      await odb.knex.migrate.down({ migrationSource });
      expect(await odb.knex.schema.hasTable('canned_responses')).toBe(false);
      expect(await odb.knex.schema.hasColumn('conversations', 'tags')).toBe(false);
      expect(await odb.knex.schema.hasTable('queues')).toBe(true);
      await odb.knex.migrate.down({ migrationSource });
      expect(await odb.knex.schema.hasTable('queues')).toBe(false);
      expect(await odb.knex.schema.hasColumn('conversations', 'refused_by')).toBe(false);
      expect(await odb.knex.schema.hasColumn('channel_accounts', 'queue_id')).toBe(false);
      expect((await odb.knex('conversations').where({ id: conv.id }).first()).customer_id).toBe(cust.id);
      await migrate(odb);
      expect(await ostore.conversations.findById(conv.id)).toMatchObject({ id: conv.id, refusedBy: [], enqueuedAt: null, queueId: q.id });
      expect(await ostore.channelAccounts.findById(acct.id)).toMatchObject({ queueId: null });
    } finally {
      await odb.close();
      await other.drop();
    }
  });

  test('queues: defaults, JSON fields and fractions round-trip; names are unique', async () => {
    const plain = await queue('Plain');
    expect(plain).toMatchObject({ name: 'Plain', ...QUEUE_DEFAULTS, channels: [...CHANNEL_KINDS], createdAt: T0, updatedAt: T0 });
    expect(plain.afterHours).toEqual({ action: 'keep_queued' });
    expect(await store.queues.findById(plain.id)).toEqual(plain);

    const full = await queue('VIP Thai', {
      channels: ['voice', 'line'],
      requiredSkills: [
        { skill: 'thai', minLevel: 7 },
        { skill: 'billing', minLevel: 3 },
      ],
      strategy: 'most_skilled',
      priority: 5,
      agingPerMinute: 0.25,
      offerTimeoutMs: 15_000,
      autoAccept: true,
      wrapUpMs: 45_000,
      maxMisses: 0,
      stickyMs: 7 * 24 * 60 * MINUTE,
      overflow: { afterMs: 2 * MINUTE, toQueueId: plain.id },
      businessHours: BANGKOK_HOURS,
      afterHours: { action: 'auto_reply', message: { th: 'เราจะติดต่อกลับเวลา 9 โมง', en: 'We open at 9.' } },
      sla: SLA,
      serviceLevelMs: 30_000,
      serviceLevelTarget: 0.85,
    });
    const read = await store.queues.findById(full.id);
    expect(read).toEqual(full);
    expect(read).toMatchObject({ agingPerMinute: 0.25, serviceLevelTarget: 0.85, autoAccept: true, stickyMs: 604_800_000 });
    expect(read?.sla).toEqual({ '0': SLA[0], '3': SLA[3] });
    expect(await store.queues.findByName('VIP Thai')).toEqual(full);

    const updated = await store.queues.update(
      full.id,
      { overflow: null, businessHours: null, sla: null, priority: -2, name: 'VIP' },
      T0 + 5,
    );
    expect(updated).toMatchObject({ overflow: null, businessHours: null, sla: null, priority: -2, name: 'VIP', updatedAt: T0 + 5 });
    expect(updated?.requiredSkills).toEqual(full.requiredSkills);

    expect(isUniqueViolation(await rejection(queue('Plain')))).toBe(true);
    expect(isUniqueViolation(await rejection(store.queues.update(full.id, { name: 'Plain' }, T0 + 6)))).toBe(true);
    expect((await store.queues.list()).map((q) => q.name)).toEqual(expect.arrayContaining(['Plain', 'VIP']));
    expect(await store.queues.existing([plain.id, 'missing', full.id, plain.id])).toEqual(expect.arrayContaining([plain.id, full.id]));
    expect(await store.queues.existing([plain.id, 'missing'])).toHaveLength(1);
  });

  test('queue members: set, read from both sides, replace, and go with the queue', async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    const sales = await queue();
    const support = await queue();
    await store.queues.setMembers(sales.id, [a.id, b.id, a.id]);
    await store.queues.setMembers(support.id, [b.id]);
    expect(await store.queues.members(sales.id)).toEqual([a.id, b.id].sort());
    expect(await store.queues.queuesOf(b.id)).toEqual([sales.id, support.id].sort());
    expect((await store.queues.allMembers()).get(support.id)).toEqual([b.id]);

    await store.queues.setQueuesOf(b.id, [support.id]);
    expect(await store.queues.members(sales.id)).toEqual([a.id]);
    await store.queues.setMembers(sales.id, [c.id]);
    expect(await store.queues.members(sales.id)).toEqual([c.id]);
    expect(await store.queues.queuesOf(a.id)).toEqual([]);

    // A member who is not a user is refused by the database itself.
    expect(await rejection(store.queues.setMembers(sales.id, ['no-such-user']))).toBeInstanceOf(Error);

    const acct = await account('email');
    await store.channelAccounts.update(acct.id, { queueId: support.id }, T0);
    await conversation('sms', { queueId: support.id });
    expect(await store.queues.usage(support.id)).toEqual({ openConversations: 1, channelAccountIds: [acct.id], overflowFromQueueIds: [] });
    const overflowing = await queue(undefined, { overflow: { afterMs: MINUTE, toQueueId: sales.id } });
    expect(await store.queues.usage(sales.id)).toEqual({
      openConversations: 0,
      channelAccountIds: [],
      overflowFromQueueIds: [overflowing.id],
    });

    expect(await store.queues.delete(sales.id)).toBe(true);
    expect(await store.queues.delete(sales.id)).toBe(false);
    expect(await store.queues.findById(sales.id)).toBeUndefined();
    expect(await store.queues.queuesOf(c.id)).toEqual([]);
  });

  test('agent routing: nothing until ensured; defaults; profile, presence, offers, misses and idle time', async () => {
    const agent = await user();
    const sales = await queue();
    expect(await store.agentRouting.get(agent.id)).toBeUndefined();
    expect(await store.agentRouting.setPresence(agent.id, 'available', null, T0)).toBe(false);

    const made = await store.agentRouting.ensure(agent.id, T0);
    expect(made).toEqual({
      id: agent.id,
      presence: 'offline',
      presenceReason: null,
      presenceSince: T0,
      skills: {},
      capacity: DEFAULT_CAPACITY,
      queueIds: [],
      idleSince: T0,
      lastOfferAt: 0,
      misses: 0,
    });

    expect(
      await store.agentRouting.updateProfile(agent.id, { skills: { thai: 9, billing: 2 }, capacity: { ...DEFAULT_CAPACITY, chat: 6 } }),
    ).toBe(true);
    await store.queues.setQueuesOf(agent.id, [sales.id]);
    // ensure does not reset an existing profile.
    expect(await store.agentRouting.ensure(agent.id, T0 + 1)).toMatchObject({
      skills: { thai: 9, billing: 2 },
      capacity: { voice: 1, chat: 6, messaging: 5, email: 8 },
      queueIds: [sales.id],
      presenceSince: T0,
    });

    expect(await store.agentRouting.setPresence(agent.id, 'available', null, T0 + 10)).toBe(true);
    expect(await store.agentRouting.get(agent.id)).toMatchObject({ presence: 'available', presenceSince: T0 + 10 });
    await store.agentRouting.setPresence(agent.id, 'away', 'lunch', T0 + 20);
    // A new reason for the same presence keeps the clock.
    await store.agentRouting.setPresence(agent.id, 'away', 'meeting', T0 + 30);
    expect(await store.agentRouting.get(agent.id)).toMatchObject({ presence: 'away', presenceReason: 'meeting', presenceSince: T0 + 20 });

    await store.agentRouting.recordOffer(agent.id, T0 + 40);
    expect(await store.agentRouting.recordMiss(agent.id)).toBe(1);
    expect(await store.agentRouting.recordMiss(agent.id)).toBe(2);
    await store.agentRouting.setIdleSince(agent.id, T0 + 50);
    expect(await store.agentRouting.get(agent.id)).toMatchObject({ lastOfferAt: T0 + 40, misses: 2, idleSince: T0 + 50 });
    await store.agentRouting.resetMisses(agent.id);
    expect((await store.agentRouting.get(agent.id))?.misses).toBe(0);

    const listed = await store.agentRouting.list();
    expect(listed.find((a) => a.id === agent.id)).toEqual(await store.agentRouting.get(agent.id));
    expect(await store.agentRouting.recordMiss('no-such-agent')).toBe(0);
  });

  test('offers: one live offer per conversation; only the offered agent can claim it, once', async () => {
    const [a, b] = [await user(), await user()];
    const q = await queue();
    const c1 = await conversation('web_chat', { queueId: q.id });
    const c2 = await conversation('email', { queueId: q.id });
    const offer = { conversationId: c1.id, agentId: a.id, queueId: q.id, offeredAt: T0, expiresAt: T0 + 20_000 };

    expect(await store.offers.create(offer)).toBe(true);
    // A second offer of the same conversation, to anyone, on any node, is refused without an error,
    // and without aborting the transaction it runs in.
    const inTx = await store.transaction(async (tx) => {
      const again = await tx.offers.create({ ...offer, agentId: b.id });
      await tx.offers.create({ conversationId: c2.id, agentId: a.id, queueId: q.id, offeredAt: T0 + 1, expiresAt: T0 + 60_000 });
      return again;
    });
    expect(inTx).toBe(false);
    expect(await store.offers.findByConversation(c1.id)).toEqual(offer);
    expect((await store.offers.listByAgent(a.id)).map((o) => o.conversationId)).toEqual([c1.id, c2.id]);
    expect(await store.offers.listByAgent(b.id)).toEqual([]);
    expect((await store.offers.listExpired(T0 + 20_000)).map((o) => o.conversationId)).toEqual([c1.id]);
    expect((await store.offers.listAll()).filter((o) => o.queueId === q.id)).toHaveLength(2);

    // Accept and timeout race: exactly one claim wins; someone else's claim never does.
    expect(await store.offers.claim(c1.id, b.id)).toBe(false);
    const claims = await Promise.all([store.offers.claim(c1.id, a.id), store.offers.claim(c1.id, a.id), store.offers.claim(c1.id, a.id)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.offers.findByConversation(c1.id)).toBeUndefined();
    expect(await store.offers.delete(c2.id)).toBe(true);
    expect(await store.offers.delete(c2.id)).toBe(false);

    // An offer must name a real conversation and a real agent.
    expect(await rejection(store.offers.create({ ...offer, conversationId: 'nope' }))).toBeInstanceOf(Error);
    expect(await rejection(store.offers.create({ ...offer, agentId: 'nope' }))).toBeInstanceOf(Error);
  });

  test('loadByAgent counts unresolved assigned conversations and live offers per capacity class', async () => {
    const [a, b, idle] = [await user(), await user(), await user()];
    const q = await queue();
    await conversation('web_chat', { assigneeId: a.id });
    await conversation('web_chat', { assigneeId: a.id, status: 'pending' });
    await conversation('email', { assigneeId: a.id, status: 'snoozed' });
    await conversation('voice', { assigneeId: a.id, status: 'resolved' }); // done: not load
    await conversation('sms', { assigneeId: b.id });
    const offeredToA = await conversation('line', { queueId: q.id });
    const offeredToB = await conversation('voice', { queueId: q.id });
    await store.offers.create({ conversationId: offeredToA.id, agentId: a.id, queueId: q.id, offeredAt: T0, expiresAt: T0 + 1 });
    await store.offers.create({ conversationId: offeredToB.id, agentId: b.id, queueId: q.id, offeredAt: T0, expiresAt: T0 + 1 });

    const load = await store.agentRouting.loadByAgent();
    expect(load.get(a.id)).toEqual({ voice: 0, chat: 2, messaging: 1, email: 1 });
    expect(load.get(b.id)).toEqual({ voice: 1, chat: 0, messaging: 1, email: 0 });
    expect(load.has(idle.id)).toBe(false);

    const onlyB = await store.agentRouting.loadByAgent([b.id]);
    expect([...onlyB.keys()]).toEqual([b.id]);
    expect((await store.agentRouting.loadByAgent([])).size).toBe(0);
  });

  test('routing events: recorded with their data, read back oldest first, per queue or overall', async () => {
    const [q1, q2] = [await queue(), await queue()];
    const agent = await user();
    const c = await conversation('web_chat', { queueId: q1.id });
    const base = T0 + 1_000_000;
    const e1 = await store.routingEvents.record({ type: 'enqueued', conversationId: c.id, queueId: q1.id, at: base });
    await store.routingEvents.record({
      type: 'offered',
      conversationId: c.id,
      queueId: q1.id,
      agentId: agent.id,
      at: base + 5,
      data: { expiresAt: base + 20_005 },
    });
    await store.routingEvents.record({ type: 'overflowed', conversationId: c.id, queueId: q2.id, at: base + 9, data: { from: q1.id } });
    await store.routingEvents.record({ type: 'sla_breached', conversationId: c.id, at: base - 1 });

    expect(e1).toMatchObject({ agentId: null, data: {} });
    const since = await store.routingEvents.listSince(base);
    expect(since.map((e) => e.type)).toEqual(['enqueued', 'offered', 'overflowed']);
    expect(since[1]).toMatchObject({ agentId: agent.id, queueId: q1.id, data: { expiresAt: base + 20_005 } });
    expect((await store.routingEvents.listSince(base, q1.id)).map((e) => e.type)).toEqual(['enqueued', 'offered']);
    expect((await store.routingEvents.listSince(base - 1)).map((e) => e.type)[0]).toBe('sla_breached');
  });

  test('conversations carry the routing fields; customers a value tier and a VIP flag', async () => {
    const q = await queue();
    const acct = await account('line');
    const cust = await store.customers.create({ name: 'Nok' }, T0);
    expect(cust).toMatchObject({ valueTier: null, vip: false });
    await store.customers.update(cust.id, { valueTier: 'gold', vip: true }, T0 + 1);
    expect(await store.customers.findById(cust.id)).toMatchObject({ valueTier: 'gold', vip: true });

    const c = await store.conversations.create(
      {
        customerId: cust.id,
        channelAccountId: acct.id,
        channelKind: 'line',
        queueId: q.id,
        enqueuedAt: T0,
        requiredSkills: [{ skill: 'thai', minLevel: 5 }],
      },
      T0,
    );
    expect(c).toMatchObject({ enqueuedAt: T0, requiredSkills: [{ skill: 'thai', minLevel: 5 }], refusedBy: [], slaStatus: null });
    expect(await store.conversations.findById(c.id)).toEqual(c);

    const patched = await store.conversations.update(
      c.id,
      {
        refusedBy: ['a1', 'a2'],
        requiredSkills: null,
        firstResponseDueAt: T0 + 60_000,
        resolutionDueAt: T0 + 3_600_000,
        slaStatus: 'warning',
        enqueuedAt: null,
      },
      T0 + 2,
    );
    expect(patched).toMatchObject({
      refusedBy: ['a1', 'a2'],
      requiredSkills: null,
      firstResponseDueAt: T0 + 60_000,
      resolutionDueAt: T0 + 3_600_000,
      slaStatus: 'warning',
      enqueuedAt: null,
    });
    const raw = await db.knex('conversations').where({ id: c.id }).first();
    expect(JSON.parse(raw.refused_by)).toEqual(['a1', 'a2']);

    // The ingest path (prepared statements on SQLite) writes the same columns.
    const ingested = await store.ingestTransaction(async (tx) => {
      const who = await tx.createCustomer({ name: 'Walk-in' }, T0);
      return {
        who,
        conv: await tx.createConversation(
          { customerId: who.id, channelAccountId: acct.id, channelKind: 'line', enqueuedAt: T0 + 3 },
          T0 + 3,
        ),
      };
    });
    expect(ingested.who).toMatchObject({ valueTier: null, vip: false });
    expect(await store.customers.findById(ingested.who.id)).toMatchObject({ valueTier: null, vip: false });
    expect(await store.conversations.findById(ingested.conv.id)).toEqual(ingested.conv);
    expect(ingested.conv).toMatchObject({ enqueuedAt: T0 + 3, refusedBy: [], requiredSkills: null });
  });

  test('conversations: a conditional assign has one winner; the last assignee and the queued filter', async () => {
    const [a, b] = [await user(), await user()];
    const acct = await account('web_chat');
    const cust = await store.customers.create({ name: 'Returning' }, T0);
    const earlier = await store.conversations.create({ customerId: cust.id, channelAccountId: acct.id, channelKind: 'web_chat' }, T0);
    await store.conversations.touch(
      earlier.id,
      { assigneeId: b.id, status: 'resolved', resolvedAt: T0 + 1, lastMessageAt: T0 + 1 },
      T0 + 1,
    );
    const c = await store.conversations.create(
      { customerId: cust.id, channelAccountId: acct.id, channelKind: 'web_chat', queueId: null },
      T0 + 2,
    );
    expect(await store.conversations.lastAssigneeOf(cust.id, c.id)).toBe(b.id);
    expect(await store.conversations.lastAssigneeOf(cust.id, earlier.id)).toBeNull();

    await store.conversations.touch(c.id, { enqueuedAt: T0 + 2 }, T0 + 2);
    expect((await store.conversations.list({ customerId: cust.id, queued: true }, 10)).map((x) => x.id)).toEqual([c.id]);

    const wins = await Promise.all([a.id, b.id, a.id].map((agentId) => store.conversations.assignIfUnassigned(c.id, agentId, T0 + 3)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = [a.id, b.id, a.id][wins.indexOf(true)];
    expect(await store.conversations.findById(c.id)).toMatchObject({ assigneeId: winner, updatedAt: T0 + 3 });
    expect(await store.conversations.assignIfUnassigned(c.id, b.id, T0 + 4)).toBe(false);
  });

  test('a channel account points at a queue that exists', async () => {
    const q = await queue();
    const acct = await store.channelAccounts.create({ kind: 'sms', name: 'SMS', settings: {}, credentialsSealed: null, queueId: q.id }, T0);
    expect(acct.queueId).toBe(q.id);
    expect(await store.channelAccounts.findById(acct.id)).toMatchObject({ queueId: q.id });
    expect(await store.channelAccounts.update(acct.id, { queueId: null }, T0 + 1)).toMatchObject({ queueId: null });
    expect(await rejection(store.channelAccounts.update(acct.id, { queueId: 'no-such-queue' }, T0 + 2))).toBeInstanceOf(Error);
  });
});
