// The desk's report zone (REPORT_TIME_ZONE), on both engines: the daily rollup counts that zone's local
// days, a report without `tz` is in it, the console reads it from GET /reports/settings, and a desk
// restarted with another zone rebuilds its rollup in the new one. A bad zone stops start-up with the
// variable named.
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { startServer, type RunningServer } from '../server/server.js';
import { Api, ENGINES, connect, freshDatabase, testConfig } from './support/harness.js';

const dateIn = (timeZone: string, at: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
const DAY = 86_400_000;

test('REPORT_TIME_ZONE must be an IANA zone', () => {
  const base = { DATABASE_URL: 'sqlite::memory:' };
  expect(loadConfig({ ...base, REPORT_TIME_ZONE: 'Europe/London' }).reportTimeZone).toBe('Europe/London');
  expect(loadConfig(base).reportTimeZone).toBe('Asia/Bangkok');
  // One spelling per zone: a change of case is no change of zone (and rebuilds nothing).
  expect(loadConfig({ ...base, REPORT_TIME_ZONE: 'asia/bangkok' }).reportTimeZone).toBe('Asia/Bangkok');
  let caught: unknown;
  try {
    loadConfig({ ...base, REPORT_TIME_ZONE: 'Mars/Olympus' });
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as ConfigError).problems).toEqual([
    'REPORT_TIME_ZONE: not an IANA time zone; use a name such as Asia/Bangkok or Europe/London',
  ]);
});

describe.each(ENGINES)('the report zone on %s', (engine) => {
  test('reports default to the desk zone and read its rollup; a restart in another zone rebuilds it', async () => {
    const db = await freshDatabase(engine);
    const log = createLogger('silent');
    const start = (zone: string) => startServer(testConfig(db, { REPORT_TIME_ZONE: zone }), log, { schema: db.schema });
    let server: RunningServer | undefined;
    try {
      server = await start('Europe/London');
      let api = new Api(server.url);
      let admin = await api.login();
      const webChat = await api.webChatAccount(admin);
      for (const text of ['สวัสดีค่ะ', 'Hello', 'Is anyone there?']) {
        const session = await api.visitorSession(webChat);
        const visitor = await connect(server.url, { visitorToken: session.token });
        const sent = await visitor.emitWithAck('visitor:send', { clientMessageId: 'first', text });
        visitor.close();
        expect(sent.ok).toBe(true);
      }
      const around = (zone: string) => {
        const now = Date.now();
        return `from=${dateIn(zone, now - DAY)}&to=${dateIn(zone, now + DAY)}`;
      };
      const agent = await api.userWithRole(admin, 'agent');
      expect((await api.request('GET', '/api/v1/reports/settings', { token: agent.token })).status).toBe(403);
      expect((await api.request('GET', '/api/v1/reports/settings', { token: admin })).body).toEqual({ timeZone: 'Europe/London' });

      const london = (await api.request('GET', `/api/v1/reports?${around('Europe/London')}`, { token: admin })).body;
      expect(london.period.timeZone).toBe('Europe/London');
      expect(london.source).toBe('rollup');
      expect(london.totals.conversations).toBe(3);
      // Bangkok's midnights are not London's: added up from the conversations instead.
      const bangkok = (await api.request('GET', `/api/v1/reports?${around('Asia/Bangkok')}&tz=Asia/Bangkok`, { token: admin })).body;
      expect(bangkok.source).toBe('facts');
      expect(bangkok.totals.conversations).toBe(3);
      await server.close();

      server = await start('Asia/Bangkok');
      api = new Api(server.url);
      admin = await api.login();
      expect((await api.request('GET', '/api/v1/reports/settings', { token: admin })).body).toEqual({ timeZone: 'Asia/Bangkok' });
      const rebuilt = (await api.request('GET', `/api/v1/reports?${around('Asia/Bangkok')}`, { token: admin })).body;
      expect(rebuilt.period.timeZone).toBe('Asia/Bangkok');
      expect(rebuilt.source).toBe('rollup');
      expect(rebuilt.totals).toEqual(bangkok.totals);
    } finally {
      await server?.close();
      await db.drop();
    }
  }, 60_000);
});
