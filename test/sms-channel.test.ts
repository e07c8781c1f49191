// SMS and MMS over Twilio with real parts: the server on port 0, the twilio SDK pointed at a local fake
// of Twilio's REST API (through the account's apiBaseUrl), webhooks signed with the SDK's own
// getExpectedTwilioSignature against the exact public URL. A Thai message reaches an agent's socket;
// forged, tampered or mis-addressed webhooks change nothing; duplicates store once; MMS media come only
// from Twilio's hosts; replies reach Twilio with the right form, are retried or fail with Twilio's code;
// delivery reports move the message forward; STOP, START and HELP do what carriers expect.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import type { Message } from '../server/domain/types.js';
import {
  createChannelAccount,
  deliveredMessage,
  inboundSms,
  postTwilioForm,
  replyFromConsole,
  type TwilioPostOptions,
} from './support/channel-traffic.js';
import { ENGINES, connect, nextDomainEvent, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { FakeTwilio, startRecorder } from './support/fake-twilio.js';
import { RowCounter } from './support/row-counts.js';
import { PNG_1X1, uploadFile } from './support/scenario.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6621234567';
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 5_000);
const hex = (n: number) => randomBytes(n).toString('hex');

describe.each(ENGINES)('SMS over Twilio on %s', (engine) => {
  let fake: FakeTwilio;
  let attacker: Awaited<ReturnType<typeof startRecorder>>;
  let server: TestServer;
  let counter: RowCounter;
  let admin: string;
  let agentSocket: ClientSocket;
  let adminSocket: ClientSocket;
  let twilioAccount: { accountSid: string; authToken: string };
  let accountId: string;
  let phoneSeq = 0;

  /** A fresh Thai mobile number per test, so each test has its own customer. */
  const newPhone = () => `+668${String(10_000_000 + Math.floor(Math.random() * 80_000_000) + ++phoneSeq).slice(0, 8)}`;
  const messageSid = () => `SM${hex(16)}`;

  /** Posts a form as Twilio does, signed for `signedUrl` (default: PUBLIC_URL + path) unless `signature` says otherwise. */
  const twilioPost = (target: TestServer, path: string, params: Record<string, string>, opts: Partial<TwilioPostOptions> = {}) =>
    postTwilioForm(target.url, path, params, { authToken: twilioAccount.authToken, publicUrl: PUBLIC_URL, ...opts });

  const inbound = (from: string, body: string, extra: Record<string, string> = {}) =>
    inboundSms(twilioAccount.accountSid, OUR_NUMBER, from, body, extra);

  /** Sends an SMS in and resolves with the message it became. */
  const receive = (params: Record<string, string>): Promise<Message> =>
    deliveredMessage(server, params.MessageSid!, () => twilioPost(server, `/webhooks/sms/${accountId}`, params));

  const reply = (conversationId: string, text: string, attachmentIds?: string[]) =>
    replyFromConsole(server.api, admin, conversationId, text, attachmentIds);

  const stored = (id: string) => server.store.messages.findById(id);

  beforeAll(async () => {
    [fake, attacker] = await Promise.all([FakeTwilio.start(), startRecorder()]);
    twilioAccount = fake.account();
    server = await startTestServer(
      engine,
      { PUBLIC_URL, CLUSTER_NAME: `sms-test-${process.pid}` },
      { outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 50 } },
    );
    counter = RowCounter.open(server);
    admin = await server.api.login();
    accountId = await createChannelAccount(server.api, admin, {
      kind: 'sms',
      name: 'SMS ไทย',
      settings: { accountSid: twilioAccount.accountSid, phoneNumber: OUR_NUMBER, apiBaseUrl: fake.url },
      credentials: { authToken: twilioAccount.authToken },
    });
    const agent = await server.api.userWithRole(admin, 'agent', 'SMS Agent');
    [agentSocket, adminSocket] = await Promise.all([connect(server.url, { token: agent.token }), connect(server.url, { token: admin })]);
  });
  afterAll(async () => {
    agentSocket?.close();
    adminSocket?.close();
    await counter?.close();
    await server?.stop();
    await Promise.all([fake?.close(), attacker?.close()]);
  });

  test('creating the account checks the credentials with Twilio and returns the two URLs to paste', async () => {
    const check = fake.requests.find((r) => r.method === 'GET' && r.path === `/2010-04-01/Accounts/${twilioAccount.accountSid}.json`);
    expect(check).toMatchObject({ user: twilioAccount.accountSid, password: twilioAccount.authToken });
    const read = await server.api.request('GET', `/api/v1/channel-accounts/${accountId}`, { token: admin });
    expect(read.body.urls).toEqual({
      inbound: `${PUBLIC_URL}/webhooks/sms/${accountId}`,
      status: `${PUBLIC_URL}/webhooks/sms/${accountId}/status`,
    });
    expect(JSON.stringify(read.body)).not.toContain(twilioAccount.authToken);

    const before = await counter.counts();
    const wrong = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: {
        kind: 'sms',
        name: 'Wrong token',
        settings: { accountSid: twilioAccount.accountSid, phoneNumber: OUR_NUMBER, apiBaseUrl: fake.url },
        credentials: { authToken: 'f'.repeat(32) },
      },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/Twilio refused the Account SID and auth token/);
    expect(wrong.body.error.details).toMatchObject({ service: 'twilio', step: 'login' });
    const badSid = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: { kind: 'sms', name: 'Bad', settings: { accountSid: 'AC123', phoneNumber: '021234567' }, credentials: { authToken: 'x' } },
    });
    expect(badSid.status).toBe(400);
    expect(badSid.body.error.message).toMatch(/body\.accountSid: .*Account SID/);
    expect(badSid.body.error.message).toMatch(/body\.phoneNumber: .*E\.164/);
    expect(await counter.counts()).toEqual(before);

    const openapi = await server.api.request('GET', '/api/v1/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/webhooks/sms/{accountId}', '/webhooks/sms/{accountId}/status']),
    );
  });

  test('a Thai SMS with emoji reaches the agent’s socket, on a customer known by their phone', async () => {
    const from = newPhone();
    const params = inbound(from, 'สวัสดีค่ะ พัสดุยังไม่มาถึงเลย 📦🙏');
    const heardConversation = nextEvent(agentSocket, 'conversation:created');
    const heardMessage = nextEvent(agentSocket, 'message:created', (m) => m.providerMessageId === params.MessageSid);
    const res = await twilioPost(server, `/webhooks/sms/${accountId}`, params);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/xml/);
    expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const [message] = await heardMessage;
    const [conversation] = await heardConversation;
    expect(conversation).toMatchObject({ id: message.conversationId, channelKind: 'sms', channelAccountId: accountId });
    expect(message).toMatchObject({ direction: 'inbound', text: 'สวัสดีค่ะ พัสดุยังไม่มาถึงเลย 📦🙏', status: 'received' });
    expect(message.meta?.sms).toMatchObject({ from, to: OUR_NUMBER });
    const profile = await server.api.request('GET', `/api/v1/customers/${conversation.customerId}`, { token: admin });
    expect(profile.body.customer.identities).toEqual([expect.objectContaining({ kind: 'phone', value: from })]);
  });

  test('a missing or wrong signature, a tampered parameter or another URL: 403 and nothing stored', async () => {
    const path = `/webhooks/sms/${accountId}`;
    const params = inbound(newPhone(), 'ขอเงินคืน');
    const good = twilio.getExpectedTwilioSignature(twilioAccount.authToken, `${PUBLIC_URL}${path}`, params);
    const before = await counter.counts();
    const refused = await Promise.all([
      twilioPost(server, path, params, { signature: null }),
      twilioPost(server, path, params, { signature: '' }),
      twilioPost(server, path, { ...params, Body: 'ขอเงินคืน 10,000 บาท' }, { signature: good }),
      twilioPost(server, path, { ...params, From: newPhone() }, { signature: good }),
      twilioPost(server, path, params, { signedUrl: `http://desk.example.test${path}` }),
      twilioPost(server, path, params, { signedUrl: `${PUBLIC_URL}/webhooks/sms/${accountId}/status` }),
      twilioPost(server, path, params, { authToken: 'f'.repeat(32) }),
      twilioPost(server, path, params, { signature: good.slice(0, -2) }),
    ]);
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403, 403]);
    // An unknown account and a body that is not a form.
    expect((await twilioPost(server, `/webhooks/sms/${hex(8)}`, params)).status).toBe(404);
    const json = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twilio-signature': good },
      body: JSON.stringify(params),
    });
    expect(json.status).toBe(415);
    const huge = await twilioPost(server, path, { ...params, Body: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(await counter.counts()).toEqual(before);
    // The very same request, correctly signed, goes in.
    expect((await twilioPost(server, path, params, { signature: good })).status).toBe(200);
    expect(await server.store.messages.findByProviderId(accountId, params.MessageSid)).toBeDefined();
  });

  test('behind a TLS proxy without PUBLIC_URL: the request’s own http URL fails Twilio’s https signature unless the proxy says https', async () => {
    const bare = await startTestServer(engine, { CLUSTER_NAME: `sms-proxy-${process.pid}` });
    const bareCounter = RowCounter.open(bare);
    try {
      const token = await bare.api.login();
      const created = await bare.api.request('POST', '/api/v1/channel-accounts', {
        token,
        body: {
          kind: 'sms',
          name: 'Behind a proxy',
          settings: { accountSid: twilioAccount.accountSid, phoneNumber: OUR_NUMBER, apiBaseUrl: fake.url },
          credentials: { authToken: twilioAccount.authToken },
        },
      });
      const path = `/webhooks/sms/${created.body.account.id}`;
      const host = new URL(bare.url).host;
      // Twilio called https://<host>/…; the proxy terminated TLS and forwarded plain http.
      const params = inbound(newPhone(), 'ผ่าน proxy');
      const before = await bareCounter.counts();
      expect((await twilioPost(bare, path, params, { signedUrl: `https://${host}${path}` })).status).toBe(403);
      expect(await bareCounter.counts()).toEqual(before);
      // The proxy (on loopback, trusted) says what Twilio called: accepted.
      const forwarded = await twilioPost(bare, path, params, {
        signedUrl: `https://${host}${path}`,
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(forwarded.status).toBe(200);
      // Called directly over http, signed for http: accepted too (the same MessageSid: still one message).
      expect((await twilioPost(bare, path, params, { signedUrl: `http://${host}${path}` })).status).toBe(200);
      const after = await bareCounter.counts();
      expect(after.messages - before.messages).toBe(1);
    } finally {
      await bareCounter.close();
      await bare.stop();
    }
  });

  test('twenty concurrent deliveries of one MessageSid store one message', async () => {
    const params = inbound(newPhone(), 'ส่งซ้ำ 20 ครั้ง');
    const before = await counter.counts();
    const answers = await Promise.all(Array.from({ length: 20 }, () => twilioPost(server, `/webhooks/sms/${accountId}`, params)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const after = await counter.counts();
    expect(after.messages - before.messages).toBe(1);
    expect(after.conversations - before.conversations).toBe(1);
    expect(after.customers - before.customers).toBe(1);
  });

  test('MMS: media from Twilio’s host is stored as an attachment; media elsewhere is refused without a request reaching it', async () => {
    const sid = `MM${hex(16)}`;
    const twilioMedia = `/2010-04-01/Accounts/${twilioAccount.accountSid}/Messages/${sid}/Media/ME${hex(16)}`;
    const bouncing = `/2010-04-01/Accounts/${twilioAccount.accountSid}/Messages/${sid}/Media/ME${hex(16)}`;
    fake.serveMedia(twilioMedia, PNG_1X1, 'image/png');
    fake.redirectMedia(bouncing, `${attacker.url}/via-redirect.png`);
    const params = inbound(newPhone(), 'รูปสินค้าที่เสียหายค่ะ', {
      MessageSid: sid,
      NumMedia: '3',
      // What Twilio sends: its own API host (reached through the account's apiBaseUrl here).
      MediaUrl0: `https://api.twilio.com${twilioMedia}`,
      MediaContentType0: 'image/png',
      MediaUrl1: `${attacker.url}/steal.png`,
      MediaContentType1: 'image/png',
      MediaUrl2: `https://api.twilio.com${bouncing}`,
      MediaContentType2: 'image/png',
    });
    const withMedia = nextDomainEvent(
      server,
      'message.created',
      (e) => e.message.providerMessageId === sid && !e.message.meta?.sms?.media?.some((m) => m.state === 'pending'),
    );
    const first = await receive(params);
    expect(first.text).toBe('รูปสินค้าที่เสียหายค่ะ');
    const { message } = await withMedia;
    const image = message.parts.find((p) => p.type === 'image');
    expect(image).toMatchObject({ contentType: 'image/png', size: PNG_1X1.length, filename: 'mms-1.png' });
    expect(message.text).toContain(`[MMS file 2 was refused: ${attacker.host} is not a Twilio media address]`);
    expect(message.text).toContain(`[MMS file 3 was refused: ${attacker.host} is not a Twilio media address]`);
    expect(message.meta?.sms?.media?.map((m) => m.state)).toEqual(['stored', 'refused', 'refused']);
    expect(attacker.hits).toEqual([]);
    const fetched = fake.requests.find((r) => r.path === twilioMedia);
    expect(fetched).toMatchObject({ method: 'GET', user: twilioAccount.accountSid });

    // Stored once, readable by agents, and the same webhook again changes nothing.
    const download = await fetch(`${server.url}/api/v1/attachments/${image!.type === 'image' && image!.attachmentId}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    const before = await counter.counts();
    expect((await twilioPost(server, `/webhooks/sms/${accountId}`, params)).status).toBe(200);
    expect(await counter.counts()).toEqual(before);
    expect((await stored(message.id))!.parts).toEqual(message.parts);
  });

  test('a reply reaches Twilio with the account’s number, the customer’s number, the text and the status callback', async () => {
    const from = newPhone();
    const first = await receive(inbound(from, 'สอบถามค่ะ'));
    const sentTo = () => fake.sends().filter((r) => r.form.To === from).length;
    const sent = sentTo();
    const answer = await reply(first.conversationId, 'ได้เลยครับ 😊 จะจัดส่งพรุ่งนี้');
    expect(answer.status).toBe(201);
    const request = await fake.next((r) => r.method === 'POST' && r.form.Body === 'ได้เลยครับ 😊 จะจัดส่งพรุ่งนี้');
    expect(request.path).toBe(`/2010-04-01/Accounts/${twilioAccount.accountSid}/Messages.json`);
    expect(request).toMatchObject({ user: twilioAccount.accountSid, password: twilioAccount.authToken });
    expect(request.form).toEqual({
      From: OUR_NUMBER,
      To: from,
      Body: 'ได้เลยครับ 😊 จะจัดส่งพรุ่งนี้',
      StatusCallback: `${PUBLIC_URL}/webhooks/sms/${accountId}/status`,
    });
    const done = await eventually(
      () => stored(answer.body.message.id),
      (m) => m?.status === 'sent',
      'the reply marked sent',
    );
    expect(done!.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sentTo()).toBe(sent + 1);

    // Twilio reports delivery: the message moves to delivered and the console hears it; a late "sent" changes nothing.
    const statusPath = `/webhooks/sms/${accountId}/status`;
    const heard = nextEvent(adminSocket, 'message:status', (e) => e.id === done!.id && e.status === 'delivered');
    const report = { MessageSid: done!.providerMessageId!, MessageStatus: 'delivered', AccountSid: twilioAccount.accountSid };
    expect((await twilioPost(server, statusPath, report)).status).toBe(200);
    const [event] = await heard;
    expect(event).toMatchObject({ status: 'delivered', errorCode: null });
    expect((await stored(done!.id))!.status).toBe('delivered');
    const before = await counter.counts();
    expect((await twilioPost(server, statusPath, { ...report, MessageStatus: 'sent' })).status).toBe(200);
    // Unknown MessageSid: 200, nothing written. A forged report: 403.
    expect((await twilioPost(server, statusPath, { ...report, MessageSid: messageSid() })).status).toBe(200);
    expect((await twilioPost(server, statusPath, { ...report, MessageStatus: 'failed' }, { signature: 'forged' })).status).toBe(403);
    expect(await counter.counts()).toEqual(before);
    expect((await stored(done!.id))!.status).toBe('delivered');
  });

  test('Twilio failing: 500 and 429 are retried until sent; a 400 (21211) fails the message with Twilio’s code; undelivered is shown', async () => {
    const first = await receive(inbound(newPhone(), 'ลองใหม่'));
    fake.failNext(1, 500);
    fake.failNext(1, 429, {}, { 'retry-after': '0' });
    const sendsBefore = fake.sends().length;
    const retried = await reply(first.conversationId, 'retry me');
    const sent = await eventually(
      () => stored(retried.body.message.id),
      (m) => m?.status === 'sent',
      'sent after two failures',
    );
    expect(sent!.errorCode).toBeNull();
    expect(
      fake
        .sends()
        .slice(sendsBefore)
        .filter((r) => r.form.Body === 'retry me'),
    ).toHaveLength(3);

    fake.failNext(1, 400, { code: 21211, message: "Invalid 'To' Phone Number" });
    const bad = await reply(first.conversationId, 'to a bad number');
    await eventually(
      () => stored(bad.body.message.id),
      (m) => m?.status === 'failed',
      'failed',
    );
    const read = await server.api.request('GET', `/api/v1/conversations/${first.conversationId}`, { token: admin });
    const shown = read.body.messages.find((m: Message) => m.id === bad.body.message.id);
    expect(shown).toMatchObject({
      status: 'failed',
      errorCode: 'INVALID_PAYLOAD',
      errorMessage: "Twilio 21211: Invalid 'To' Phone Number",
    });
    expect(fake.sends().filter((r) => r.form.Body === 'to a bad number')).toHaveLength(1);

    // Accepted by Twilio, then undelivered by the carrier.
    const heard = nextEvent(adminSocket, 'message:status', (e) => e.id === sent!.id);
    await twilioPost(server, `/webhooks/sms/${accountId}/status`, {
      MessageSid: sent!.providerMessageId!,
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
      AccountSid: twilioAccount.accountSid,
    });
    const [event] = await heard;
    expect(event).toMatchObject({
      status: 'failed',
      errorCode: 'UNDELIVERED',
      errorMessage: 'Twilio 30003: unreachable destination handset (off, or out of coverage)',
    });
  });

  test('STOP opts the customer out (replies refused with 409, nothing reaches Twilio); START opts them in again; HELP is answered', async () => {
    const from = newPhone();
    const first = await receive(inbound(from, 'ขอสอบถามหน่อยค่ะ'));
    const customerId = (await server.store.conversations.findById(first.conversationId))!.customerId;
    const consent = async () =>
      (
        (await server.api.request('GET', `/api/v1/customers/${customerId}`, { token: admin })).body.customer.consents as {
          channel: string;
          status: string;
          source: string;
          updatedAt: number;
        }[]
      ).find((c) => c.channel === 'sms');

    const sentTo = () => fake.sends().filter((r) => r.form.To === from).length;
    const sendsBefore = sentTo();
    const stop = await receive(inbound(from, 'Stop'));
    expect(stop.conversationId).toBe(first.conversationId); // on the timeline
    expect(stop.meta?.sms?.keyword).toEqual({ word: 'STOP', action: 'opt_out' });
    expect(await consent()).toMatchObject({ status: 'opted_out', source: 'sms keyword STOP' });
    const when = new Date((await consent())!.updatedAt).toISOString().slice(0, 16).replace('T', ' ');

    const refused = await reply(first.conversationId, 'ยังอยู่ไหมคะ');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      `the customer opted out of SMS (replied STOP on ${when} UTC); nothing can be sent to them until they opt in again`,
    );
    // A note still goes in (it never leaves the desk).
    const note = await server.api.request('POST', `/api/v1/conversations/${first.conversationId}/notes`, {
      token: admin,
      body: { text: 'ลูกค้าขอหยุดรับ SMS' },
    });
    expect(note.status).toBe(201);
    // Twilio answers STOP itself (keywordReplies is off): nothing was sent by us.
    expect(sentTo()).toBe(sendsBefore);

    // The same STOP delivered again changes nothing; UNSUBSCRIBE keeps the first STOP's record.
    await twilioPost(server, `/webhooks/sms/${accountId}`, { ...inbound(from, 'Stop'), MessageSid: stop.providerMessageId! });
    await receive(inbound(from, 'unsubscribe.'));
    expect(await consent()).toMatchObject({ status: 'opted_out', source: 'sms keyword STOP' });

    await receive(inbound(from, 'START'));
    expect(await consent()).toMatchObject({ status: 'opted_in', source: 'sms keyword START' });
    const allowed = await reply(first.conversationId, 'ยินดีต้อนรับกลับค่ะ');
    expect(allowed.status).toBe(201);
    await fake.next((r) => r.form.Body === 'ยินดีต้อนรับกลับค่ะ' && r.form.To === from);

    const help = await receive(inbound(from, 'help'));
    expect(help.meta?.sms?.keyword).toEqual({ word: 'HELP', action: 'help' });
    const answer = await fake.next((r) => r.form.To === from && String(r.form.Body).includes('Reply STOP to stop messages'));
    expect(answer.form.Body).toContain('พิมพ์ STOP เพื่อหยุดรับข้อความ');
    expect(sentTo()).toBe(sendsBefore + 2);
  });

  test('with keywordReplies on, STOP gets our confirmation (which alone may reach an opted-out customer); HELP uses the account’s text', async () => {
    const patched = await server.api.request('PATCH', `/api/v1/channel-accounts/${accountId}`, {
      token: admin,
      body: {
        settings: {
          accountSid: twilioAccount.accountSid,
          phoneNumber: OUR_NUMBER,
          apiBaseUrl: fake.url,
          keywordReplies: true,
          helpText: 'โทร 02-123-4567 / Call 02-123-4567',
        },
      },
    });
    expect(patched.status).toBe(200);
    try {
      const from = newPhone();
      await receive(inbound(from, 'STOP'));
      const confirmation = await fake.next((r) => r.form.To === from);
      expect(confirmation.form.Body).toContain('You are unsubscribed');
      await receive(inbound(from, 'INFO'));
      await fake.next((r) => r.form.To === from && r.form.Body === 'โทร 02-123-4567 / Call 02-123-4567');
    } finally {
      await server.api.request('PATCH', `/api/v1/channel-accounts/${accountId}`, {
        token: admin,
        body: { settings: { accountSid: twilioAccount.accountSid, phoneNumber: OUR_NUMBER, apiBaseUrl: fake.url } },
      });
    }
  });

  test('a picture in a reply goes as MMS media, from a signed, expiring link Twilio can fetch', async () => {
    const from = newPhone();
    const first = await receive(inbound(from, 'ขอรูปใบเสร็จค่ะ'));
    const uploaded = await uploadFile(`${server.url}/api/v1/conversations/${first.conversationId}/attachments`, {
      token: admin,
      bytes: PNG_1X1,
      filename: 'ใบเสร็จ.png',
      type: 'image/png',
    });
    expect(uploaded.status).toBe(201);
    const withPicture = await reply(first.conversationId, 'ใบเสร็จค่ะ', [uploaded.body.attachment!.id]);
    expect(withPicture.status).toBe(201);
    const outcome = await eventually(
      () => stored(withPicture.body.message.id),
      (m) => m?.status !== 'queued',
      'the MMS sent',
    );
    expect(outcome).toMatchObject({ status: 'sent', errorMessage: null });
    const request = await fake.next((r) => r.form.To === from && r.form.Body === 'ใบเสร็จค่ะ');
    const mediaUrl = new URL(String(request.form.MediaUrl));
    expect(mediaUrl.origin).toBe(PUBLIC_URL);
    expect(mediaUrl.pathname).toBe(`/webhooks/sms/${accountId}/media/${uploaded.body.attachment!.id}`);
    // What Twilio fetches (here straight from the server, as the public address is not real).
    const got = await fetch(`${server.url}${mediaUrl.pathname}${mediaUrl.search}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    const forged = new URL(mediaUrl);
    forged.searchParams.set('expires', String(Number(mediaUrl.searchParams.get('expires')) + 3600));
    expect((await fetch(`${server.url}${forged.pathname}${forged.search}`)).status).toBe(404);
    expect((await fetch(`${server.url}${mediaUrl.pathname}`)).status).toBe(404);
  });
});
