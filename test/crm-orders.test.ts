// Orders over the API on both engines: one at a time (idempotent by source and external id), in bulk
// (all or nothing, every bad item named), from CSV (every bad row named, nothing written), and the
// checks on amount, currency, date, customer and role, each leaving the database as it was.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ENGINES, startTestServer, type TestServer } from './support/harness.js';
import { RowCounter } from './support/row-counts.js';

const T0 = Date.UTC(2026, 2, 1, 5, 0, 0);
const DAY = 86_400_000;

describe.each(ENGINES)('orders on %s', (engine) => {
  let server: TestServer;
  let counter: RowCounter;
  let admin: string;
  let supervisor: string;
  let agent: string;
  let malee: string;
  let somchai: string;

  const api = (method: string, path: string, body?: unknown, token = supervisor) =>
    server.api.request(method, `/api/v1${path}`, { token, body });
  const csv = (text: string, token = supervisor) =>
    server.api.request('POST', '/api/v1/orders/import', { token, raw: text, headers: { 'content-type': 'text/csv' } });

  /** The request changes nothing at all. */
  async function writesNothing(request: () => Promise<{ status: number; body: any }>, status: number) {
    const before = await counter.counts();
    const res = await request();
    expect(res.status).toBe(status);
    expect(await counter.counts()).toEqual(before);
    return res;
  }

  beforeAll(async () => {
    server = await startTestServer(engine, {}, { now: () => T0 });
    counter = RowCounter.open(server);
    admin = await server.api.login();
    supervisor = (await server.api.userWithRole(admin, 'supervisor', 'Supervisor Orders')).token;
    agent = (await server.api.userWithRole(admin, 'agent', 'Agent Orders')).token;
    malee = (await server.store.customers.create({ name: 'มาลี' }, T0)).id;
    somchai = (await server.store.customers.create({ name: 'Somchai' }, T0)).id;
    await server.store.customers.linkIdentity(somchai, { kind: 'email', scope: '', value: 'somchai@example.com' }, T0);
    await server.store.customers.linkIdentity(malee, { kind: 'phone', scope: '', value: '+66812345678' }, T0);
  });
  afterAll(async () => {
    await counter?.close();
    await server?.stop();
  });

  test('an order is stored once: the same post again answers 200 with the stored order; other details under its key are a 409', async () => {
    const order = { externalId: 'web-1001', source: 'shop', amount: '1290.50', currency: 'THB', orderedAt: '2026-02-20T10:15:00+07:00' };
    const first = await api('POST', `/customers/${malee}/orders`, order);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      created: true,
      order: {
        customerId: malee,
        source: 'shop',
        externalId: 'web-1001',
        amount: '1290.50',
        currency: 'THB',
        orderedAt: Date.UTC(2026, 1, 20, 3, 15),
      },
    });
    const again = await writesNothing(() => api('POST', `/customers/${malee}/orders`, { ...order, amount: 1290.5 }), 200);
    expect(again.body).toMatchObject({ created: false, order: { id: first.body.order.id } });

    const conflict = await writesNothing(() => api('POST', `/customers/${malee}/orders`, { ...order, amount: '1300' }), 409);
    expect(conflict.body.error.message).toMatch(/web-1001 from shop is already recorded with other details/);
    // The same external id from another source is another order.
    expect((await api('POST', `/customers/${malee}/orders`, { ...order, source: 'pos' })).status).toBe(201);

    const list = await api('GET', `/customers/${malee}/orders`, undefined, agent);
    expect(list.status).toBe(200);
    expect(list.body.orders.map((o: any) => `${o.source}/${o.externalId}`).sort()).toEqual(['pos/web-1001', 'shop/web-1001']);
    const value = await api('GET', `/customers/${malee}/value`, undefined, agent);
    expect(value.body.value).toMatchObject({ orderCount: 2, totalSpent: '2581.00', currency: 'THB' });
  });

  test.each([
    [{ externalId: 'x', amount: '12.345', orderedAt: T0 }, /amount: a non-negative amount with at most two decimals/],
    [{ externalId: 'x', amount: -5, orderedAt: T0 }, /amount/],
    [{ externalId: 'x', amount: '10', currency: 'USD', orderedAt: T0 }, /currency: USD is not the desk's currency THB/],
    [{ externalId: 'x', amount: '10', currency: 'dollars', orderedAt: T0 }, /currency: an ISO 4217 code/],
    [{ externalId: 'x', amount: '10', orderedAt: 'yesterday' }, /orderedAt/],
    [{ externalId: 'x', amount: '10', orderedAt: T0 + 3 * DAY }, /orderedAt: is in the future/],
    [{ externalId: '', amount: '10', orderedAt: T0 }, /externalId/],
    [{ externalId: 'x', amount: '10', orderedAt: T0, note: 'hi' }, /note/],
  ])('a bad order is refused with what is wrong, and nothing is written: %j', async (body, message) => {
    const res = await writesNothing(() => api('POST', `/customers/${somchai}/orders`, body), 400);
    expect(res.body.error.message).toMatch(message);
  });

  test('orders are for supervisors to post, and need a customer that exists', async () => {
    const order = { externalId: 'r-1', amount: '10', orderedAt: T0 };
    await writesNothing(() => api('POST', `/customers/${somchai}/orders`, order, agent), 403);
    await writesNothing(() => api('POST', '/customers/01900000-0000-7000-8000-000000000000/orders', order), 404);
  });

  test('bulk: all or nothing; the 400 names every bad item by index, and no order of the batch is stored', async () => {
    const good = { customerId: somchai, externalId: 'b-1', amount: '100', orderedAt: T0 - DAY };
    const res = await writesNothing(
      () =>
        api('POST', '/orders', [
          good,
          { customerId: somchai, externalId: 'b-2', amount: '1.999', orderedAt: T0 },
          { customerId: '01900000-0000-7000-8000-000000000000', externalId: 'b-3', amount: '5', orderedAt: T0 },
          { customerId: malee, externalId: 'b-4', amount: '5', currency: 'EUR', orderedAt: T0 },
          { ...good, amount: '101' }, // the same key twice in one batch, with other details
        ]),
      400,
    );
    const details = res.body.error.details as { path?: string; index?: number; message: string }[];
    // Schema problems (item 1) come first; the rest are checked once the shapes are right.
    expect(details.map((d) => d.path)).toEqual(['body.1.amount']);

    const second = await writesNothing(
      () =>
        api('POST', '/orders', [
          good,
          { customerId: '01900000-0000-7000-8000-000000000000', externalId: 'b-3', amount: '5', orderedAt: T0 },
          { customerId: malee, externalId: 'b-4', amount: '5', currency: 'EUR', orderedAt: T0 },
          { ...good, amount: '101' },
        ]),
      400,
    );
    expect(second.body.error.details.map((d: any) => [d.index, d.path])).toEqual([
      [1, 'customerId'],
      [2, 'currency'],
      [3, 'externalId'],
    ]);
    expect(second.body.error.message).toMatch(/\[3\]\.externalId: order b-1 from api is already recorded \(item 0\) with other details/);

    const ok = await api('POST', '/orders', [good, { ...good }, { customerId: malee, externalId: 'b-5', amount: 7.25, orderedAt: T0 }]);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ created: 2, existing: 1 });
    expect(ok.body.orders[0].id).toBe(ok.body.orders[1].id);
    const repeat = await writesNothing(() => api('POST', '/orders', [good]), 200);
    expect(repeat.body).toMatchObject({ created: 0, existing: 1 });
    await writesNothing(() => api('POST', '/orders', []), 400);
    await writesNothing(() => api('POST', '/orders', { orders: [good] }), 400);
  });

  test('CSV import: customers by id, email or phone; a bad row names its row and column and nothing is imported', async () => {
    const bad = [
      'external_id,customer_id,email,phone,amount,ordered_at',
      `c-1,${somchai},,,10.50,2026-02-01`,
      'c-2,,nobody@example.com,,20,2026-02-01',
      'c-3,,,081 234 5678,abc,2026-02-01',
      'c-4,,,,5,2026-02-01',
      `c-5,${malee},,,5,not a date`,
    ].join('\n');
    const res = await writesNothing(() => csv(bad), 400);
    expect(res.body.error.details.map((e: any) => [e.row, e.column])).toEqual([
      [3, 'email'],
      [5, 'customer_id'],
    ]);

    const stillBad = [
      'external_id,customer_id,email,phone,amount,ordered_at',
      `c-1,${somchai},,,10.50,2026-02-01`,
      'c-3,,,081 234 5678,abc,2026-02-01',
      `c-5,${malee},,,5,not a date`,
    ].join('\n');
    const res2 = await writesNothing(() => csv(stillBad), 400);
    expect(res2.body.error.details.map((e: any) => [e.row, e.column])).toEqual([
      [3, 'amount'],
      [4, 'ordered_at'],
    ]);
    expect(res2.body.error.message).toMatch(/nothing was imported/);

    const good = [
      'external_id;email;phone;amount;ordered_at;source',
      'c-10;somchai@example.com;;1500;2026-02-01T09:00:00+07:00;pos',
      'c-11;;0812345678;99.99;2026-02-02;pos',
    ].join('\r\n');
    const ok = await csv(good);
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ rows: 2, created: 2, existing: 0, customers: 2 });
    // The same file again: already imported, nothing new.
    const again = await writesNothing(() => csv(good), 200);
    expect(again.body).toMatchObject({ created: 0, existing: 2 });
    await writesNothing(() => csv('external_id,amount\nx,1'), 400);
    await writesNothing(() => csv('external_id,customer_id,amount,ordered_at,colour\n'), 400);
    await writesNothing(
      () =>
        server.api.request('POST', '/api/v1/orders/import', {
          token: supervisor,
          raw: 'a,b',
          headers: { 'content-type': 'application/xml' },
        }),
      415,
    );
  });
});
