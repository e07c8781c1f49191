// A campaign survives kill -9 of the server sending it: the real `server/main.ts` in a child process,
// SMS through a local fake of Twilio, both engines. The segment mixes customers who opted in, who never
// consented and who replied STOP. The server is killed mid-campaign and a new process takes over the
// same database: every customer who opted in gets the message exactly once, nobody else gets anything,
// and the pace (one a second) holds across the restart, in the database's send times and at Twilio.
import { afterAll, describe, expect, test } from 'vitest';
import { smsCustomers, smsNumber } from './support/crm-scenario.js';
import { killChildren, startCrashScene, type CrashScene } from './support/crash-scene.js';
import { Api, ENGINES } from './support/harness.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6627654321';
const OPTED_IN = 8;
const RATE_PER_MINUTE = 60;
const SENT_BEFORE_KILL = 3;
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 15_000);

afterAll(killChildren);

describe.each(ENGINES)('a campaign through kill -9 on %s', (engine) => {
  let scene: CrashScene | undefined;
  afterAll(() => scene?.close());

  test('only consenting customers get it, each exactly once, though the sender was killed mid-campaign', { timeout: 120_000 }, async () => {
    scene = await startCrashScene(engine, 'campaign-crash', { PUBLIC_URL });
    const { fake, raw, first } = scene;
    let api = new Api(first.url);
    let admin = await api.login();
    const request = (method: string, url: string, body?: unknown) => api.request(method, `/api/v1${url}`, { token: admin, body });

    const number = await smsNumber(api, admin, fake, { name: 'Promotions', phoneNumber: OUR_NUMBER, publicUrl: PUBLIC_URL });
    const customerByPhone = async (phone: string) =>
      eventually(
        async () =>
          (await raw.knex('customer_identities').where({ kind: 'phone', value: phone }).first())?.customer_id as string | undefined,
        (id) => id !== undefined,
        `the customer of ${phone}`,
      ) as Promise<string>;

    // The segment: customers tagged "crash". Some opted in, some never said, some replied STOP.
    const phones = Array.from(
      { length: OPTED_IN + 6 },
      (_, i) => `+6681${String(1_000_000 + i * 7919 + Math.floor(Math.random() * 1000)).slice(0, 7)}`,
    );
    const optedIn = phones.slice(0, OPTED_IN);
    const noConsent = phones.slice(OPTED_IN, OPTED_IN + 3);
    const stopped = phones.slice(OPTED_IN + 3);
    const consent = (phone: string) => (noConsent.includes(phone) ? 'never_asked' : stopped.includes(phone) ? 'stop' : 'opted_in');
    await smsCustomers(
      request,
      phones.map((phone) => ({ phone, consent: consent(phone), profile: { tags: ['crash'] } })),
      {
        greeting: 'hello',
        source: 'checkout',
        texts: async (phone, body) => {
          await number.text(first.url, phone, body);
          return { customerId: await customerByPhone(phone) };
        },
      },
    );
    await eventually(
      () => raw.knex('customer_consents').where({ status: 'opted_out' }),
      (rows) => rows.length === stopped.length,
      'the STOPs recorded',
    );
    const segment = await request('POST', '/segments', {
      name: 'Crash test',
      rules: { all: [{ field: 'tag', op: 'has', value: 'crash' }] },
    });
    expect(segment.status).toBe(201);
    const segmentId = segment.body.segment.id as string;

    // Twilio's side of the story: when each campaign message arrived.
    const arrivals: { to: string; at: number }[] = [];
    fake.on('request', (r: { method: string; path: string; form: Record<string, string> }) => {
      if (r.method === 'POST' && r.path.endsWith('/Messages.json') && r.form.Body?.startsWith('Flash sale')) {
        arrivals.push({ to: r.form.To!, at: Date.now() });
      }
    });
    const campaign = await request('POST', '/campaigns', {
      name: 'Flash sale',
      segmentId,
      channelAccountId: number.accountId,
      template: 'Flash sale today only, {{customer.phone}}',
      ratePerMinute: RATE_PER_MINUTE,
    });
    expect(campaign.status).toBe(201);
    const id = campaign.body.campaign.id as string;
    expect((await request('POST', `/campaigns/${id}/schedule`)).body.campaign.status).toBe('running');

    // Killed between two sends, once the last one's outbox row is settled (so Twilio is never asked twice).
    await eventually(
      async () => arrivals.length,
      (n) => n >= SENT_BEFORE_KILL,
      'the first sends at Twilio',
    );
    const outboxSettled = () =>
      eventually(
        () =>
          raw
            .knex('outbox as o')
            .join('campaign_sends as s', 's.message_id', 'o.message_id')
            .where('s.campaign_id', id)
            .whereNot('o.status', 'done'),
        (rows) => rows.length === 0,
        'the outbox settled',
      );
    await outboxSettled();
    process.kill(first.proc.pid!, 'SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const atKill = await raw.knex('campaign_sends').where({ campaign_id: id });
    const sentAtKill = atKill.filter((r) => r.status === 'sent').length;
    expect(sentAtKill).toBeGreaterThanOrEqual(SENT_BEFORE_KILL);
    expect(sentAtKill).toBeLessThan(OPTED_IN); // mid-campaign

    const second = await scene.restart();
    api = new Api(second.url);
    admin = await api.login();
    const done = await eventually(
      () => request('GET', `/campaigns/${id}`),
      (r) => r.body.campaign?.status === 'done',
      'the campaign done',
    );
    expect(done.body.campaign.stats).toMatchObject({
      targeted: phones.length,
      pending: 0,
      sent: OPTED_IN,
      skipped: { no_consent: noConsent.length, opted_out: stopped.length },
    });
    await eventually(
      async () => arrivals.length,
      (n) => n >= OPTED_IN,
      'every message at Twilio',
    );
    // Every message's outbox row done, then the server stopped: nothing more can reach Twilio.
    await outboxSettled();
    process.kill(second.proc.pid!, 'SIGTERM');
    await second.exited;

    // Exactly once each, to those who opted in; nothing to anyone else.
    expect(arrivals.map((a) => a.to).sort()).toEqual([...optedIn].sort());
    const rows = await raw.knex('campaign_sends').where({ campaign_id: id, status: 'sent' }).orderBy('sent_at');
    const messages = await raw.knex('messages').whereIn(
      'id',
      rows.map((r) => r.message_id),
    );
    expect(messages).toHaveLength(OPTED_IN);
    const outbox = await raw.knex('outbox').whereIn(
      'message_id',
      rows.map((r) => r.message_id),
    );
    expect(outbox.map((o) => o.status)).toEqual(Array(OPTED_IN).fill('done'));

    // The pace held across the restart: recorded send times a slot apart, and at Twilio no 2.5 s held more than three.
    const interval = 60_000 / RATE_PER_MINUTE;
    const sentAt = rows.map((r) => Number(r.sent_at));
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(interval);
    const times = arrivals.map((a) => a.at).sort((a, b) => a - b);
    for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!).toBeGreaterThan(2_500);
  });
});
