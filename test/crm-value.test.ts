// Customer value: RFM scores, quintile cuts, tiers and VIP as pure functions, table-tested at their
// boundaries; then the same rules end to end on both engines: a generated purchase history posted
// through the API, a full refresh, and every customer's scores and tier checked against a brute-force
// computation written here; per-order rescoring between refreshes; tier thresholds to the satang.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  DAY_MS,
  DEFAULT_CRM_SETTINGS,
  daysSince,
  quintileCuts,
  scoreCustomer,
  scoreHigherBetter,
  scoreLowerBetter,
  tierFor,
  valueOf,
  type CrmSettings,
  type Cuts,
  type OrderSummary,
} from '../server/domain/crm/rfm.js';
import { formatAmount, parseAmount } from '../server/domain/crm/orders.js';
import { attributeProblem, isIsoDay, type AttributeDefinition } from '../server/domain/crm/attributes.js';
import { ENGINES, startTestServer, type TestServer } from './support/harness.js';
import { until } from './support/until.js';

const T0 = Date.UTC(2026, 2, 1, 5, 0, 0);
const FREQ: Cuts = [2, 4, 6, 8];
const RECENCY: Cuts = [30, 90, 180, 365];

describe('RFM scores at the cut points', () => {
  test.each([
    [0, 1],
    [2, 1],
    [3, 2],
    [4, 2],
    [5, 3],
    [6, 3],
    [7, 4],
    [8, 4],
    [9, 5],
    [1000, 5],
  ])('more is better: %d against [2,4,6,8] scores %d (a value on a cut stays in the lower band)', (value, score) => {
    expect(scoreHigherBetter(value, FREQ)).toBe(score);
  });

  test.each([
    [0, 5],
    [30, 5],
    [31, 4],
    [90, 4],
    [91, 3],
    [180, 3],
    [181, 2],
    [365, 2],
    [366, 1],
  ])('fewer is better: %d days against [30,90,180,365] scores %d', (days, score) => {
    expect(scoreLowerBetter(days, RECENCY)).toBe(score);
  });

  test.each([
    [T0, 0],
    [T0 - DAY_MS + 1, 0],
    [T0 - DAY_MS, 1],
    [T0 - 30 * DAY_MS, 30],
    [T0 - 30 * DAY_MS - 1, 30],
    [T0 - 31 * DAY_MS, 31],
    [T0 + DAY_MS, 0], // dated ahead (time zones): never negative
  ])('an order at %d is %d whole days old', (at, days) => {
    expect(daysSince(at, T0)).toBe(days);
  });

  test.each<[number[], Cuts]>([
    [[], [0, 0, 0, 0]],
    [[7], [7, 7, 7, 7]],
    [
      [5, 4, 3, 2, 1],
      [1, 2, 3, 4],
    ],
    [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [2, 4, 6, 8],
    ],
    [
      [1, 2, 3, 4, 5, 6],
      [2, 3, 4, 5],
    ], // ranks ⌈1.2⌉=2, ⌈2.4⌉=3, ⌈3.6⌉=4, ⌈4.8⌉=5
    [
      [1, 1, 1, 1, 1, 1, 1, 1, 2, 3],
      [1, 1, 1, 1],
    ], // ties crowd the lowest band
  ])('quintile cuts of %j are %j', (values, cuts) => {
    expect(quintileCuts(values)).toEqual(cuts);
  });

  test('five distinct values land in five bands; with ties one value never splits across bands', () => {
    const values = [10, 20, 30, 40, 50];
    const cuts = quintileCuts(values);
    expect(values.map((v) => scoreHigherBetter(v, cuts))).toEqual([1, 2, 3, 4, 5]);
    const tied = [1, 1, 1, 1, 1, 1, 1, 1, 2, 3];
    const tiedCuts = quintileCuts(tied);
    expect(new Set(tied.filter((v) => v === 1).map((v) => scoreHigherBetter(v, tiedCuts)))).toEqual(new Set([1]));
  });

  test('a customer without orders has no scores and no tier', () => {
    const none: OrderSummary = { orderCount: 0, lastOrderAt: null, windowOrders: 0, windowSpent: 0 };
    const cuts = { recencyDays: RECENCY, frequency: FREQ, monetary: [100, 200, 300, 400] as Cuts };
    expect(scoreCustomer(none, cuts, T0)).toEqual({ recency: null, frequency: null, monetary: null });
    expect(valueOf(none, cuts, DEFAULT_CRM_SETTINGS, { tier: null, vip: null }, T0)).toMatchObject({ valueTier: null, vip: false });
  });
});

describe('tiers and VIP at the thresholds', () => {
  const monetary = DEFAULT_CRM_SETTINGS.tiers; // platinum 100,000 / gold 30,000 / silver 10,000 / bronze 1 (major units)
  const scored = { recency: 3, frequency: 3, monetary: 3 };
  const spent = (hundredths: number): OrderSummary => ({ orderCount: 1, lastOrderAt: T0, windowOrders: 1, windowSpent: hundredths });

  test.each([
    [0, null],
    [99, null],
    [100, 'bronze'],
    [999_999, 'bronze'],
    [1_000_000, 'silver'],
    [2_999_999, 'silver'],
    [3_000_000, 'gold'],
    [9_999_999, 'gold'],
    [10_000_000, 'platinum'],
  ])('window spend of %d hundredths is %s', (hundredths, tier) => {
    expect(tierFor(spent(hundredths), scored, monetary)).toBe(tier);
  });

  const rfm: CrmSettings['tiers'] = { basis: 'rfm', thresholds: { platinum: 13, gold: 10, silver: 7, bronze: 3 } };
  test.each([
    [[1, 1, 1], 'bronze'],
    [[2, 2, 2], 'bronze'],
    [[3, 2, 2], 'silver'],
    [[3, 3, 3], 'silver'],
    [[4, 3, 3], 'gold'],
    [[4, 4, 4], 'gold'],
    [[5, 4, 4], 'platinum'],
    [[5, 5, 5], 'platinum'],
  ])('RFM %j is %s on the RFM-total basis', ([r, f, m], tier) => {
    expect(tierFor(spent(1), { recency: r!, frequency: f!, monetary: m! }, rfm)).toBe(tier);
  });

  const cuts = { recencyDays: RECENCY, frequency: FREQ, monetary: [100, 200, 300, 400] as Cuts };
  test.each([
    ['platinum by spend, no override', 10_000_000, { tier: null, vip: null }, 'platinum', true],
    ['gold by spend, no override', 3_000_000, { tier: null, vip: null }, 'gold', false],
    ['gold by spend, made VIP by hand', 3_000_000, { tier: null, vip: true }, 'gold', true],
    ['platinum by spend, VIP taken away by hand', 10_000_000, { tier: null, vip: false }, 'platinum', false],
    ['bronze by spend, set platinum by hand', 100, { tier: 'platinum', vip: null }, 'platinum', true],
    ['platinum by spend, set silver by hand', 10_000_000, { tier: 'silver', vip: null }, 'silver', false],
  ] as const)('%s', (_name, hundredths, overrides, tier, vip) => {
    const v = valueOf(spent(hundredths), cuts, DEFAULT_CRM_SETTINGS, overrides, T0);
    expect(v.valueTier).toBe(tier);
    expect(v.vip).toBe(vip);
  });
});

describe('amounts and attribute values', () => {
  test.each([
    ['1500', 150_000],
    ['1500.5', 150_050],
    ['1500.50', 150_050],
    ['0', 0],
    ['0.01', 1],
    [' 12.30 ', 1_230],
    [1500.5, 150_050],
    [0.1 + 0.2, 30],
    [19.99, 1_999],
    ['1500.505', null],
    ['-1', null],
    [-0.01, null],
    ['1e3', null],
    ['12,50', null],
    ['', null],
    [1.005, null],
    [Number.NaN, null],
  ])('amount %j is %j hundredths', (input, hundredths) => {
    expect(parseAmount(input)).toBe(hundredths);
  });

  test.each([
    [0, '0.00'],
    [1, '0.01'],
    [150_050, '1500.50'],
  ])('%d hundredths read %s', (hundredths, text) => {
    expect(formatAmount(hundredths)).toBe(text);
  });

  const def = (type: AttributeDefinition['type'], options: string[] = []): AttributeDefinition => ({
    key: 'k',
    label: 'K',
    type,
    options,
    createdAt: 0,
    updatedAt: 0,
  });
  test.each([
    ['text', 'hello', null],
    ['text', 5, 'must be text'],
    ['number', 5.5, null],
    ['number', '5', 'must be a number'],
    ['boolean', false, null],
    ['boolean', 'yes', 'must be true or false'],
    ['date', '2024-02-29', null],
    ['date', '2023-02-29', 'must be a date as YYYY-MM-DD'],
    ['date', '2024-2-1', 'must be a date as YYYY-MM-DD'],
    ['choice', 'gold', null],
    ['choice', 'tin', 'must be one of gold, silver'],
  ] as const)('a %s attribute takes %j: %s', (type, value, problem) => {
    expect(attributeProblem(def(type, ['gold', 'silver']), value)).toBe(problem);
  });

  test('ISO days are real calendar days', () => {
    expect(isIsoDay('2026-12-31')).toBe(true);
    expect(isIsoDay('2026-13-01')).toBe(false);
  });
});

/** A small deterministic generator (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GeneratedOrder {
  customerId: string;
  externalId: string;
  amount: string;
  orderedAt: number;
}

/**
 * The expected scores, computed the long way: each dimension's population sorted, the 20/40/60/80 %
 * nearest-rank values as boundaries, a customer's band counted by comparing with every boundary.
 */
function bruteForce(orders: GeneratedOrder[], customerIds: string[], now: number, windowDays: number) {
  const since = now - windowDays * DAY_MS;
  const per = new Map<string, { n: number; last: number; wn: number; wm: number }>();
  for (const o of orders) {
    const p = per.get(o.customerId) ?? { n: 0, last: 0, wn: 0, wm: 0 };
    p.n++;
    p.last = Math.max(p.last, o.orderedAt);
    if (o.orderedAt >= since) {
      p.wn++;
      p.wm += Math.round(Number(o.amount) * 100);
    }
    per.set(o.customerId, p);
  }
  const population = [...per.values()];
  const boundaries = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.ceil(q * sorted.length) - 1]!);
  };
  const days = (p: { last: number }) => Math.floor((now - p.last) / DAY_MS);
  const rB = boundaries(population.map(days));
  const fB = boundaries(population.map((p) => p.wn));
  const mB = boundaries(population.map((p) => p.wm));
  const band = (v: number, b: number[]) => 1 + b.filter((x) => v > x).length;
  type Expected = { recency: number | null; frequency: number | null; monetary: number | null; tier: string | null; spent: number };
  return new Map<string, Expected>(
    customerIds.map((id): [string, Expected] => {
      const p = per.get(id);
      if (!p) return [id, { recency: null, frequency: null, monetary: null, tier: null, spent: 0 }];
      const spent = p.wm / 100;
      const tier = spent >= 100_000 ? 'platinum' : spent >= 30_000 ? 'gold' : spent >= 10_000 ? 'silver' : spent >= 1 ? 'bronze' : null;
      return [id, { recency: 6 - band(days(p), rB), frequency: band(p.wn, fB), monetary: band(p.wm, mB), tier, spent }];
    }),
  );
}

describe.each(ENGINES)('customer value over the API on %s', (engine) => {
  let server: TestServer;
  let clock = T0;
  let admin: string;

  const api = (method: string, path: string, body?: unknown, token = admin) =>
    server.api.request(method, `/api/v1${path}`, { token, body });
  const newCustomer = async (name: string) => (await server.store.customers.create({ name }, clock)).id;

  beforeAll(async () => {
    server = await startTestServer(engine, {}, { now: () => clock });
    admin = await server.api.login();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('a generated purchase history: after a full refresh every score and tier matches the brute-force computation', async () => {
    const rand = prng(7);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await newCustomer(`Generated ${i}`));
    const orders: GeneratedOrder[] = [];
    ids.forEach((customerId, i) => {
      const n = i % 9 === 0 ? 0 : 1 + Math.floor(rand() * 9);
      for (let k = 0; k < n; k++) {
        const hundredths = 100 + Math.floor(rand() * (i % 5 === 0 ? 6_000_000 : 800_000));
        orders.push({
          customerId,
          externalId: `gen-${i}-${k}`,
          amount: formatAmount(hundredths),
          orderedAt: T0 - Math.floor(rand() * 700 * DAY_MS),
        });
      }
    });
    for (let i = 0; i < orders.length; i += 200) {
      const res = await api('POST', '/orders', orders.slice(i, i + 200));
      expect(res.status).toBe(201);
    }
    const refresh = await api('POST', '/crm/rfm/refresh');
    expect(refresh.status).toBe(200);
    expect(refresh.body.refresh).toMatchObject({ scored: ids.length - Math.ceil(ids.length / 9) });

    const expected = bruteForce(orders, ids, clock, 365);
    for (const id of ids) {
      const res = await api('GET', `/customers/${id}/value`);
      expect(res.status).toBe(200);
      const want = expected.get(id)!;
      expect({ id, ...res.body.value.scores, tier: res.body.value.valueTier }).toEqual({
        id,
        recency: want.recency,
        frequency: want.frequency,
        monetary: want.monetary,
        tier: want.tier,
      });
      expect(res.body.value.vip).toBe(want.tier === 'platinum');
    }
    // Each score is used: the cuts spread five bands over the population.
    const scores = [...expected.values()].filter((v) => v.recency !== null);
    expect(new Set(scores.map((v) => v.recency)).size).toBe(5);
    expect(new Set(scores.map((v) => v.monetary)).size).toBe(5);
  });

  test('an order between refreshes rescores its customer at once against the stored cuts', async () => {
    const id = await newCustomer('Between refreshes');
    const first = await api('POST', `/customers/${id}/orders`, { externalId: 'between-1', amount: '10', orderedAt: clock - 400 * DAY_MS });
    expect(first.status).toBe(201);
    const before = (await api('GET', `/customers/${id}/value`)).body.value;
    expect(before).toMatchObject({ orderCount: 1, windowOrders: 0, windowSpent: '0.00', valueTier: null, scores: { recency: 1 } });

    const big = await api('POST', `/customers/${id}/orders`, { externalId: 'between-2', amount: 150_000, orderedAt: clock - DAY_MS });
    expect(big.status).toBe(201);
    const after = (await api('GET', `/customers/${id}/value`)).body.value;
    expect(after).toMatchObject({ orderCount: 2, totalSpent: '150010.00', windowSpent: '150000.00', valueTier: 'platinum', vip: true });
    expect(after.scores).toEqual({ recency: 5, frequency: expect.any(Number), monetary: 5 });
  });

  test('tier thresholds to the satang, on the settings an admin saves', async () => {
    const settings = {
      ...DEFAULT_CRM_SETTINGS,
      tiers: { basis: 'monetary', thresholds: { platinum: 5000, gold: 2000, silver: 500.5, bronze: 0.01 } },
      vipTiers: ['platinum', 'gold'],
    };
    const saved = await api('PUT', '/crm/settings', settings);
    expect(saved.status).toBe(200);
    const cases: [string, string | null, boolean][] = [
      ['0.00', null, false],
      ['0.01', 'bronze', false],
      ['500.49', 'bronze', false],
      ['500.50', 'silver', false],
      ['1999.99', 'silver', false],
      ['2000', 'gold', true],
      ['4999.99', 'gold', true],
      ['5000.00', 'platinum', true],
    ];
    for (const [amount, tier, vip] of cases) {
      const id = await newCustomer(`Threshold ${amount}`);
      const res = await api('POST', `/customers/${id}/orders`, { externalId: `threshold-${amount}`, amount, orderedAt: clock - DAY_MS });
      expect(res.status).toBe(201);
      const value = (await api('GET', `/customers/${id}/value`)).body.value;
      expect({ amount, tier: value.valueTier, vip: value.vip }).toEqual({ amount, tier, vip });
    }
    // The settings change rescored everyone in the background; an explicit refresh answers when done.
    expect((await api('POST', '/crm/rfm/refresh')).status).toBe(200);
    const status = await api('GET', '/crm/rfm');
    expect(status.body.settings.tiers.thresholds.silver).toBe(500.5);
    expect(status.body.cuts.population).toBeGreaterThan(0);
  });

  test('fixed cuts, and recency ages: a refresh a year later lowers the recency score of a customer who stopped buying', async () => {
    const fixed = { recencyDays: [30, 90, 180, 365], frequency: [1, 2, 4, 8], monetary: [100, 1000, 10_000, 50_000] };
    expect((await api('PUT', '/crm/settings', { ...DEFAULT_CRM_SETTINGS, scoring: { mode: 'fixed', cuts: fixed } })).status).toBe(200);
    const id = await newCustomer('Went quiet');
    await api('POST', `/customers/${id}/orders`, { externalId: 'quiet-1', amount: '100', orderedAt: clock });
    await api('POST', '/crm/rfm/refresh');
    const fresh = (await api('GET', `/customers/${id}/value`)).body.value.scores.recency;
    clock += 400 * DAY_MS;
    admin = await server.api.login(); // a year on, the old session has expired
    await api('POST', '/crm/rfm/refresh');
    const aged = (await api('GET', `/customers/${id}/value`)).body.value;
    expect(fresh).toBe(5);
    expect(aged.scores).toEqual({ recency: 1, frequency: 1, monetary: 1 });
    expect(aged.windowOrders).toBe(0);
    clock -= 400 * DAY_MS;
    admin = await server.api.login();
    expect((await api('PUT', '/crm/settings', DEFAULT_CRM_SETTINGS)).status).toBe(200);
    await api('POST', '/crm/rfm/refresh');
  });

  test("a merge brings the merged profile's orders: the kept customer is rescored at once, and by every refresh", async () => {
    const keep = await newCustomer('Kept profile');
    const dup = await newCustomer('Duplicate profile');
    await api('POST', `/customers/${keep}/orders`, { externalId: 'merge-1', amount: '20000', orderedAt: clock - DAY_MS });
    await api('POST', `/customers/${dup}/orders`, { externalId: 'merge-2', amount: '15000', orderedAt: clock - 2 * DAY_MS });
    expect((await api('GET', `/customers/${keep}/value`)).body.value).toMatchObject({ valueTier: 'silver', orderCount: 1 });
    expect((await api('POST', `/customers/${keep}/merge`, { sourceCustomerId: dup })).status).toBe(200);
    const merged = await until(
      async () => (await api('GET', `/customers/${keep}/value`)).body.value,
      (v) => v.orderCount === 2,
      'the kept customer to count the merged orders',
    );
    expect(merged).toMatchObject({ valueTier: 'gold', totalSpent: '35000.00', windowSpent: '35000.00' });
    expect((await api('POST', '/crm/rfm/refresh')).status).toBe(200);
    expect((await api('GET', `/customers/${keep}/value`)).body.value).toMatchObject({ valueTier: 'gold', orderCount: 2 });
    // Orders posted to the merged profile are refused: they belong to the kept one now.
    const late = await api('POST', `/customers/${dup}/orders`, { externalId: 'merge-3', amount: '1', orderedAt: clock });
    expect(late.status).toBe(400);
    expect(late.body.error.message).toMatch(/was merged into/);
  });

  test("an imported tier and VIP flag are the supervisor's overrides: a refresh keeps them, clearing one hands back", async () => {
    const csv =
      'name,phone,value_tier,vip\nลูกค้าย้ายระบบ,+66812340999,platinum,yes\nNo tier given,+66812340998,,\nSaid no,+66812340997,,no\n';
    const imported = await server.api.request('POST', '/api/v1/customers/import', {
      token: admin,
      raw: csv,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(imported.status).toBe(201);
    const [migrated, plain, saidNo] = imported.body.customerIds as [string, string, string];
    expect((await api('GET', `/customers/${migrated}/value`)).body.value).toMatchObject({
      valueTier: 'platinum',
      vip: true,
      tierOverride: 'platinum',
      vipOverride: true,
    });
    expect((await api('GET', `/customers/${plain}/value`)).body.value).toMatchObject({ tierOverride: null, vipOverride: null, vip: false });
    // "no" (what an export writes for most customers) is not a supervisor's say: VIP stays the tier's to give.
    expect((await api('GET', `/customers/${saidNo}/value`)).body.value).toMatchObject({ vipOverride: null, vip: false });

    // No orders in this desk: computed, the customer would have no tier. The refresh keeps the file's.
    expect((await api('POST', '/crm/rfm/refresh')).status).toBe(200);
    expect((await api('GET', `/customers/${migrated}/value`)).body.value).toMatchObject({ valueTier: 'platinum', vip: true });

    // A supervisor clears the overrides: the next refresh computes them.
    expect((await api('PATCH', `/customers/${migrated}`, { valueTier: null, vip: null })).status).toBe(200);
    expect((await api('POST', '/crm/rfm/refresh')).status).toBe(200);
    expect((await api('GET', `/customers/${migrated}/value`)).body.value).toMatchObject({
      valueTier: null,
      vip: false,
      tierOverride: null,
      vipOverride: null,
    });
  });

  test('settings are for admins and checked', async () => {
    const supervisor = await server.api.userWithRole(admin, 'supervisor');
    expect((await api('POST', '/crm/rfm/refresh', undefined, supervisor.token)).status).toBe(403);
    expect((await api('PUT', '/crm/settings', DEFAULT_CRM_SETTINGS, supervisor.token)).status).toBe(403);
    const bad = await api('PUT', '/crm/settings', {
      ...DEFAULT_CRM_SETTINGS,
      tiers: { basis: 'monetary', thresholds: { platinum: 10, gold: 20, silver: 5, bronze: 1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/thresholds go down from platinum to bronze/);
  });
});
