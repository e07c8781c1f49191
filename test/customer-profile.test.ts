// Editing a customer's profile over real HTTP on both engines: agents set name, language, tags and
// custom attributes (merged, null removes); value tier and VIP are for supervisors; bad bodies are
// refused with a clear error and write nothing; every change is audited.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ENGINES, startTestServer, type ApiResponse, type ClientSocket, type TestServer } from './support/harness.js';
import { RowCounter } from './support/row-counts.js';
import { openConversation } from './support/scenario.js';

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error.message.length).toBeGreaterThan(10);
}

describe.each(ENGINES)('customer profile on %s', (engine) => {
  let server: TestServer;
  let admin: string;
  let customerId: string;
  const sockets: ClientSocket[] = [];
  const patch = (token: string, body: unknown, id = customerId) => server.api.request('PATCH', `/api/v1/customers/${id}`, { token, body });

  beforeAll(async () => {
    server = await startTestServer(engine);
    admin = await server.api.login();
    const opened = await openConversation(server, await server.api.webChatAccount(admin), 'สวัสดีครับ');
    sockets.push(opened.socket);
    customerId = (await server.store.conversations.findById(opened.conversationId))!.customerId;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('an agent sets name, language, tags and attributes; attributes merge and null removes one', async () => {
    const agent = await server.api.userWithRole(admin, 'agent', 'Ploy Agent');
    const first = await patch(agent.token, {
      name: 'สมชาย ใจดี',
      locale: 'th',
      tags: ['Wholesale', 'ลูกค้าประจำ', 'wholesale'],
      attributes: { company: 'บริษัท สยาม จำกัด', orders: 12, newsletter: true },
    });
    expect(first.status).toBe(200);
    expect(first.body.customer).toMatchObject({
      name: 'สมชาย ใจดี',
      locale: 'th',
      tags: ['wholesale', 'ลูกค้าประจำ'],
      attributes: { company: 'บริษัท สยาม จำกัด', orders: 12, newsletter: true },
    });
    const second = await patch(agent.token, { attributes: { orders: 13, newsletter: null } });
    expect(second.body.customer.attributes).toEqual({ company: 'บริษัท สยาม จำกัด', orders: 13 });
    expect(second.body.customer.tags).toEqual(['wholesale', 'ลูกค้าประจำ']);
    const read = await server.api.request('GET', `/api/v1/customers/${customerId}`, { token: agent.token });
    expect(read.body.customer).toMatchObject({ name: 'สมชาย ใจดี', tags: ['wholesale', 'ลูกค้าประจำ'] });
  });

  test('value tier and VIP: supervisors only', async () => {
    const agent = await server.api.userWithRole(admin, 'agent', 'Agent Two');
    const supervisor = await server.api.userWithRole(admin, 'supervisor', 'Sup Nok');
    expectError(await patch(agent.token, { vip: true }), 403, 'FORBIDDEN');
    expectError(await patch(agent.token, { valueTier: 'gold', name: 'Sneaky' }), 403, 'FORBIDDEN');
    expect((await server.store.customers.findById(customerId))!.name).toBe('สมชาย ใจดี');
    const set = await patch(supervisor.token, { valueTier: 'gold', vip: true });
    expect(set.status).toBe(200);
    expect(set.body.customer).toMatchObject({ valueTier: 'gold', vip: true });
  });

  test('bad bodies are refused with a clear error and write nothing', async () => {
    const counter = RowCounter.open(server);
    try {
      const before = await counter.counts();
      const stored = await server.store.customers.findById(customerId);
      for (const body of [
        {},
        { tags: ['has space'] },
        { tags: 'vip' },
        { attributes: { 'bad key!': 1 } },
        { attributes: { nested: { a: 1 } } },
        { locale: 'thai' },
        { valueTier: 'diamond' },
        { name: '' },
        { unknown: true },
      ]) {
        expectError(await patch(admin, body), 400, 'VALIDATION');
      }
      expectError(await patch(admin, { name: 'x' }, 'no-such-customer'), 404, 'NOT_FOUND');
      expect(await counter.counts()).toEqual(before);
      expect(await server.store.customers.findById(customerId)).toEqual(stored);
    } finally {
      await counter.close();
    }
  });
});
