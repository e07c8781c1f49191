// A provider's retry or a concurrent duplicate never makes a second message, customer, identity or
// conversation: the ingest use case against a real store on both engines, then the same over sockets.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrate, openDatabase, type Database } from '../db/connection.js';
import { createStore, type Store } from '../db/store.js';
import type { DomainEvent } from '../server/domain/events.js';
import type { InboundMessage } from '../server/domain/types.js';
import { EventBus } from '../server/event-bus.js';
import { makeIngestMessage } from '../server/usecases/ingest-message.js';
import {
  ENGINES,
  connect,
  freshDatabase,
  nextEvent,
  startTestServer,
  testConfig,
  type ClientSocket,
  type TestDatabase,
  type TestServer,
} from './support/harness.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const CONCURRENCY = 20;

async function count(db: Database, table: string, where: Record<string, unknown>): Promise<number> {
  const row = await db.knex(table).where(where).count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

describe.each(ENGINES)('ingest idempotency on %s', (engine) => {
  let testDb: TestDatabase;
  let db: Database;
  let store: Store;
  let accountId: string;
  let reopenWindowMs: number;

  /** A fresh ingest with its own event log and an adjustable clock. */
  function pipeline(start = T0) {
    const events: DomainEvent[] = [];
    const bus = new EventBus((err) => {
      throw err;
    });
    bus.subscribe((e) => events.push(e));
    const clock = { now: start };
    const ingest = makeIngestMessage({ store, events: bus, now: () => clock.now }, { reopenWindowMs });
    return { ingest, events, clock };
  }

  let senders = 0;
  const newSender = () => `U${engine}${++senders}${Date.now().toString(36)}`;
  const inbound = (sender: string, providerMessageId: string, text = 'สวัสดีครับ'): InboundMessage => ({
    channelAccountId: accountId,
    channelKind: 'line',
    providerMessageId,
    sender: { identity: { kind: 'line', scope: accountId, value: sender }, name: 'Khun Test' },
    parts: [{ type: 'text', text }],
    sentAt: T0,
  });
  const customerOf = async (sender: string) => store.customers.findByIdentity({ kind: 'line', scope: accountId, value: sender });

  beforeAll(async () => {
    testDb = await freshDatabase(engine);
    reopenWindowMs = testConfig(testDb).reopenWindowMs; // REOPEN_WINDOW_HOURS, default 72
    db = openDatabase(testDb.url, { schema: testDb.schema });
    await migrate(db);
    store = createStore(db);
    accountId = (await store.channelAccounts.create({ kind: 'line', name: 'LINE OA', settings: {}, credentialsSealed: null }, T0)).id;
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  test(`the same message delivered ${CONCURRENCY} times at once is stored once`, async () => {
    const { ingest, events } = pipeline();
    const sender = newSender();
    const message = inbound(sender, `mid-${sender}`);
    const customersBefore = await count(db, 'customers', {});
    const results = await Promise.all(Array.from({ length: CONCURRENCY }, () => ingest(message)));

    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.customer.id)).size).toBe(1);

    const customer = await customerOf(sender);
    expect(customer?.id).toBe(results[0]!.customer.id);
    expect(await count(db, 'messages', { channel_account_id: accountId, provider_message_id: message.providerMessageId })).toBe(1);
    expect(await count(db, 'customer_identities', { kind: 'line', scope: accountId, value: sender })).toBe(1);
    expect(await count(db, 'conversations', { customer_id: customer!.id })).toBe(1);
    // No orphan customers from the losing transactions: they were rolled back.
    expect(await count(db, 'customers', {})).toBe(customersBefore + 1);

    expect(events.filter((e) => e.type === 'message.created')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'conversation.created')).toHaveLength(1);

    // A later redelivery is recognised too, and publishes nothing.
    const again = await ingest(message);
    expect(again).toMatchObject({ created: false, message: { id: results[0]!.message.id } });
    expect(events.filter((e) => e.type === 'message.created')).toHaveLength(1);
  });

  test('one failing message among concurrent ones rolls back alone; the others are stored and announced', async () => {
    const { ingest, events } = pipeline();
    const senders = Array.from({ length: 8 }, () => newSender());
    // A message for a channel account that does not exist breaks a foreign key mid-transaction.
    const broken: InboundMessage = { ...inbound(newSender(), `mid-broken-${Date.now()}`), channelAccountId: 'no-such-account' };
    const outcomes = await Promise.allSettled([
      ...senders.slice(0, 4).map((s) => ingest(inbound(s, `mid-${s}`))),
      ingest(broken),
      ...senders.slice(4).map((s) => ingest(inbound(s, `mid-${s}`))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([...Array(4).fill('fulfilled'), 'rejected', ...Array(4).fill('fulfilled')]);
    for (const s of senders) {
      expect(await count(db, 'messages', { channel_account_id: accountId, provider_message_id: `mid-${s}` })).toBe(1);
    }
    // Nothing of the failed message remains: no message, no customer for its sender.
    expect(await count(db, 'messages', { provider_message_id: broken.providerMessageId })).toBe(0);
    expect(await count(db, 'customer_identities', { value: broken.sender.identity.value })).toBe(0);
    expect(events.filter((e) => e.type === 'message.created')).toHaveLength(senders.length);
  });

  test(`${CONCURRENCY} different first messages of a brand-new sender make one customer and one conversation`, async () => {
    const { ingest, events } = pipeline();
    const sender = newSender();
    const results = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) => ingest(inbound(sender, `${sender}-m${i}`, `message ${i}`))),
    );
    expect(results.every((r) => r.created)).toBe(true);
    expect(new Set(results.map((r) => r.customer.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);

    const customer = await customerOf(sender);
    const conversationId = results[0]!.conversation.id;
    expect(await count(db, 'customer_identities', { customer_id: customer!.id })).toBe(1);
    expect(await count(db, 'conversations', { customer_id: customer!.id })).toBe(1);
    expect(await count(db, 'messages', { conversation_id: conversationId })).toBe(CONCURRENCY);
    const stored = await store.messages.listForConversation(conversationId, { limit: 100, includePrivate: true });
    expect(stored.map((m) => m.text).sort()).toEqual(Array.from({ length: CONCURRENCY }, (_, i) => `message ${i}`).sort());

    expect(events.filter((e) => e.type === 'message.created')).toHaveLength(CONCURRENCY);
    expect(events.filter((e) => e.type === 'conversation.created')).toHaveLength(1);
  });

  test(`${CONCURRENCY} concurrent messages of a known customer with no open conversation open exactly one`, async () => {
    const { ingest, events } = pipeline();
    const sender = newSender();
    const first = await ingest(inbound(sender, `${sender}-first`));
    // Resolved long ago: the next messages must open a new conversation, and only one.
    await store.conversations.update(first.conversation.id, { status: 'resolved', resolvedAt: T0 - reopenWindowMs - HOUR }, T0);
    const results = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => ingest(inbound(sender, `${sender}-${i}`))));

    const opened = new Set(results.map((r) => r.conversation.id));
    expect(opened.size).toBe(1);
    expect(opened.has(first.conversation.id)).toBe(false);
    expect(await count(db, 'conversations', { customer_id: first.customer.id })).toBe(2);
    expect(await count(db, 'messages', { conversation_id: [...opened][0]! })).toBe(CONCURRENCY);
    expect(events.filter((e) => e.type === 'conversation.created')).toHaveLength(2);
  });

  test(`${CONCURRENCY} concurrent messages within the reopen window reopen the resolved conversation once`, async () => {
    const { ingest, events } = pipeline();
    const sender = newSender();
    const first = await ingest(inbound(sender, `${sender}-first`));
    await store.conversations.update(first.conversation.id, { status: 'resolved', resolvedAt: T0 }, T0);
    const results = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => ingest(inbound(sender, `${sender}-${i}`))));

    expect(new Set(results.map((r) => r.conversation.id))).toEqual(new Set([first.conversation.id]));
    expect(await store.conversations.findById(first.conversation.id)).toMatchObject({ status: 'open', resolvedAt: null });
    expect(await count(db, 'conversations', { customer_id: first.customer.id })).toBe(1);
    expect(await count(db, 'messages', { conversation_id: first.conversation.id })).toBe(CONCURRENCY + 1);
    expect(events.filter((e) => e.type === 'conversation.updated')).toHaveLength(1);
  });

  test('after the reopen window a resolved conversation stays closed and the next message opens a new one', async () => {
    const { ingest, events, clock } = pipeline();
    const sender = newSender();
    const first = await ingest(inbound(sender, `${sender}-1`));
    const resolvedAt = T0 + HOUR;
    await store.conversations.update(first.conversation.id, { status: 'resolved', resolvedAt }, resolvedAt);

    // Exactly at the window's edge the conversation still reopens...
    clock.now = resolvedAt + reopenWindowMs;
    const atEdge = await ingest(inbound(sender, `${sender}-2`));
    expect(atEdge.conversation).toMatchObject({ id: first.conversation.id, status: 'open' });
    await store.conversations.update(first.conversation.id, { status: 'resolved', resolvedAt: clock.now }, clock.now);

    // ...one millisecond past it, the customer gets a new conversation.
    const secondResolvedAt = clock.now;
    clock.now = secondResolvedAt + reopenWindowMs + 1;
    events.length = 0;
    const later = await ingest(inbound(sender, `${sender}-3`, 'I have a new question'));
    expect(later.created).toBe(true);
    expect(later.conversation.id).not.toBe(first.conversation.id);
    expect(later.conversation).toMatchObject({
      status: 'open',
      customerId: first.customer.id,
      createdAt: clock.now,
      lastMessageAt: clock.now,
    });
    expect(await store.conversations.findById(first.conversation.id)).toMatchObject({ status: 'resolved', resolvedAt: secondResolvedAt });
    expect(events.map((e) => e.type)).toEqual(['conversation.created', 'message.created']);
    // The old conversation keeps its two messages; the new one has only the new message.
    expect(await count(db, 'messages', { conversation_id: first.conversation.id })).toBe(2);
    expect(await count(db, 'messages', { conversation_id: later.conversation.id })).toBe(1);
  });
});

describe.each(ENGINES)('visitor resends over sockets on %s', (engine) => {
  let server: TestServer;
  let accountId: string;
  let agentSocket: ClientSocket;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer(engine);
    const adminToken = await server.api.login();
    const agent = await server.api.userWithRole(adminToken, 'agent');
    accountId = await server.api.webChatAccount(adminToken);
    agentSocket = await connect(server.url, { token: agent.token });
    sockets.push(agentSocket);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.stop();
  });

  test(`one visitor sending the same clientMessageId ${CONCURRENCY} times at once: one row, one event`, async () => {
    const visitor = await server.api.visitorSession(accountId);
    const visitorSocket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(visitorSocket);
    const providerId = `${visitor.sessionId}:dup-1`;
    const sentinelId = `${visitor.sessionId}:sentinel`;

    const seen: string[] = [];
    agentSocket.on('message:created', (m) => {
      if (m.providerMessageId?.startsWith(`${visitor.sessionId}:`)) seen.push(m.providerMessageId);
    });

    const acks = await Promise.all(
      Array.from({ length: CONCURRENCY }, () => visitorSocket.emitWithAck('visitor:send', { clientMessageId: 'dup-1', text: 'ส่งซ้ำ' })),
    );
    expect(acks.map((a) => a.ok)).toEqual(Array(CONCURRENCY).fill(true));
    const oks = acks.flatMap((a) => (a.ok ? [a] : []));
    expect(oks.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(oks.map((a) => a.message.id)).size).toBe(1);
    expect(oks.every((a) => a.message.clientMessageId === 'dup-1')).toBe(true);

    // Events on one socket arrive in order: once the sentinel's event is in, every event for dup-1 is too.
    const sentinelSeen = nextEvent(agentSocket, 'message:created', (m) => m.providerMessageId === sentinelId);
    const sentinel = await visitorSocket.emitWithAck('visitor:send', { clientMessageId: 'sentinel', text: 'last' });
    expect(sentinel.ok).toBe(true);
    await sentinelSeen;
    expect(seen).toEqual([providerId, sentinelId]);

    const stored = await server.store.messages.findByProviderId(accountId, providerId);
    expect(stored?.id).toBe(oks[0]!.message.id);
    const inConversation = await server.store.messages.listForConversation(stored!.conversationId, { limit: 50, includePrivate: true });
    expect(inConversation.map((m) => m.providerMessageId)).toEqual([providerId, sentinelId]);
    const history = await visitorSocket.emitWithAck('visitor:history', {});
    expect(history.ok && history.messages.map((m) => m.clientMessageId)).toEqual(['dup-1', 'sentinel']);
  });
});
