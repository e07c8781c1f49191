// The data layer on both engines: migrations, every store's round trip, and the unique keys that
// make the pipeline's guarantees (one identity owner, one open conversation, one stored provider message).
import { migrationSource } from '../db/migrations/index.js';
import { TABLES } from './support/row-counts.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isUniqueViolation, migrate, openDatabase, type Database } from '../db/connection.js';
import { createStore, type Store } from '../db/store.js';
import type { ConversationCursor } from '../db/stores/conversations.store.js';
import type { ChannelKind, Conversation, Identity, Message } from '../server/domain/types.js';
import { SecretBox } from '../server/security/secret-box.js';
import { hashToken, newToken } from '../server/security/tokens.js';
import { ENGINES, freshDatabase, type TestDatabase } from './support/harness.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (err) {
    return err;
  }
  throw new Error('expected the write to be rejected, but it succeeded');
}

describe.each(ENGINES)('stores on %s', (engine) => {
  let testDb: TestDatabase;
  let db: Database;
  let store: Store;

  // Small builders: each test makes its own rows so tests do not depend on each other.
  const account = (kind: ChannelKind = 'web_chat', name = 'Website') =>
    store.channelAccounts.create({ kind, name, settings: {}, credentialsSealed: null }, T0);
  const customer = (name: string | null = null) => store.customers.create({ name }, T0);
  const conversation = (customerId: string, channelAccountId: string, now = T0, kind: ChannelKind = 'web_chat') =>
    store.conversations.create({ customerId, channelAccountId, channelKind: kind }, now);
  const message = (c: Conversation, providerMessageId: string | null, text = 'hello', now = T0) =>
    store.messages.insert(
      {
        conversationId: c.id,
        channelAccountId: c.channelAccountId,
        direction: 'inbound',
        senderType: 'customer',
        senderId: c.customerId,
        parts: [{ type: 'text', text }],
        text,
        private: false,
        providerMessageId,
        status: 'received',
      },
      now,
    );

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

  test('migrations create every table on a fresh database and running them again changes nothing', async () => {
    for (const table of TABLES) {
      expect(await db.knex.schema.hasTable(table), table).toBe(true);
    }
    const before = await db.knex('knex_migrations').select('name');
    expect(before.map((r) => r.name)).toEqual(await migrationSource.getMigrations([]));

    await migrate(db);
    // A second connection (a second node starting) migrates the same database without error too.
    const other = openDatabase(testDb.url, { schema: testDb.schema });
    try {
      await migrate(other);
    } finally {
      await other.close();
    }
    const after = await db.knex('knex_migrations').select('name');
    expect(after.map((r) => r.name)).toEqual(await migrationSource.getMigrations([]));
    await expect(store.ping()).resolves.toBeUndefined();
  });

  test('users round-trip, emails are case-insensitive and unique', async () => {
    const created = await store.users.create(
      { email: 'Nok@Example.com', name: 'Nok', role: 'agent', passwordHash: 'h1', locale: 'th' },
      T0,
    );
    expect(created).toMatchObject({ email: 'nok@example.com', name: 'Nok', role: 'agent', locale: 'th', active: true, createdAt: T0 });
    expect(await store.users.findById(created.id)).toEqual(created);
    const withSecret = await store.users.findByEmailWithSecret('NOK@example.COM');
    expect(withSecret?.id).toBe(created.id);
    expect(withSecret?.passwordHash).toBe('h1');

    const updated = await store.users.update(created.id, { name: 'Nok S.', role: 'supervisor', active: false, passwordHash: 'h2' }, T0 + 1);
    expect(updated).toMatchObject({ name: 'Nok S.', role: 'supervisor', active: false, updatedAt: T0 + 1 });
    expect((await store.users.findByEmailWithSecret('nok@example.com'))?.passwordHash).toBe('h2');
    expect((await store.users.list()).map((u) => u.id)).toContain(created.id);
    expect(await store.users.count()).toBeGreaterThanOrEqual(1);

    const err = await rejection(store.users.create({ email: 'NOK@example.com', name: 'Other', role: 'agent', passwordHash: 'x' }, T0));
    expect(isUniqueViolation(err)).toBe(true);
  });

  test('tokens: live ones are found; expired and revoked ones are not', async () => {
    const user = await store.users.create({ email: 'tokens@example.com', name: 'T', role: 'agent', passwordHash: 'h' }, T0);
    const [live, expired, revoked, other] = [newToken(), newToken(), newToken(), newToken()].map(hashToken) as [
      string,
      string,
      string,
      string,
    ];
    await store.tokens.create(user.id, live, T0, T0 + HOUR);
    await store.tokens.create(user.id, expired, T0 - 2 * HOUR, T0 - HOUR);
    await store.tokens.create(user.id, revoked, T0, T0 + HOUR);
    await store.tokens.create(user.id, other, T0, T0 + HOUR);
    await store.tokens.revoke(revoked, T0 + 1);

    expect(await store.tokens.findLive(live, T0 + 10)).toEqual({ userId: user.id, expiresAt: T0 + HOUR });
    expect(await store.tokens.findLive(live, T0 + HOUR)).toBeUndefined(); // expiry is exclusive
    expect(await store.tokens.findLive(expired, T0)).toBeUndefined();
    expect(await store.tokens.findLive(revoked, T0 + 10)).toBeUndefined();
    expect(await store.tokens.findLive(hashToken('never issued'), T0)).toBeUndefined();

    await store.tokens.revokeAllForUser(user.id, T0 + 20, live);
    expect(await store.tokens.findLive(live, T0 + 30)).toBeDefined();
    expect(await store.tokens.findLive(other, T0 + 30)).toBeUndefined();
    await store.tokens.revokeAllForUser(user.id, T0 + 40);
    expect(await store.tokens.findLive(live, T0 + 50)).toBeUndefined();
  });

  test('customers and identities: an identity has one owner; linking a taken identity returns false', async () => {
    const somchai = await store.customers.create({ name: 'สมชาย', locale: 'th' }, T0);
    const other = await customer('Other');
    const phone: Identity = { kind: 'phone', scope: '', value: '+66812345678' };
    const lineA: Identity = { kind: 'line', scope: 'acct-a', value: 'U123' };
    const lineB: Identity = { kind: 'line', scope: 'acct-b', value: 'U123' }; // same user id, other account

    expect(await store.customers.linkIdentity(somchai.id, phone, T0)).toBe(true);
    expect(await store.customers.linkIdentity(somchai.id, lineA, T0 + 1)).toBe(true);
    expect(await store.customers.linkIdentity(other.id, phone, T0)).toBe(false);
    expect(await store.customers.linkIdentity(somchai.id, phone, T0)).toBe(false);
    expect(await store.customers.linkIdentity(other.id, lineB, T0)).toBe(true);

    expect((await store.customers.findByIdentity(phone))?.id).toBe(somchai.id);
    expect((await store.customers.findByIdentity(lineA))?.id).toBe(somchai.id);
    expect((await store.customers.findByIdentity(lineB))?.id).toBe(other.id);
    expect(await store.customers.findByIdentity({ kind: 'phone', scope: '', value: '+66800000000' })).toBeUndefined();
    expect((await store.customers.identities(somchai.id)).map((i) => [i.kind, i.scope, i.value])).toEqual([
      ['phone', '', '+66812345678'],
      ['line', 'acct-a', 'U123'],
    ]);

    expect(await store.customers.findById(somchai.id)).toEqual(somchai);
    await store.customers.update(somchai.id, { name: 'สมชาย ใจดี', lastContactAt: T0 + 5 }, T0 + 5);
    await store.customers.setAttributes(somchai.id, { tier: 'gold' }, T0 + 6);
    await store.customers.setAttributes(somchai.id, { city: 'Chiang Mai' }, T0 + 7);
    expect(await store.customers.findById(somchai.id)).toMatchObject({
      name: 'สมชาย ใจดี',
      locale: 'th',
      lastContactAt: T0 + 5,
      attributes: { tier: 'gold', city: 'Chiang Mai' },
      updatedAt: T0 + 7,
    });

    // Search by name or by identity value.
    expect((await store.customers.list({ query: 'ใจดี', limit: 10 })).map((c) => c.id)).toEqual([somchai.id]);
    expect((await store.customers.list({ query: '812345', limit: 10 })).map((c) => c.id)).toEqual([somchai.id]);
  });

  test('channel accounts store credentials sealed: the raw column never holds the plaintext secret', async () => {
    const box = new SecretBox('store-test-secret-store-test-secret-0123');
    const credentials = { channelSecret: 'line-channel-secret-PLAINTEXT-42', accessToken: 'tok-PLAINTEXT-99' };
    const created = await store.channelAccounts.create(
      { kind: 'line', name: 'LINE OA', settings: { greeting: 'สวัสดี' }, credentialsSealed: box.seal(credentials) },
      T0,
    );
    expect(created).toMatchObject({ kind: 'line', name: 'LINE OA', settings: { greeting: 'สวัสดี' }, active: true });
    expect(created).not.toHaveProperty('credentialsSealed');
    expect(JSON.stringify(await store.channelAccounts.findById(created.id))).not.toContain('PLAINTEXT');

    const raw = await db.knex('channel_accounts').where({ id: created.id }).first();
    expect(typeof raw.credentials_enc).toBe('string');
    expect(raw.credentials_enc).not.toContain('PLAINTEXT');
    expect(raw.credentials_enc).not.toContain('channelSecret');
    expect(box.open((await store.channelAccounts.sealedCredentials(created.id)) as string)).toEqual(credentials);
    expect(() => new SecretBox('another-key-another-key-another-key-00').open(raw.credentials_enc)).toThrow();

    const rotated = { channelSecret: 'rotated-PLAINTEXT' };
    const updated = await store.channelAccounts.update(
      created.id,
      { name: 'LINE OA 2', active: false, credentialsSealed: box.seal(rotated) },
      T0 + 1,
    );
    expect(updated).toMatchObject({ name: 'LINE OA 2', active: false, updatedAt: T0 + 1 });
    expect(box.open((await store.channelAccounts.sealedCredentials(created.id)) as string)).toEqual(rotated);
    expect((await store.channelAccounts.list()).map((a) => a.id)).toContain(created.id);
    expect(await store.channelAccounts.hasConversations(created.id)).toBe(false);
  });

  test('conversations: only one unresolved per customer and account, enforced by the database', async () => {
    const acct = await account();
    const cust = await customer();
    const first = await conversation(cust.id, acct.id);
    expect(await store.conversations.findUnresolved(cust.id, acct.id)).toEqual(first);

    const err = await rejection(conversation(cust.id, acct.id, T0 + 1));
    expect(isUniqueViolation(err)).toBe(true);
    // 'pending' and 'snoozed' are unresolved too.
    await store.conversations.update(first.id, { status: 'snoozed' }, T0 + 2);
    expect(isUniqueViolation(await rejection(conversation(cust.id, acct.id, T0 + 3)))).toBe(true);

    // Once resolved, a new one may open; the resolved one is found as the last resolved.
    await store.conversations.update(first.id, { status: 'resolved', resolvedAt: T0 + 4 }, T0 + 4);
    expect(await store.conversations.findUnresolved(cust.id, acct.id)).toBeUndefined();
    const second = await conversation(cust.id, acct.id, T0 + 5);
    expect(await store.conversations.findUnresolved(cust.id, acct.id)).toMatchObject({ id: second.id, status: 'open' });
    expect(await store.conversations.findLastResolved(cust.id, acct.id)).toMatchObject({ id: first.id, resolvedAt: T0 + 4 });
    expect(await store.channelAccounts.hasConversations(acct.id)).toBe(true);

    // Another account, or another customer, is independent.
    const acct2 = await account('web_chat', 'Second site');
    await expect(conversation(cust.id, acct2.id)).resolves.toMatchObject({ status: 'open' });
    const patched = await store.conversations.update(
      second.id,
      { priority: 3, assigneeId: null, subject: 'Parcel', firstResponseAt: T0 + 9 },
      T0 + 9,
    );
    expect(patched).toMatchObject({ priority: 3, subject: 'Parcel', firstResponseAt: T0 + 9, updatedAt: T0 + 9, status: 'open' });
  });

  test('reopen flips only a resolved conversation, so one of several racing writers wins', async () => {
    const acct = await account();
    const cust = await customer();
    const conv = await conversation(cust.id, acct.id);
    expect(await store.conversations.reopen(conv.id, T0 + 1)).toBe(false); // open: nothing to reopen
    await store.conversations.update(conv.id, { status: 'resolved', resolvedAt: T0 + 2 }, T0 + 2);
    const wins = await Promise.all([1, 2, 3, 4].map(() => store.conversations.reopen(conv.id, T0 + 3)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await store.conversations.findById(conv.id)).toMatchObject({ status: 'open', resolvedAt: null, updatedAt: T0 + 3 });
  });

  test('messages: a provider message id is stored once per account; NULL provider ids may repeat', async () => {
    const acct = await account();
    const other = await account('web_chat', 'Other site');
    const conv = await conversation((await customer()).id, acct.id);
    const convOther = await conversation((await customer()).id, other.id);

    const stored = await message(conv, 'p-1', 'สวัสดี 👋');
    expect(await store.messages.findById(stored.id)).toEqual(stored);
    expect(await store.messages.findByProviderId(acct.id, 'p-1')).toEqual(stored);
    expect(stored.parts).toEqual([{ type: 'text', text: 'สวัสดี 👋' }]);
    expect(stored.private).toBe(false);

    const err = await rejection(message(conv, 'p-1', 'again'));
    expect(isUniqueViolation(err)).toBe(true);
    // The same provider id on another account is another message.
    await expect(message(convOther, 'p-1')).resolves.toMatchObject({ channelAccountId: other.id });

    const a = await message(conv, null, 'outbound 1');
    const b = await message(conv, null, 'outbound 2');
    expect(a.id).not.toBe(b.id);
    expect(await store.messages.findByProviderId(acct.id, 'p-1')).toMatchObject({ id: stored.id, text: 'สวัสดี 👋' });

    // Delivery updates may set the provider id later; the unique key still holds.
    const sent = await store.messages.updateDelivery(a.id, { status: 'sent', providerMessageId: 'p-out-1' }, T0 + 1);
    expect(sent).toMatchObject({ status: 'sent', providerMessageId: 'p-out-1', updatedAt: T0 + 1 });
    expect(
      isUniqueViolation(await rejection(store.messages.updateDelivery(b.id, { status: 'sent', providerMessageId: 'p-out-1' }, T0 + 2))),
    ).toBe(true);
    const failed = await store.messages.updateDelivery(
      b.id,
      { status: 'failed', errorCode: 'AUTH', errorMessage: 'x'.repeat(600) },
      T0 + 3,
    );
    expect(failed?.errorMessage).toHaveLength(500);

    const listed = await store.messages.listForConversation(conv.id, { limit: 10, includePrivate: true });
    expect(listed.map((m) => m.id)).toEqual([stored.id, a.id, b.id]);
    expect(
      (await store.messages.listForConversation(conv.id, { limit: 10, includePrivate: true, after: stored.id })).map((m) => m.id),
    ).toEqual([a.id, b.id]);
    expect(await store.messages.countAll()).toBeGreaterThanOrEqual(4);
  });

  test('private messages are hidden from the customer view', async () => {
    const acct = await account();
    const cust = await customer();
    const conv = await conversation(cust.id, acct.id);
    const visible = await message(conv, 'v-1');
    const note = await store.messages.insert(
      {
        conversationId: conv.id,
        channelAccountId: acct.id,
        direction: 'outbound',
        senderType: 'agent',
        senderId: null,
        parts: [{ type: 'text', text: 'internal' }],
        text: 'internal',
        private: true,
        providerMessageId: null,
        status: 'sent',
      },
      T0,
    );
    expect(note.private).toBe(true);
    expect((await store.messages.listVisibleForCustomer(cust.id, acct.id, { limit: 10 })).map((m) => m.id)).toEqual([visible.id]);
    expect((await store.messages.listForConversation(conv.id, { limit: 10, includePrivate: false })).map((m) => m.id)).toEqual([
      visible.id,
    ]);
    expect((await store.messages.listForConversation(conv.id, { limit: 10, includePrivate: true })).map((m) => m.id)).toEqual([
      visible.id,
      note.id,
    ]);
  });

  test('conversation list: cursor paging returns every conversation exactly once, newest first', async () => {
    const acct = await account('email', 'Support inbox');
    // Created in a shuffled order so that id order and last_message_at order disagree.
    const offsets = Array.from({ length: 30 }, (_, i) => (i * 17) % 30);
    const created: Conversation[] = [];
    for (const offset of offsets) created.push(await conversation((await customer()).id, acct.id, T0 + offset * 1000, 'email'));
    const expected = [...created].sort((x, y) => y.lastMessageAt - x.lastMessageAt).map((c) => c.id);

    const seen: string[] = [];
    let cursor: ConversationCursor | undefined;
    let pages = 0;
    for (;;) {
      const page = await store.conversations.list({ channelAccountId: acct.id }, 7, cursor);
      pages++;
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(7);
      seen.push(...page.map((c) => c.id));
      const last = page.at(-1)!;
      cursor = { lastMessageAt: last.lastMessageAt, id: last.id };
      if (pages > 10) throw new Error('paging does not end');
    }
    expect(pages).toBe(6); // 7+7+7+7+2, then an empty page
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(30);
  });

  test('conversation list: ties on last_message_at are broken by id, so paging never skips or repeats', async () => {
    const acct = await account('sms', 'SMS');
    const created: Conversation[] = [];
    for (let i = 0; i < 20; i++) created.push(await conversation((await customer()).id, acct.id, T0 + Math.floor(i / 5) * 1000, 'sms'));
    const seen: string[] = [];
    let cursor: ConversationCursor | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await store.conversations.list({ channelAccountId: acct.id }, 3, cursor);
      if (rows.length === 0) break;
      seen.push(...rows.map((c) => c.id));
      cursor = { lastMessageAt: rows.at(-1)!.lastMessageAt, id: rows.at(-1)!.id };
    }
    const expected = [...created].sort((x, y) => y.lastMessageAt - x.lastMessageAt || (x.id < y.id ? 1 : -1)).map((c) => c.id);
    expect(seen).toEqual(expected);
  });

  test('conversation list filters: status, assignee, channel, customer, queue, priority, text, visibility', async () => {
    const acct = await account('line', 'LINE filters');
    const agent = await store.users.create({ email: 'filters-agent@example.com', name: 'A', role: 'agent', passwordHash: 'h' }, T0);
    const colleague = await store.users.create({ email: 'filters-colleague@example.com', name: 'B', role: 'agent', passwordHash: 'h' }, T0);
    const custs = await Promise.all([customer(), customer(), customer(), customer()]);
    const [open, mine, theirs, done] = [
      await conversation(custs[0]!.id, acct.id, T0 + 1, 'line'),
      await conversation(custs[1]!.id, acct.id, T0 + 2, 'line'),
      await conversation(custs[2]!.id, acct.id, T0 + 3, 'line'),
      await conversation(custs[3]!.id, acct.id, T0 + 4, 'line'),
    ] as [Conversation, Conversation, Conversation, Conversation];
    await store.conversations.update(mine.id, { assigneeId: agent.id, priority: 5, queueId: 'q-vip', status: 'pending' }, T0 + 5);
    await store.conversations.update(theirs.id, { assigneeId: colleague.id }, T0 + 5);
    await store.conversations.update(done.id, { status: 'resolved', resolvedAt: T0 + 6 }, T0 + 6);
    await message(open, 'f-1', 'Where is my PARCEL?');
    await message(theirs, 'f-2', 'refund please');

    const ids = async (filter: Parameters<Store['conversations']['list']>[0]) =>
      (await store.conversations.list({ channelAccountId: acct.id, ...filter }, 50)).map((c) => c.id).sort();
    const sorted = (...cs: Conversation[]) => cs.map((c) => c.id).sort();

    expect(await ids({})).toEqual(sorted(open, mine, theirs, done));
    expect(await ids({ status: ['open', 'pending'] })).toEqual(sorted(open, mine, theirs));
    expect(await ids({ status: ['resolved'] })).toEqual(sorted(done));
    expect(await ids({ assigneeId: null })).toEqual(sorted(open, done));
    expect(await ids({ assigneeId: agent.id })).toEqual(sorted(mine));
    expect(await ids({ visibleTo: agent.id })).toEqual(sorted(open, mine, done));
    expect(await ids({ customerId: custs[2]!.id })).toEqual(sorted(theirs));
    expect(await ids({ queueId: 'q-vip' })).toEqual(sorted(mine));
    expect(await ids({ minPriority: 1 })).toEqual(sorted(mine));
    expect(await ids({ query: 'parcel' })).toEqual(sorted(open));
    expect(await ids({ query: 'REFUND' })).toEqual(sorted(theirs));
    expect(await ids({ channelKind: 'line' })).toEqual(sorted(open, mine, theirs, done));
    expect(await ids({ channelKind: 'email' })).toEqual([]);
  });

  test('outbox: claims lease items; a second claim gets nothing until the lease expires; retry, done, failed', async () => {
    const acct = await account('sms', 'Outbox SMS');
    const conv = await conversation((await customer()).id, acct.id);
    const [m1, m2, m3] = [await message(conv, null, 'one'), await message(conv, null, 'two'), await message(conv, null, 'three')] as [
      Message,
      Message,
      Message,
    ];
    const t = T0 + 10 * HOUR; // later than anything other tests enqueue
    await store.outbox.enqueue(m1.id, acct.id, t);
    await store.outbox.enqueue(m2.id, acct.id, t + 1);
    await store.outbox.enqueue(m3.id, acct.id, t + 2);
    // One outbox row per message.
    expect(isUniqueViolation(await rejection(store.outbox.enqueue(m1.id, acct.id, t)))).toBe(true);
    expect(await store.outbox.nextDueAt()).toBe(t);

    expect(await store.outbox.claimDue(t - 1, 10, 1000)).toEqual([]); // not due yet
    const first = await store.outbox.claimDue(t + 2, 2, 1000);
    expect(first.map((i) => [i.messageId, i.attempts])).toEqual([
      [m1.id, 1],
      [m2.id, 1],
    ]);
    const second = await store.outbox.claimDue(t + 2, 10, 1000);
    expect(second.map((i) => i.messageId)).toEqual([m3.id]);
    expect(await store.outbox.claimDue(t + 500, 10, 1000)).toEqual([]); // all leased

    // Concurrent claims never hand the same item to two workers.
    const [i1, i2, i3] = [first[0]!, first[1]!, second[0]!];
    await store.outbox.markRetry(i1.id, t + 800, 'TEMPORARY', 'provider 503', t + 600);
    expect(await store.outbox.claimDue(t + 799, 10, 1000)).toEqual([]); // backing off
    const racing = await Promise.all([store.outbox.claimDue(t + 800, 10, 1000), store.outbox.claimDue(t + 800, 10, 1000)]);
    expect(racing.flat().map((i) => [i.id, i.attempts])).toEqual([[i1.id, 2]]);

    // An expired lease makes the item claimable again (its worker died).
    await store.outbox.markDone(i2.id, t + 900);
    const reclaimed = await store.outbox.claimDue(t + 2 + 1001, 10, 1000); // i1 is still leased until t + 1800
    expect(reclaimed.map((i) => [i.id, i.attempts])).toEqual([[i3.id, 2]]);

    await store.outbox.markFailed(i3.id, 'AUTH', 'y'.repeat(700), t + 3100);
    await store.outbox.markDone(i1.id, t + 3200);
    expect(await store.outbox.claimDue(t + 100 * HOUR, 10, 1000)).toEqual([]);
    const rows = await db.knex('outbox').whereIn('id', [i1.id, i2.id, i3.id]).orderBy('created_at');
    expect(rows.map((r) => [r.status, Number(r.attempts), r.locked_until])).toEqual([
      ['done', 2, null],
      ['done', 1, null],
      ['failed', 2, null],
    ]);
    expect(rows[0].last_error_code).toBe('TEMPORARY');
    expect(rows[2].last_error).toHaveLength(500);
    expect(await store.outbox.nextDueAt()).toBeUndefined();
  });

  test('attachments link to a message once', async () => {
    const acct = await account();
    const conv = await conversation((await customer()).id, acct.id);
    const base = { channelAccountId: acct.id, uploaderType: 'customer' as const, uploaderId: 'visitor-1', size: 3, sha256: 'a'.repeat(64) };
    const photo = await store.attachments.create({ ...base, filename: 'รูป.png', contentType: 'image/png', storageKey: 'k1' }, T0);
    const doc = await store.attachments.create({ ...base, filename: 'doc.pdf', contentType: 'application/pdf', storageKey: 'k2' }, T0);
    expect(photo).toMatchObject({ messageId: null, filename: 'รูป.png', createdAt: T0 });
    expect(await store.attachments.findById(photo.id)).toEqual(photo);

    const m1 = await message(conv, 'att-1');
    const m2 = await message(conv, 'att-2');
    await store.attachments.linkToMessage([photo.id, doc.id], m1.id);
    await store.attachments.linkToMessage([photo.id], m2.id); // already linked: not moved
    await store.attachments.linkToMessage([], m2.id);
    const linked = await store.attachments.findManyByIds([photo.id, doc.id]);
    expect(linked.map((a) => a.messageId)).toEqual([m1.id, m1.id]);
    expect(await store.attachments.findManyByIds([])).toEqual([]);
  });

  test('audit log records entries and pages newest first', async () => {
    for (let i = 0; i < 5; i++) {
      await store.audit.record(
        { actorType: 'user', actorId: 'u-1', action: 'audit.test', targetType: 'thing', targetId: `t-${i}`, data: { i, note: 'ทดสอบ' } },
        T0 + i,
      );
    }
    await store.audit.record({ actorType: 'system', actorId: null, action: 'audit.test', targetType: 'thing', targetId: null }, T0 + 5);
    const page1 = (await store.audit.list(4)).filter((e) => e.action === 'audit.test');
    expect(page1.map((e) => e.targetId)).toEqual([null, 't-4', 't-3', 't-2']);
    expect(page1[1]).toMatchObject({ actorType: 'user', actorId: 'u-1', data: { i: 4, note: 'ทดสอบ' }, createdAt: T0 + 4 });
    expect(page1[0]?.data).toEqual({});
    const page2 = await store.audit.list(10, page1.at(-1)!.id);
    expect(page2.filter((e) => e.action === 'audit.test').map((e) => e.targetId)).toEqual(['t-1', 't-0']);
  });

  test('web chat sessions are found by token hash only', async () => {
    const acct = await account();
    const cust = await customer();
    const token = newToken();
    const session = await store.webChatSessions.create({ channelAccountId: acct.id, customerId: cust.id, tokenHash: hashToken(token) }, T0);
    expect(await store.webChatSessions.findByTokenHash(hashToken(token))).toEqual(session);
    expect(await store.webChatSessions.findByTokenHash(hashToken('other'))).toBeUndefined();
    await store.webChatSessions.touch(session.id, T0 + 1);
    expect((await db.knex('web_chat_sessions').where({ id: session.id }).first()).last_seen_at).toBe(T0 + 1);
  });

  test('a transaction rolls back entirely, and retries on a unique collision', async () => {
    const acct = await account();
    const cust = await customer();
    await expect(
      store.transaction(async (tx) => {
        await tx.conversations.create({ customerId: cust.id, channelAccountId: acct.id, channelKind: 'web_chat' }, T0);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.conversations.findUnresolved(cust.id, acct.id)).toBeUndefined();

    // A unique collision inside the transaction rolls back everything it wrote, then the work runs again.
    let attempts = 0;
    const result = await store.transaction(async (tx) => {
      attempts++;
      const existing = await tx.conversations.findUnresolved(cust.id, acct.id);
      if (existing) throw new Error('the first attempt was not rolled back');
      const created = await tx.conversations.create({ customerId: cust.id, channelAccountId: acct.id, channelKind: 'web_chat' }, T0);
      if (attempts === 1) await tx.conversations.create({ customerId: cust.id, channelAccountId: acct.id, channelKind: 'web_chat' }, T0);
      return created;
    });
    expect(attempts).toBe(2);
    expect(result.id).toBe((await store.conversations.findUnresolved(cust.id, acct.id))?.id);
    expect(await store.conversations.list({ customerId: cust.id }, 10)).toHaveLength(1);
  });
});
