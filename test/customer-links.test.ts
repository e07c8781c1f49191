// One person, one profile, over real HTTP and sockets on both engines: agents add phones and emails
// (normalized; one that belongs to someone else is a conflict naming them), record consent per channel,
// and link two profiles into one. A merge moves every conversation, identity, chat session and consent,
// keeps the most recent consent decision, tells the consoles, and is refused (writing nothing) when the
// two have open conversations on the same account.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, ENGINES, nextEvent, startTestServer, type ApiResponse, type ClientSocket, type TestServer } from './support/harness.js';
import { RowCounter } from './support/row-counts.js';
import { openConversation, type OpenedConversation } from './support/scenario.js';

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error.message.length).toBeGreaterThan(10);
}

describe.each(ENGINES)('linking customers on %s', (engine) => {
  let server: TestServer;
  let admin: string;
  let agent: { id: string; token: string };
  let supervisor: { id: string; token: string };
  let accounts: [string, string];
  const sockets: ClientSocket[] = [];
  const call = (method: string, url: string, token: string, body?: unknown) => server.api.request(method, `/api/v1${url}`, { token, body });

  async function newCustomer(account: string, text: string): Promise<OpenedConversation & { customerId: string }> {
    const opened = await openConversation(server, account, text);
    sockets.push(opened.socket);
    return { ...opened, customerId: (await server.store.conversations.findById(opened.conversationId))!.customerId };
  }

  async function auditOf(action: string, targetId: string) {
    const counter = RowCounter.open(server);
    try {
      return (await counter.rows('audit_log')).filter((r) => r.action === action && r.target_id === targetId);
    } finally {
      await counter.close();
    }
  }

  beforeAll(async () => {
    server = await startTestServer(engine);
    admin = await server.api.login();
    agent = await server.api.userWithRole(admin, 'agent', 'Link Agent');
    supervisor = await server.api.userWithRole(admin, 'supervisor', 'Link Supervisor');
    accounts = [await server.api.webChatAccount(admin, 'Shop site'), await server.api.webChatAccount(admin, 'Service site')];
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('an agent adds a phone (Thai national format, stored in E.164) and an email; adding again is a no-op', async () => {
    const { customerId } = await newCustomer(accounts[0], 'ขอสอบถามค่ะ');
    const phone = await call('POST', `/customers/${customerId}/identities`, agent.token, { kind: 'phone', value: '081 234 5678' });
    expect(phone.status).toBe(201);
    expect(phone.body.identity).toMatchObject({ kind: 'phone', value: '+66812345678', customerId });
    const again = await call('POST', `/customers/${customerId}/identities`, agent.token, { kind: 'phone', value: '+66 81 234 5678' });
    expect(again.body.identity.id).toBe(phone.body.identity.id);
    const email = await call('POST', `/customers/${customerId}/identities`, agent.token, {
      kind: 'email',
      value: ' Somchai@Example.CO.TH ',
    });
    expect(email.body.identity.value).toBe('somchai@example.co.th');
    const read = await call('GET', `/customers/${customerId}`, agent.token);
    expect(read.body.customer.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`)).toEqual(
      expect.arrayContaining(['phone:+66812345678', 'email:somchai@example.co.th']),
    );
  });

  test('an identity another customer has is a conflict that names them; bad values write nothing', async () => {
    const owner = await newCustomer(accounts[0], 'first');
    await call('PATCH', `/customers/${owner.customerId}`, agent.token, { name: 'Napat Owner' });
    await call('POST', `/customers/${owner.customerId}/identities`, agent.token, { kind: 'email', value: 'napat@example.com' });
    const other = await newCustomer(accounts[1], 'second');
    const counter = RowCounter.open(server);
    try {
      const before = await counter.counts();
      const clash = await call('POST', `/customers/${other.customerId}/identities`, agent.token, {
        kind: 'email',
        value: 'NAPAT@example.com',
      });
      expectError(clash, 409, 'CONFLICT');
      expect(clash.body.error.details).toEqual({ customerId: owner.customerId, name: 'Napat Owner' });
      for (const body of [
        { kind: 'phone', value: '12' },
        { kind: 'phone', value: 'not a number' },
        { kind: 'email', value: 'no-at-sign.example.com' },
        { kind: 'line', value: 'U123456' },
        { kind: 'email' },
        { kind: 'email', value: 'a@b.co', extra: 1 },
      ]) {
        expectError(await call('POST', `/customers/${other.customerId}/identities`, agent.token, body), 400, 'VALIDATION');
      }
      expectError(
        await call('POST', `/customers/no-such/identities`, agent.token, { kind: 'email', value: 'x@example.com' }),
        404,
        'NOT_FOUND',
      );
      expect(await counter.counts()).toEqual(before);
    } finally {
      await counter.close();
    }
  });

  test('only a supervisor removes an identity', async () => {
    const { customerId } = await newCustomer(accounts[0], 'remove me');
    const added = await call('POST', `/customers/${customerId}/identities`, agent.token, { kind: 'phone', value: '+66 2 123 4567' });
    const url = `/customers/${customerId}/identities/${added.body.identity.id}`;
    expectError(await call('DELETE', url, agent.token), 403, 'FORBIDDEN');
    expect((await call('DELETE', url, supervisor.token)).status).toBe(204);
    expectError(await call('DELETE', url, supervisor.token), 404, 'NOT_FOUND');
    const identities = await server.store.customers.identities(customerId);
    expect(identities.map((i) => i.kind)).toEqual(['web_chat']);
  });

  test('consent per channel: recorded with its source and who recorded it, changed later, audited', async () => {
    const { customerId } = await newCustomer(accounts[0], 'consent');
    const optIn = await call('PUT', `/customers/${customerId}/consents/sms`, agent.token, {
      status: 'opted_in',
      source: 'agreed on the phone',
    });
    expect(optIn.status).toBe(200);
    expect(optIn.body.consent).toMatchObject({ channel: 'sms', status: 'opted_in', source: 'agreed on the phone', recordedBy: agent.id });
    await call('PUT', `/customers/${customerId}/consents/line`, agent.token, { status: 'opted_in', source: 'LINE follow' });
    const optOut = await call('PUT', `/customers/${customerId}/consents/sms`, agent.token, {
      status: 'opted_out',
      source: 'asked by email',
    });
    expect(optOut.body.consent).toMatchObject({ id: optIn.body.consent.id, status: 'opted_out' });
    const read = await call('GET', `/customers/${customerId}`, agent.token);
    expect(read.body.customer.consents.map((c: { channel: string; status: string }) => `${c.channel}:${c.status}`)).toEqual([
      'line:opted_in',
      'sms:opted_out',
    ]);
    const counter = RowCounter.open(server);
    try {
      const before = await counter.counts();
      expectError(
        await call('PUT', `/customers/${customerId}/consents/fax`, agent.token, { status: 'opted_in', source: 'x' }),
        400,
        'VALIDATION',
      );
      expectError(
        await call('PUT', `/customers/${customerId}/consents/sms`, agent.token, { status: 'maybe', source: 'x' }),
        400,
        'VALIDATION',
      );
      expectError(
        await call('PUT', `/customers/${customerId}/consents/sms`, agent.token, { status: 'opted_in', source: '' }),
        400,
        'VALIDATION',
      );
      expect(await counter.counts()).toEqual(before);
    } finally {
      await counter.close();
    }
    expect(await auditOf('customer.consent', customerId)).toHaveLength(3);
  });

  test('a merge moves conversations, identities, the chat session and consents; the newest consent decision stands', async () => {
    const keep = await newCustomer(accounts[0], 'สวัสดีค่ะ ฉันชื่อมาลี');
    const dup = await newCustomer(accounts[1], 'Hi, Malee again from the service site');
    await call('PATCH', `/customers/${keep.customerId}`, agent.token, { name: 'มาลี ศรีสุข', tags: ['retail'] });
    await call('PATCH', `/customers/${dup.customerId}`, agent.token, {
      name: 'Malee S.',
      locale: 'en',
      tags: ['service'],
      attributes: { plan: 'pro' },
    });
    await call('PATCH', `/customers/${dup.customerId}`, supervisor.token, { valueTier: 'gold' });
    await call('PUT', `/customers/${keep.customerId}/consents/sms`, agent.token, { status: 'opted_in', source: 'form 2024' });
    await call('PUT', `/customers/${dup.customerId}/consents/sms`, agent.token, { status: 'opted_out', source: 'SMS STOP' });
    await call('PUT', `/customers/${dup.customerId}/consents/email`, agent.token, { status: 'opted_in', source: 'newsletter' });

    // The agent viewing the duplicate's conversation hears that its customer changed.
    const watcher = await connect(server.url, { token: supervisor.token });
    sockets.push(watcher);
    expect(await watcher.emitWithAck('room:join', { room: `conversation:${dup.conversationId}` })).toEqual({ ok: true });
    const heard = nextEvent(watcher, 'customer:updated', (e) => e.customerId === dup.customerId);
    const moved = nextEvent(watcher, 'conversation:updated', (c) => c.id === dup.conversationId);

    const merged = await call('POST', `/customers/${keep.customerId}/merge`, agent.token, { sourceCustomerId: dup.customerId });
    expect(merged.status).toBe(200);
    expect(merged.body.customer).toMatchObject({
      id: keep.customerId,
      name: 'มาลี ศรีสุข',
      locale: 'en',
      tags: ['retail', 'service'],
      attributes: { plan: 'pro' },
      valueTier: 'gold',
      mergedInto: null,
    });
    expect((await heard)[0]).toEqual({ customerId: dup.customerId, mergedInto: keep.customerId });
    expect((await moved)[0].customerId).toBe(keep.customerId);

    const read = await call('GET', `/customers/${keep.customerId}`, agent.token);
    expect(read.body.conversations.map((c: { id: string }) => c.id).sort()).toEqual([keep.conversationId, dup.conversationId].sort());
    expect(read.body.customer.identities.map((i: { value: string }) => i.value).sort()).toEqual(
      [keep.visitor.sessionId, dup.visitor.sessionId].sort(),
    );
    expect(
      read.body.customer.consents.map((c: { channel: string; status: string; source: string }) => `${c.channel}:${c.status}:${c.source}`),
    ).toEqual(['email:opted_in:newsletter', 'sms:opted_out:SMS STOP']);
    const gone = await call('GET', `/customers/${dup.customerId}`, agent.token);
    expect(gone.body.customer.mergedInto).toBe(keep.customerId);
    expect(gone.body.conversations).toEqual([]);
    const search = await call('GET', `/customers?q=Malee`, agent.token);
    expect(search.body.customers.map((c: { id: string }) => c.id)).not.toContain(dup.customerId);

    // The duplicate's visitor keeps chatting: same conversation, now on the kept profile, history intact.
    const ack = await dup.socket.emitWithAck('visitor:send', { clientMessageId: 'after-merge', text: 'ยังอยู่ไหมคะ' });
    expect(ack.ok).toBe(true);
    const stored = await server.store.messages.findById((ack as { message: { id: string } }).message.id);
    expect(stored!.conversationId).toBe(dup.conversationId);
    const history = await dup.socket.emitWithAck('visitor:history', {});
    expect(history.ok && history.messages.map((m) => m.parts.map((p) => (p.type === 'text' ? p.text : p.type)).join(''))).toEqual([
      'Hi, Malee again from the service site',
      'ยังอยู่ไหมคะ',
    ]);

    const [audit] = await auditOf('customer.merge', keep.customerId);
    expect(JSON.parse(audit!.data as string)).toMatchObject({ sourceCustomerId: dup.customerId, conversations: 1, identities: 1 });
    // A merged profile is read-only and cannot be merged again.
    expectError(await call('PATCH', `/customers/${dup.customerId}`, agent.token, { name: 'x' }), 409, 'CONFLICT');
    expectError(
      await call('POST', `/customers/${keep.customerId}/merge`, agent.token, { sourceCustomerId: dup.customerId }),
      409,
      'CONFLICT',
    );
  });

  test('a merge is refused, writing nothing, when both have an open conversation on one account; bad requests too', async () => {
    const a = await newCustomer(accounts[0], 'one');
    const b = await newCustomer(accounts[0], 'two');
    const counter = RowCounter.open(server);
    try {
      const before = await counter.counts();
      const storedB = await server.store.customers.findById(b.customerId);
      const clash = await call('POST', `/customers/${a.customerId}/merge`, agent.token, { sourceCustomerId: b.customerId });
      expectError(clash, 409, 'CONFLICT');
      expect(clash.body.error.details).toEqual({ conversationId: b.conversationId });
      expectError(
        await call('POST', `/customers/${a.customerId}/merge`, agent.token, { sourceCustomerId: a.customerId }),
        400,
        'VALIDATION',
      );
      expectError(await call('POST', `/customers/${a.customerId}/merge`, agent.token, { sourceCustomerId: 'nope' }), 400, 'VALIDATION');
      expectError(await call('POST', `/customers/${a.customerId}/merge`, agent.token, {}), 400, 'VALIDATION');
      expectError(
        await call('POST', `/customers/${a.customerId}/merge`, agent.token, { sourceCustomerId: '0190aaaa-0000-7000-8000-000000000000' }),
        404,
        'NOT_FOUND',
      );
      expect(await counter.counts()).toEqual(before);
      expect(await server.store.customers.findById(b.customerId)).toEqual(storedB);
      expect((await server.store.conversations.findById(b.conversationId))!.customerId).toBe(b.customerId);
    } finally {
      await counter.close();
    }
  });
});
