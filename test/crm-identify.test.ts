// One customer view on a real server, both engines: two profiles of one person with histories on web chat
// and SMS merged into one timeline (routing stays sticky to the agent who served them last, consent per
// channel keeps the newest decision) and unmerged back exactly; duplicate suggestions for Thai and Latin
// names, shared phones and mailboxes, dismissed for good; CSV import that writes nothing when a row is bad
// (or only the good rows, when asked), with a per-row report; CSV export in UTF-8 that a spreadsheet reads as
// Thai and that a fresh desk imports back.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'csv-parse/sync';
import { randomBytes } from 'node:crypto';
import { smsNumber, type SmsNumber } from './support/crm-scenario.js';
import { ENGINES, connect, nextDomainEvent, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { RowCounter } from './support/row-counts.js';

const T0 = Date.UTC(2026, 2, 2, 3, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6621234567';

interface Agent {
  id: string;
  token: string;
  socket: ClientSocket;
}

describe.each(ENGINES)('one customer view on %s', (engine) => {
  let clock = T0;
  let server: TestServer;
  let fake: FakeTwilio;
  let admin: string;
  let supervisor: { id: string; token: string };
  let ann: Agent;
  let ben: Agent;
  let webChatAccount: string;
  let number: SmsNumber;
  const sockets: ClientSocket[] = [];

  const call = (method: string, url: string, token: string, body?: unknown) => server.api.request(method, `/api/v1${url}`, { token, body });

  async function agent(name: string, queueId: string): Promise<Agent> {
    const user = await server.api.userWithRole(admin, 'agent', name);
    expect((await call('PATCH', `/users/${user.id}/routing`, admin, { queueIds: [queueId] })).status).toBe(200);
    const socket = await connect(server.url, { token: user.token });
    sockets.push(socket);
    return { id: user.id, token: user.token, socket };
  }
  const presence = async (a: Agent, value: 'available' | 'away') =>
    expect(await a.socket.emitWithAck('presence:set', { presence: value })).toEqual({ ok: true });

  /** A web chat visitor writes; resolves with the conversation the message landed in. */
  async function visitorWrites(visitor: { token: string }, text: string): Promise<string> {
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const ack = await socket.emitWithAck('visitor:send', { clientMessageId: `m-${randomBytes(4).toString('hex')}`, text });
    if (!ack.ok) throw new Error(ack.error.message);
    return (await server.store.messages.findById(ack.message.id))!.conversationId;
  }

  /** An SMS from `from`, signed as Twilio signs it; resolves with the conversation it landed in. */
  const smsArrives = async (from: string, body: string): Promise<string> => (await number.arrives(server, from, body)).conversationId;

  /** `to` is offered the conversation that `arrive` opens, accepts it, answers and resolves it. */
  async function served(to: Agent, arrive: () => Promise<string>): Promise<string> {
    const offered = nextEvent(to.socket, 'offer:new');
    const conversationId = await arrive();
    const [{ offer }] = await offered;
    expect(offer.conversationId).toBe(conversationId);
    expect((await to.socket.emitWithAck('offer:accept', { conversationId })).ok).toBe(true);
    clock += MINUTE;
    expect((await call('POST', `/conversations/${conversationId}/messages`, to.token, { text: 'ยินดีให้บริการค่ะ' })).status).toBe(201);
    clock += MINUTE;
    expect((await call('POST', `/conversations/${conversationId}/status`, to.token, { status: 'resolved' })).status).toBe(200);
    return conversationId;
  }

  /** What GET /customers/:id shows, without the fields every write stamps. */
  async function profileOf(id: string) {
    const res = await call('GET', `/customers/${id}`, supervisor.token);
    expect(res.status).toBe(200);
    const { updatedAt: _u, ...customer } = res.body.customer;
    const conversations = (res.body.conversations as { id: string; channelKind: string; customerId: string }[])
      .map((c) => ({ id: c.id, channelKind: c.channelKind, customerId: c.customerId }))
      .sort((a, b) => a.id.localeCompare(b.id));
    return { customer, conversations };
  }

  beforeAll(async () => {
    fake = await FakeTwilio.start();
    server = await startTestServer(
      engine,
      { PUBLIC_URL, REOPEN_WINDOW_HOURS: '1' },
      { now: () => clock, routing: { tickMs: 10 }, outbox: { pollMs: 50 } },
    );
    admin = await server.api.login();
    supervisor = await server.api.userWithRole(admin, 'supervisor', 'Supervisor Pim');
    const queue = await call('POST', '/queues', admin, {
      name: 'Service',
      channels: ['web_chat', 'sms'],
      offerTimeoutMs: 600_000,
      wrapUpMs: 0,
      stickyMs: 24 * HOUR,
    });
    expect(queue.status).toBe(201);
    const queueId = queue.body.queue.id as string;
    webChatAccount = (await call('POST', '/channel-accounts', admin, { kind: 'web_chat', name: 'Shop', queueId })).body.account.id;
    number = await smsNumber(server.api, admin, fake, { name: 'SMS ไทย', phoneNumber: OUR_NUMBER, publicUrl: PUBLIC_URL, queueId });
    ben = await agent('Ben Merge', queueId);
    ann = await agent('Ann Merge', queueId);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.stop();
    await fake?.close();
  });

  test('merging two customers with histories on web chat and SMS: one timeline, sticky routing and consent kept; unmerge restores both', async () => {
    // Kanya chats on the website (Ben serves her); hours later "กัญญา" texts from her phone (Ann serves her).
    await presence(ben, 'available');
    const kanya = await server.api.visitorSession(webChatAccount, { name: 'Kanya Suksan' });
    const chat = await served(ben, () => visitorWrites(kanya, 'Hello, my order has not arrived'));
    const keepId = (await server.store.conversations.findById(chat))!.customerId;
    await presence(ben, 'away');
    await presence(ann, 'available');
    clock += 2 * HOUR;
    const smsConversation = await served(ann, () => smsArrives('+66812345678', 'สวัสดีค่ะ สั่งของไว้ยังไม่ได้รับ'));
    const otherId = (await server.store.conversations.findById(smsConversation))!.customerId;
    expect(otherId).not.toBe(keepId);
    expect(
      await call('PATCH', `/customers/${otherId}`, supervisor.token, { name: 'กัญญา สุขสันต์', tags: ['sms'], valueTier: 'gold' }),
    ).toMatchObject({ status: 200 });
    expect(
      await call('PATCH', `/customers/${keepId}`, supervisor.token, { tags: ['web'], attributes: { city: 'Chiang Mai' } }),
    ).toMatchObject({ status: 200 });
    // Consent: she texted STOP (SMS) and unsubscribed from mail; later she signed up for the newsletter on the website.
    clock += MINUTE;
    await call('PUT', `/customers/${otherId}/consents/sms`, ann.token, { status: 'opted_out', source: 'SMS STOP' });
    await call('PUT', `/customers/${otherId}/consents/email`, ann.token, { status: 'opted_out', source: 'unsubscribe link' });
    clock += MINUTE;
    await call('PUT', `/customers/${keepId}/consents/email`, ben.token, { status: 'opted_in', source: 'newsletter form' });

    const before = { keep: await profileOf(keepId), other: await profileOf(otherId) };
    const sessionBefore = await server.store.webChatSessions.findById(kanya.sessionId);
    expect(await server.store.conversations.lastAssigneeOf(keepId, 'none')).toBe(ben.id);

    // An agent links the SMS profile into the web chat one.
    clock += MINUTE;
    const merged = await call('POST', `/customers/${keepId}/merge`, ann.token, { sourceCustomerId: otherId });
    expect(merged.status).toBe(200);
    expect(merged.body.customer).toMatchObject({
      name: 'Kanya Suksan',
      tags: ['web', 'sms'],
      valueTier: 'gold',
      attributes: { city: 'Chiang Mai' },
    });

    // One timeline: both conversations, web chat and SMS, with their messages.
    const one = await profileOf(keepId);
    expect(one.conversations).toEqual(
      [
        { id: chat, channelKind: 'web_chat', customerId: keepId },
        { id: smsConversation, channelKind: 'sms', customerId: keepId },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    const smsThread = await call('GET', `/conversations/${smsConversation}`, supervisor.token);
    expect(smsThread.body.messages.map((m: { text: string }) => m.text)).toEqual(['สวัสดีค่ะ สั่งของไว้ยังไม่ได้รับ', 'ยินดีให้บริการค่ะ']);
    expect(one.customer.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['phone', 'web_chat']);
    // Consent per channel: the newest decision stands (SMS opt-out from the other profile, the newer email opt-in here).
    expect(
      one.customer.consents.map((c: { channel: string; status: string; source: string }) => `${c.channel}:${c.status}:${c.source}`),
    ).toEqual(['email:opted_in:newsletter form', 'sms:opted_out:SMS STOP']);
    // Routing: the last agent who served this person (Ann, on SMS) is now the sticky agent of the merged profile.
    expect(await server.store.conversations.lastAssigneeOf(keepId, 'none')).toBe(ann.id);

    // The history lists the merge; agents may not undo it.
    const history = await call('GET', `/customers/${keepId}/merges`, ann.token);
    expect(history.body.merges).toHaveLength(1);
    const mergeId = history.body.merges[0].id as string;
    expect(history.body.merges[0]).toMatchObject({
      target: { id: keepId, name: 'Kanya Suksan' },
      source: { id: otherId, name: 'กัญญา สุขสันต์' },
      mergedBy: { id: ann.id },
      undoneAt: null,
      moved: { identities: 1, conversations: 1, consents: 1 },
    });
    expect((await call('POST', `/customers/merges/${mergeId}/undo`, ann.token)).status).toBe(403);

    // A supervisor undoes it: both profiles exactly as before, the consoles told, the undo audited.
    const heardKeep = nextDomainEvent(server, 'customer.updated', (e) => e.customerId === keepId && e.mergedInto === null);
    const heardOther = nextDomainEvent(server, 'customer.updated', (e) => e.customerId === otherId && e.mergedInto === null);
    const moved = nextDomainEvent(server, 'conversation.updated', (e) => e.conversation.id === smsConversation);
    clock += MINUTE;
    const undone = await call('POST', `/customers/merges/${mergeId}/undo`, supervisor.token);
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({
      restored: { identities: 1, conversations: 1, webChatSessions: 0, consents: 2 },
      identitiesGone: [],
    });
    await Promise.all([heardKeep, heardOther]);
    expect((await moved).conversation.customerId).toBe(otherId);
    expect(await profileOf(keepId)).toEqual(before.keep);
    expect(await profileOf(otherId)).toEqual(before.other);
    expect(await server.store.webChatSessions.findById(kanya.sessionId)).toEqual(sessionBefore);
    expect(await server.store.conversations.lastAssigneeOf(keepId, 'none')).toBe(ben.id);
    expect(await server.store.conversations.lastAssigneeOf(otherId, 'none')).toBe(ann.id);
    const counter = RowCounter.open(server);
    try {
      const audit = (await counter.rows('audit_log')).filter((r) => r.action === 'customer.unmerge' && r.target_id === keepId);
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.data as string)).toMatchObject({ sourceCustomerId: otherId, mergeId, conversations: 1 });
      // Undoing twice is refused and writes nothing.
      const counts = await counter.counts();
      const again = await call('POST', `/customers/merges/${mergeId}/undo`, supervisor.token);
      expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: 'CONFLICT' });
      expect(await counter.counts()).toEqual(counts);
    } finally {
      await counter.close();
    }
    // The two are never suggested as duplicates again.
    const suggestions = await call('GET', '/customers/duplicates?limit=100', supervisor.token);
    expect(
      suggestions.body.duplicates.some((d: { keep: { id: string }; other: { id: string } }) => [d.keep.id, d.other.id].includes(otherId)),
    ).toBe(false);

    // Merged again, she writes on the website hours later: the new conversation waits for Ann, who
    // served her last (on SMS), though Ben has been free longer.
    expect((await call('POST', `/customers/${keepId}/merge`, ann.token, { sourceCustomerId: otherId })).status).toBe(200);
    await presence(ben, 'available');
    clock += 2 * HOUR;
    const offered = nextEvent(ann.socket, 'offer:new');
    const next = await visitorWrites(kanya, 'Me again');
    expect(next).not.toBe(chat);
    const [{ offer }] = await offered;
    expect(offer).toMatchObject({ conversationId: next, agentId: ann.id });
    expect((await ann.socket.emitWithAck('offer:accept', { conversationId: next })).ok).toBe(true);
  });

  test('an undo is refused, naming the later merge, when the kept profile was merged again since', async () => {
    const a = (await server.api.visitorSession(webChatAccount, { name: 'Chain Alpha' })).sessionId;
    const b = (await server.api.visitorSession(webChatAccount, { name: 'Chain Beta' })).sessionId;
    const c = (await server.api.visitorSession(webChatAccount, { name: 'Chain Gamma' })).sessionId;
    const [ia, ib, ic] = await Promise.all([a, b, c].map((s) => server.store.webChatSessions.findById(s)));
    const first = await call('POST', `/customers/${ia!.customerId}/merge`, supervisor.token, { sourceCustomerId: ib!.customerId });
    expect(first.status).toBe(200);
    const second = await call('POST', `/customers/${ic!.customerId}/merge`, supervisor.token, { sourceCustomerId: ia!.customerId });
    expect(second.status).toBe(200);
    const [earlier] = (await call('GET', `/customers/${ib!.customerId}/merges`, supervisor.token)).body.merges;
    const [later] = (await call('GET', `/customers/${ic!.customerId}/merges`, supervisor.token)).body.merges;
    const counter = RowCounter.open(server);
    try {
      const counts = await counter.counts();
      const refused = await call('POST', `/customers/merges/${earlier.id}/undo`, supervisor.token);
      expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'CONFLICT' });
      expect(refused.body.error.message).toMatch(/undo that merge first/);
      expect(refused.body.error.details).toEqual({ mergedInto: ic!.customerId, mergeId: later.id });
      expect(await counter.counts()).toEqual(counts);
    } finally {
      await counter.close();
    }
    expect((await call('POST', `/customers/merges/${later.id}/undo`, supervisor.token)).status).toBe(200);
    expect((await call('POST', `/customers/merges/${earlier.id}/undo`, supervisor.token)).status).toBe(200);
    for (const s of [ia, ib, ic]) expect((await server.store.customers.findById(s!.customerId))!.mergedInto).toBeNull();
    const all = await call('GET', '/customers/merges?limit=2', supervisor.token);
    expect(all.body.merges.map((m: { id: string }) => m.id)).toEqual([later.id, earlier.id]);
    expect(all.body.merges.every((m: { undoneBy: { id: string } }) => m.undoneBy.id === supervisor.id)).toBe(true);
    expect((await call('POST', '/customers/merges/0190aaaa-0000-7000-8000-000000000000/undo', supervisor.token)).status).toBe(404);
  });
});

interface Suggestion {
  id: string;
  reasons: string[];
  score: number;
  keep: { id: string; name: string | null };
  other: { id: string; name: string | null };
}

describe.each(ENGINES)('duplicate suggestions and CSV on %s', (engine) => {
  let server: TestServer;
  let admin: string;
  let supervisor: { id: string; token: string };
  let agentToken: string;
  let account: string;

  const call = (method: string, url: string, token: string, body?: unknown) => server.api.request(method, `/api/v1${url}`, { token, body });
  const importCsv = (csv: string, query = '', token = supervisor.token) =>
    server.api.request('POST', `/api/v1/customers/import${query}`, {
      token,
      raw: csv,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
  const exportCsv = async () => {
    const res = await fetch(`${server.url}/api/v1/customers/export`, { headers: { authorization: `Bearer ${supervisor.token}` } });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      disposition: res.headers.get('content-disposition'),
      bytes: Buffer.from(await res.arrayBuffer()),
    };
  };
  /** A web chat visitor who gave a name (and maybe an email): a new customer. */
  async function visitor(name: string, email?: string): Promise<string> {
    const v = await server.api.visitorSession(account, { name, ...(email && { email }) });
    return (await server.store.webChatSessions.findById(v.sessionId))!.customerId;
  }
  async function allSuggestions(limit = 3): Promise<Suggestion[]> {
    const out: Suggestion[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', `/customers/duplicates?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, supervisor.token);
      expect(res.status).toBe(200);
      out.push(...res.body.duplicates);
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  }
  const pairOf = (list: Suggestion[], x: string, y: string) =>
    list.find((s) => (s.keep.id === x && s.other.id === y) || (s.keep.id === y && s.other.id === x));

  beforeAll(async () => {
    server = await startTestServer(engine);
    admin = await server.api.login();
    supervisor = await server.api.userWithRole(admin, 'supervisor', 'Supervisor Dao');
    agentToken = (await server.api.userWithRole(admin, 'agent', 'Agent Dup')).token;
    account = await server.api.webChatAccount(admin, 'Shop');
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('pairs with the same phone, mailbox or name in Thai or Latin script are suggested, scored and paged; dismissed for good', async () => {
    const thaiTitled = await visitor('คุณสมชาย ใจดี');
    const thai = await visitor('สมชาย ใจดี');
    const latin = await visitor('Somchai Jaidee');
    const spaced = await visitor('somchai  jaidee');
    const typo = await visitor('Somchai Jaidii');
    const stranger = await visitor('Malee Srisuk');
    // The same mailbox: one has it as an identity, a visitor typed it (with a +tag) in the chat form.
    const mailOwner = await visitor('Wanida P.');
    expect(
      (await call('POST', `/customers/${mailOwner}/identities`, agentToken, { kind: 'email', value: 'wanida@example.com' })).status,
    ).toBe(201);
    const mailVisitor = await visitor('W.', 'Wanida+shop@Example.com');
    // The same phone: an identity on one profile, a "mobile" attribute on the other.
    const phoneOwner = await visitor('Preecha K.');
    expect((await call('POST', `/customers/${phoneOwner}/identities`, agentToken, { kind: 'phone', value: '089 123 4567' })).status).toBe(
      201,
    );
    const phoneNote = await visitor('P. Kittisak');
    expect((await call('PATCH', `/customers/${phoneNote}`, agentToken, { attributes: { mobile: '+66 89 123 4567' } })).status).toBe(200);

    expect((await call('GET', '/customers/duplicates', agentToken)).status).toBe(403);
    const list = await allSuggestions(3);
    expect(new Set(list.map((s) => s.id)).size).toBe(list.length); // paging repeats nothing
    expect(list.map((s) => s.score)).toEqual([...list.map((s) => s.score)].sort((a, b) => b - a));
    expect(pairOf(list, thaiTitled, thai)).toMatchObject({
      reasons: ['same_name'],
      score: 70,
      keep: { id: thaiTitled },
      other: { id: thai },
    });
    expect(pairOf(list, latin, spaced)).toMatchObject({ reasons: ['same_name'], score: 70 });
    expect(pairOf(list, latin, typo)).toMatchObject({ reasons: ['similar_name'] });
    expect(pairOf(list, mailOwner, mailVisitor)).toMatchObject({ reasons: ['same_email'], score: 90 });
    expect(pairOf(list, phoneOwner, phoneNote)).toMatchObject({ reasons: ['same_phone'], score: 90 });
    expect(list.some((s) => s.keep.id === stranger || s.other.id === stranger)).toBe(false);
    // Thai and Latin spellings of one name meet by their sound (สมชาย ใจดี / Somchai Jaidee).
    expect(pairOf(list, thai, latin)).toMatchObject({ reasons: ['similar_name'], score: 55 });
    expect((await call('GET', '/customers/duplicates?cursor=nonsense', supervisor.token)).status).toBe(400);

    // "Not the same person": gone, and it stays gone when the profile changes again.
    const typoPair = pairOf(list, latin, typo)!;
    expect((await call('POST', `/customers/duplicates/${typoPair.id}/dismiss`, agentToken)).status).toBe(403);
    expect((await call('POST', `/customers/duplicates/${typoPair.id}/dismiss`, supervisor.token)).status).toBe(204);
    expect((await call('PATCH', `/customers/${typo}`, agentToken, { name: 'Somchai Jaideee' })).status).toBe(200);
    const after = await allSuggestions(50);
    expect(pairOf(after, latin, typo)).toBeUndefined();
    expect(pairOf(after, spaced, typo)).toBeDefined(); // other pairs of that profile are still suggested
    expect((await call('POST', '/customers/duplicates/0190aaaa-0000-7000-8000-000000000000/dismiss', supervisor.token)).status).toBe(404);

    // Merging a suggested pair removes it; a renamed profile loses its name pairs.
    expect((await call('POST', `/customers/${thaiTitled}/merge`, agentToken, { sourceCustomerId: thai })).status).toBe(200);
    expect((await call('PATCH', `/customers/${spaced}`, agentToken, { name: 'Anan Wong' })).status).toBe(200);
    const merged = await allSuggestions(50);
    expect(pairOf(merged, thaiTitled, thai)).toBeUndefined();
    expect(pairOf(merged, latin, spaced)).toBeUndefined();
    expect(merged.some((s) => s.other.id === thai || s.keep.id === thai)).toBe(false);
  });

  test('CSV import with bad rows: a clear report for each row, and not one customer written', async () => {
    const owner = await visitor('Existing Owner');
    expect((await call('POST', `/customers/${owner}/identities`, agentToken, { kind: 'email', value: 'taken@example.com' })).status).toBe(
      201,
    );
    const csv = [
      'name,phone,email,language,tags,member_no',
      'มาลี ศรีสุข,081 234 5678,malee@example.com,th,vip;retail,M-001',
      'Bad Phone,12345,,en,,M-002',
      'Bad Email,,not-an-email,en,,M-003',
      'Twin,+66 81 234 5678,,th,,M-004',
      'Taken,,TAKEN@example.com,en,,M-005',
      ',,,th,,M-006',
      'Bad Language,0899999999,,Thai,,M-007',
      '',
      'Good Two,,good.two@example.com,en-gb,,M-008',
    ].join('\n');
    const counter = RowCounter.open(server);
    try {
      const before = await counter.counts();
      const res = await importCsv(csv);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION');
      expect(res.body.error.message).toBe(
        '6 of 8 rows have problems, so nothing was imported: fix them, or import with mode=valid-only to import the other rows',
      );
      const report = res.body.error.details;
      expect(report).toMatchObject({
        mode: 'all-or-nothing',
        rows: 8,
        imported: 0,
        rejected: 6,
        customerIds: [],
        attributeColumns: ['member_no'],
      });
      expect(report.errors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code])).toEqual([
        [3, 'phone', 'bad_phone'],
        [4, 'email', 'bad_email'],
        [5, 'phone', 'duplicate'],
        [6, 'email', 'duplicate'],
        [7, 'name', 'missing'],
        [8, 'language', 'bad_value'],
      ]);
      expect(report.errors[0]).toMatchObject({ value: '12345', message: expect.stringContaining('not a phone number: "12345"') });
      expect(report.errors[2]).toMatchObject({ duplicateOfRow: 2, value: '+66812345678' });
      expect(report.errors[3]).toMatchObject({ customerId: owner, value: 'taken@example.com' });
      expect(await counter.counts()).toEqual(before);

      // A file that is not CSV UTF-8, or not CSV at all, or from an agent: refused, nothing written.
      const latin1 = Buffer.from('name,phone\nS\xf6ren,0812345679\n', 'latin1');
      const notUtf8 = await fetch(`${server.url}/api/v1/customers/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${supervisor.token}`, 'content-type': 'text/csv' },
        body: latin1,
      });
      expect(notUtf8.status).toBe(400);
      expect(((await notUtf8.json()) as { error: { message: string } }).error.message).toMatch(/CSV UTF-8/);
      expect((await importCsv('name,phone\n"unclosed,0812345679\n')).status).toBe(400);
      expect((await importCsv('nickname,note\nx,y\n')).body.error.message).toMatch(
        /needs at least one of the columns name, phone or email/,
      );
      expect((await importCsv(csv, '', agentToken)).status).toBe(403);
      expect((await importCsv(csv, '?mode=some')).status).toBe(400);
      const json = await call('POST', '/customers/import', supervisor.token, { csv });
      expect(json.status).toBe(415);
      expect((await importCsv(`name\n${'x'.repeat(5 * 1024 * 1024)}\n`)).status).toBe(413);
      // A dry run reports without writing.
      const dry = await importCsv(csv, '?mode=valid-only&dryRun=true');
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ dryRun: true, imported: 0, rejected: 6 });
      expect(await counter.counts()).toEqual(before);

      // valid-only writes the two good rows in one transaction and reports the rest.
      const valid = await importCsv(csv, '?mode=valid-only');
      expect(valid.status).toBe(201);
      expect(valid.body).toMatchObject({ mode: 'valid-only', rows: 8, imported: 2, rejected: 6 });
      const after = await counter.counts();
      expect(after.customers - before.customers).toBe(2);
      expect(after.customer_identities - before.customer_identities).toBe(3);
      const [malee, two] = await Promise.all(valid.body.customerIds.map((id: string) => call('GET', `/customers/${id}`, supervisor.token)));
      expect(malee.body.customer).toMatchObject({
        name: 'มาลี ศรีสุข',
        locale: 'th',
        tags: ['vip', 'retail'],
        attributes: { member_no: 'M-001' },
      });
      expect(malee.body.customer.identities.map((i: { value: string }) => i.value)).toEqual(['+66812345678', 'malee@example.com']);
      expect(two.body.customer).toMatchObject({ name: 'Good Two', locale: 'en-GB' });
      const audit = (await counter.rows('audit_log')).filter((r) => r.action === 'customer.import');
      expect(JSON.parse(audit[0]!.data as string)).toEqual({ mode: 'valid-only', rows: 8, imported: 2, rejected: 6 });
    } finally {
      await counter.close();
    }
  });

  test('a multipart upload from a file picker works the same', async () => {
    const form = new FormData();
    form.append('file', new Blob(['\ufeffname;phone\nนภา ใจงาม;0811111111\n'], { type: 'text/csv' }), 'ลูกค้า.csv');
    const res = await fetch(`${server.url}/api/v1/customers/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supervisor.token}` },
      body: form,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ imported: 1, rejected: 0, errors: [] });
  });

  test('export: every live customer as UTF-8 CSV with a BOM, Thai intact; a fresh desk imports it back', async () => {
    const keep = await visitor('ทองดี มีสุข');
    expect(
      (
        await call('PATCH', `/customers/${keep}`, supervisor.token, {
          tags: ['ทอง'],
          valueTier: 'platinum',
          vip: true,
          attributes: { สาขา: 'เชียงใหม่', formula: '=1+1' },
        })
      ).status,
    ).toBe(200);
    expect((await call('POST', `/customers/${keep}/identities`, agentToken, { kind: 'phone', value: '0822222222' })).status).toBe(201);
    const gone = await visitor('Merged Away');
    expect((await call('POST', `/customers/${keep}/merge`, agentToken, { sourceCustomerId: gone })).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/customers/export`, { headers: { authorization: `Bearer ${agentToken}` } })).status).toBe(403);

    const file = await exportCsv();
    expect(file.status).toBe(200);
    expect(file.type).toBe('text/csv; charset=utf-8');
    expect(file.disposition).toMatch(/^attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(file.bytes, { bom: true, columns: true }) as Record<string, string>[];
    const live = (await server.store.customerRecords.livePage(null, 1000)).map((r) => r.customer.id);
    expect(rows.map((r) => r.id).sort()).toEqual(live.sort());
    expect(rows.some((r) => r.id === gone)).toBe(false);
    const row = rows.find((r) => r.id === keep)!;
    expect(row).toMatchObject({
      name: 'ทองดี มีสุข',
      phone: '+66822222222',
      tags: 'ทอง',
      value_tier: 'platinum',
      vip: 'yes',
      'attr:สาขา': 'เชียงใหม่',
      'attr:formula': "'=1+1",
    });
    expect(row.web_chat!.split('; ')).toHaveLength(2);

    // Re-importing into this desk: every row with a phone or email is a duplicate naming its customer.
    const again = await importCsv(file.bytes.toString('utf8'), '?dryRun=true');
    const dup = again.body.errors.find((e: { value: string }) => e.value === '+66822222222');
    expect(dup).toMatchObject({ code: 'duplicate', customerId: keep });

    // Into a fresh desk: the same customers come out again (ids, channel ids and dates are the desk's own).
    const fresh = await startTestServer(engine);
    try {
      const token = await fresh.api.login();
      const imported = await fresh.api.request('POST', '/api/v1/customers/import', {
        token,
        raw: file.bytes.toString('utf8'),
        headers: { 'content-type': 'text/csv' },
      });
      expect(imported.status).toBe(201);
      expect(imported.body).toMatchObject({
        rejected: 0,
        imported: rows.length,
        ignoredColumns: ['id', 'line', 'messenger', 'web_chat', 'slack', 'created_at', 'last_contact_at'],
      });
      const res = await fetch(`${fresh.url}/api/v1/customers/export`, { headers: { authorization: `Bearer ${token}` } });
      const back = parse(Buffer.from(await res.arrayBuffer()), { bom: true, columns: true }) as Record<string, string>[];
      const portable = (r: Record<string, string>) =>
        [r.name, r.phone, r.email, r.language, r.tags, r.value_tier, r.vip, r['attr:สาขา'], r['attr:formula']].join('|');
      expect(back.map(portable).sort()).toEqual(rows.map(portable).sort());
    } finally {
      await fresh.stop();
    }
  });
});
