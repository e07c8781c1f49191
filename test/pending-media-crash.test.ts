// A customer's MMS picture survives kill -9 of the server fetching it: the real `server/main.ts` in a
// child process, both engines, Twilio faked locally. Twilio has its 200 (the message and its text are
// stored) and the server is downloading the picture when it is killed; a new process on the same
// database fetches the picture at start and attaches it to the same message, once.
import { afterAll, describe, expect, test } from 'vitest';
import type { Message, MessagePart } from '../server/domain/types.js';
import { smsNumber } from './support/crm-scenario.js';
import { killChildren, startCrashScene, type CrashScene } from './support/crash-scene.js';
import { Api, ENGINES } from './support/harness.js';
import { PNG_1X1 } from './support/scenario.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6625550101';

afterAll(killChildren);

describe.each(ENGINES)('MMS media through kill -9 on %s', (engine) => {
  let scene: CrashScene | undefined;
  afterAll(() => scene?.close());

  test('a picture the killed server was downloading is fetched by the next one and attached once', { timeout: 90_000 }, async () => {
    scene = await startCrashScene(engine, 'pending-media', { PUBLIC_URL });
    const { fake, raw, first } = scene;
    const api = new Api(first.url);
    const admin = await api.login();
    const number = await smsNumber(api, admin, fake, { name: 'Orders', phoneNumber: OUR_NUMBER, publicUrl: PUBLIC_URL });

    // Twilio's media address (its own host, reached through the account's apiBaseUrl) answers nothing yet.
    const accountSid = [...fake.accounts.keys()][0]!;
    const sid = `MM${'a1'.repeat(16)}`;
    const mediaPath = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media/ME${'b2'.repeat(16)}`;
    fake.holdMedia(mediaPath);
    const downloading = fake.next((r) => r.method === 'GET' && r.path === mediaPath);
    const answered = await number.text(first.url, '+66812223344', 'กล่องบุบค่ะ ดูรูปนะคะ', {
      MessageSid: sid,
      NumMedia: '1',
      MediaUrl0: `https://api.twilio.com${mediaPath}`,
      MediaContentType0: 'image/png',
    });
    expect(answered).toBe(sid);
    await downloading;

    const stored = async () => {
      const rows = (await raw.knex('messages').where({ provider_message_id: sid })) as { id: string; parts: string; meta: string }[];
      return rows.map((r) => ({
        id: r.id,
        parts: JSON.parse(r.parts) as MessagePart[],
        meta: JSON.parse(r.meta) as NonNullable<Message['meta']>,
      }));
    };
    const before = await stored();
    expect(before).toHaveLength(1);
    expect(before[0]!.meta.sms?.media?.map((m) => m.state)).toEqual(['pending']);
    expect(before[0]!.parts).toEqual([{ type: 'text', text: 'กล่องบุบค่ะ ดูรูปนะคะ' }]);

    process.kill(first.proc.pid!, 'SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // Twilio serves the picture now; the next process takes over the same database.
    fake.serveMedia(mediaPath, PNG_1X1, 'image/png');
    const fetchesBefore = fake.requests.filter((r) => r.path === mediaPath).length;
    const second = await scene.restart();
    const [after] = await until(stored, (rows) => rows[0]?.meta.sms?.media?.[0]?.state === 'stored', 'the picture attached', 30_000);
    expect(after!.id).toBe(before[0]!.id);
    const images = after!.parts.filter((p) => p.type === 'image');
    expect(images).toMatchObject([{ contentType: 'image/png', size: PNG_1X1.length, filename: 'mms-1.png' }]);
    expect(await raw.knex('attachments').where({ message_id: after!.id })).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path === mediaPath).length).toBe(fetchesBefore + 1);
    expect(await stored()).toHaveLength(1);

    // The agent downloads the picture from the new process.
    const agentApi = new Api(second.url);
    const token = await agentApi.login();
    const image = images[0] as Extract<MessagePart, { type: 'image' }>;
    const download = await fetch(`${second.url}/api/v1/attachments/${image.attachmentId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    process.kill(second.proc.pid!, 'SIGTERM');
    await second.exited;
  });
});
