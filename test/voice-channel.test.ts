// Phone calls over Twilio with real parts: the server on port 0 with a test IVR flow, webhooks signed
// with the twilio package's own getExpectedTwilioSignature against the exact public URL, the TwiML
// answers parsed as XML, and the twilio SDK pointed at a local fake of Twilio's REST API (redirecting
// a live call to its agent, placing a callback, serving a voicemail recording). Each node type is
// walked through the webhooks; a caller who presses 1, waits and is answered leaves one call record
// on the timeline with the path, wait, talk time and outcome; one who hangs up in the queue is counted
// abandoned; forged requests change nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import twilio from 'twilio';
import type { Message } from '../server/domain/types.js';
import { createChannelAccount } from './support/channel-traffic.js';
import { ENGINES, connect, nextDomainEvent, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { RowCounter } from './support/row-counts.js';
import { findAll, only, verbNames } from './support/twiml.js';
import { newCallSid, says, VoiceLine } from './support/voice-line.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6621234567';
const TRANSFER_TO = '+6627654321';
const hex = (n: number) => randomBytes(n).toString('hex');
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 5_000);

const ALWAYS = [0, 1, 2, 3, 4, 5, 6].map(() => `[{ from: '00:00', to: '24:00' }]`).join(', ');
const NEVER = [0, 1, 2, 3, 4, 5, 6].map(() => '[]').join(', ');

/** A test line with every node type: greeting by name, a menu, queues by tier, voicemail, callback, transfer, hours. */
const FLOW = `
name: test-line
languages: [th-TH, en-US]
voices: { th-TH: Google.th-TH-Standard-A, en-US: Polly.Joanna }
start: hello
nodes:
  hello:
    type: say
    text:
      th-TH: "สวัสดีค่ะ{{#if customer.firstName}} คุณ{{customer.firstName}}{{/if}}"
      en-US: "Hello{{#if customer.firstName}} {{customer.firstName}}{{/if}}"
    next: recognized
  recognized:
    type: branch_known
    known: menu
    unknown: first_time
  first_time:
    type: say
    text: { th-TH: ยินดีต้อนรับลูกค้าใหม่ค่ะ, en-US: 'Welcome, new customer.' }
    next: jingle
  jingle:
    type: say
    play: https://cdn.example.test/jingle.mp3
    next: menu
  menu:
    type: gather
    input: [dtmf, speech]
    prompt: { th-TH: กด 1 คุยกับเจ้าหน้าที่ กด 2 ฝากข้อความ กด 3 ให้โทรกลับ, en-US: Press 1 for an agent. }
    timeout: 5
    retries: 1
    options: { '1': english, '2': voicemail, '3': callback, '4': transfer, '5': closed_check, '6': nowhere }
    speech:
      th-TH: { ฝากข้อความ: voicemail }
      agent: english
    invalid: bye
  english:
    type: set
    language: en-US
    attributes: { reason: agent }
    next: open_check
  open_check:
    type: branch_hours
    hours: { timeZone: Asia/Bangkok, week: [${ALWAYS}] }
    open: tier
    closed: bye
  tier:
    type: branch_attribute
    attribute: vip
    equals: true
    then: priority_queue
    else: support_queue
  support_queue:
    type: enqueue
    queue: Support
    announce: position
  priority_queue:
    type: enqueue
    queue: Priority
    priority: 2
  voicemail:
    type: voicemail
    prompt: { th-TH: ฝากข้อความหลังเสียงสัญญาณค่ะ, en-US: Leave a message after the tone. }
    maxLengthSeconds: 60
    transcribe: true
  callback:
    type: callback
    prompt: { th-TH: เราจะโทรกลับหาคุณค่ะ, en-US: We will call you back. }
    queue: Callbacks
    confirm: { th-TH: ขอบคุณค่ะ, en-US: Thank you. }
  transfer:
    type: transfer
    number: '${TRANSFER_TO}'
  nowhere:
    type: enqueue
    queue: Nowhere
  closed_check:
    type: branch_hours
    hours: { timeZone: Asia/Bangkok, week: [${NEVER}] }
    open: support_queue
    closed: bye
  bye:
    type: hangup
    prompt: { th-TH: ขอบคุณที่โทรมาค่ะ, en-US: Thank you for calling. }
`;

describe.each(ENGINES)('phone calls over Twilio on %s', (engine) => {
  let fake: FakeTwilio;
  let server: TestServer;
  let counter: RowCounter;
  let admin: string;
  let twilioAccount: { accountSid: string; authToken: string };
  let accountId: string;
  let flowsDir: string;
  const queues: Record<string, string> = {};
  let seq = 0;
  const newPhone = () => `+668${String(20_000_000 + ((++seq * 7919 + Math.floor(Math.random() * 1000)) % 70_000_000)).padStart(8, '0')}`;
  let line: VoiceLine;
  const callSid = newCallSid;
  const base = () => line.base;
  const twilioPost: VoiceLine['post'] = (...args) => line.post(...args);
  const twiml: VoiceLine['twiml'] = (...args) => line.twiml(...args);
  const ring: VoiceLine['ring'] = (...args) => line.ring(...args);
  const press: VoiceLine['press'] = (...args) => line.press(...args);
  const hangUp: VoiceLine['hangUp'] = (...args) => line.hangUp(...args);
  const callOf: VoiceLine['call'] = (sid) => line.call(sid);
  const recordOf: VoiceLine['record'] = (sid) => line.record(sid);
  const started = (from = newPhone()) => line.started(from);

  beforeAll(async () => {
    flowsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-flows-'));
    fs.writeFileSync(path.join(flowsDir, 'test-line.flow.yaml'), FLOW);
    fake = await FakeTwilio.start();
    twilioAccount = fake.account();
    server = await startTestServer(engine, { PUBLIC_URL, IVR_FLOWS_DIR: flowsDir, CLUSTER_NAME: `voice-test-${process.pid}` });
    counter = RowCounter.open(server);
    admin = await server.api.login();
    for (const name of ['Support', 'Priority', 'Callbacks', 'Voicemail']) {
      const q = await server.api.request('POST', '/api/v1/queues', { token: admin, body: { name, channels: ['voice'] } });
      expect(q.status, JSON.stringify(q.body)).toBe(201);
      queues[name] = q.body.queue.id;
    }
    accountId = await createChannelAccount(server.api, admin, {
      kind: 'voice',
      name: 'สายด่วน',
      settings: {
        accountSid: twilioAccount.accountSid,
        phoneNumber: OUR_NUMBER,
        apiBaseUrl: fake.url,
        flow: 'test-line',
        voicemailQueueId: queues.Voicemail,
      },
      credentials: { authToken: twilioAccount.authToken },
    });
    line = new VoiceLine({ server, accountId, twilioAccount, publicUrl: PUBLIC_URL, number: OUR_NUMBER });
  });
  afterAll(async () => {
    await counter?.close();
    await server?.stop();
    await fake?.close();
    fs.rmSync(flowsDir, { recursive: true, force: true });
  });

  test('the account names a loaded flow and returns the URLs to paste into Twilio', async () => {
    const read = await server.api.request('GET', `/api/v1/channel-accounts/${accountId}`, { token: admin });
    expect(read.body.urls).toEqual({
      incoming: `${PUBLIC_URL}/webhooks/voice/${accountId}`,
      status: `${PUBLIC_URL}/webhooks/voice/${accountId}/status`,
    });
    const before = await counter.counts();
    const unknownFlow = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: {
        kind: 'voice',
        name: 'no flow',
        settings: { accountSid: twilioAccount.accountSid, phoneNumber: OUR_NUMBER, apiBaseUrl: fake.url, flow: 'nope' },
        credentials: { authToken: twilioAccount.authToken },
      },
    });
    expect(unknownFlow.status).toBe(400);
    expect(unknownFlow.body.error.message).toContain('no IVR flow "nope"');
    expect(await counter.counts()).toEqual(before);
  });

  test('only requests Twilio signed for this URL are heard: tampered, unsigned or for another URL is 403 and nothing is stored', async () => {
    const params = { AccountSid: twilioAccount.accountSid, CallSid: callSid(), From: newPhone(), To: OUR_NUMBER, CallStatus: 'ringing' };
    const before = await counter.counts();
    const signature = twilio.getExpectedTwilioSignature(twilioAccount.authToken, `${PUBLIC_URL}${base()}`, params);
    expect((await twilioPost(base(), { ...params, From: newPhone() }, { signature })).status).toBe(403);
    expect((await twilioPost(base(), params, { signature: null })).status).toBe(403);
    expect((await twilioPost(base(), params, { signedUrl: `http://desk.example.test${base()}` })).status).toBe(403);
    expect(
      (await twilioPost(base(), params, { signature: twilio.getExpectedTwilioSignature('x'.repeat(32), `${PUBLIC_URL}${base()}`, params) }))
        .status,
    ).toBe(403);
    expect(await counter.counts()).toEqual(before);
  });

  test('the same call delivered 10 times at once is one call and one timeline record', async () => {
    const sid = callSid();
    const params = { AccountSid: twilioAccount.accountSid, CallSid: sid, From: newPhone(), To: OUR_NUMBER, CallStatus: 'ringing' };
    const answers = await Promise.all(Array.from({ length: 10 }, () => twilioPost(base(), params)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const call = (await callOf(sid))!;
    const messages = await server.store.messages.listForConversation(call.conversationId, { limit: 50, includePrivate: true });
    expect(messages.filter((m) => m.providerMessageId === sid)).toHaveLength(1);
  });

  test('say, branch_known, gather with retries and its invalid branch, hangup', async () => {
    const sid = callSid();
    const first = await ring(sid, newPhone());
    expect(verbNames(first)).toEqual(['Say', 'Say', 'Play', 'Gather', 'Redirect']);
    expect(only(first, 'Play').text).toBe('https://cdn.example.test/jingle.mp3');
    expect(findAll(first, 'Say')[0]!.attributes).toMatchObject({ language: 'th-TH', voice: 'Google.th-TH-Standard-A' });
    expect(says(first).slice(0, 2)).toEqual(['สวัสดีค่ะ', 'ยินดีต้อนรับลูกค้าใหม่ค่ะ']);
    const gather = only(first, 'Gather');
    expect(gather.attributes).toMatchObject({
      action: `${PUBLIC_URL}${base()}/step/menu`,
      timeout: '5',
      numDigits: '1',
      input: 'dtmf speech',
      language: 'th-TH',
    });
    expect(findAll(gather, 'Say')[0]!.text).toContain('กด 1');
    expect(only(first, 'Redirect').text).toBe(`${PUBLIC_URL}${base()}/step/menu`);

    const wrong = await press(sid, 'menu', '9');
    expect(verbNames(wrong)).toEqual(['Say', 'Gather', 'Redirect']);
    const silent = await twiml(`${base()}/step/menu`, { CallSid: sid });
    expect(verbNames(silent)).toEqual(['Say', 'Hangup']);
    expect(says(silent)).toEqual(['ขอบคุณที่โทรมาค่ะ']);
    expect((await hangUp(sid)).status).toBe(200);
    const record = await recordOf(sid);
    expect(record.outcome).toBe('ivr');
    expect(record.path.map((p) => p.node)).toEqual(expect.arrayContaining(['hello', 'recognized', 'first_time', 'menu', 'bye']));
    expect(record.path.find((p) => p.node === 'menu' && p.input === '9')).toBeTruthy();
  });

  test('speech: a Thai phrase heard by Twilio goes where the flow says', async () => {
    const sid = await started();
    const heard = await twiml(`${base()}/step/menu`, { CallSid: sid, SpeechResult: 'ขอฝากข้อความค่ะ', Confidence: '0.92' });
    expect(verbNames(heard)).toContain('Record');
    expect((await recordOf(sid)).path.find((p) => p.node === 'menu')?.input).toBe('ขอฝากข้อความค่ะ');
  });

  test('transfer dials the number; a closed branch_hours says goodbye', async () => {
    const transfer = await press(await started(), 'menu', '4');
    expect(only(transfer, 'Dial').text).toBe(TRANSFER_TO);
    const closed = await press(await started(), 'menu', '5');
    expect(verbNames(closed)).toEqual(['Say', 'Hangup']);
  });

  test('a flow naming a queue that does not exist: the caller hears an apology, the call is recorded failed', async () => {
    const sid = await started();
    const sorry = await press(sid, 'menu', '6');
    expect(verbNames(sorry)).toEqual(['Say', 'Hangup']);
    expect(says(sorry)[0]).toContain('ขออภัย');
    expect((await recordOf(sid)).outcome).toBe('failed');
  });

  test('a caller presses 1, waits, an agent accepts: one call record with the path, the wait, the talk time and the outcome', async () => {
    const agent = await server.api.userWithRole(admin, 'agent', 'Nok Agent');
    expect((await server.api.request('PATCH', `/api/v1/users/${agent.id}`, { token: admin, body: { phone: '081 234 5678' } })).status).toBe(
      200,
    );
    expect(
      (await server.api.request('PATCH', `/api/v1/users/${agent.id}/routing`, { token: admin, body: { queueIds: [queues.Support] } }))
        .status,
    ).toBe(200);
    const socket: ClientSocket = await connect(server.url, { token: agent.token });
    try {
      const from = newPhone();
      const sid = await started(from);
      const queued = await press(sid, 'menu', '1');
      expect(verbNames(queued)).toEqual(['Redirect']);
      expect(only(queued, 'Redirect').text).toBe(`${PUBLIC_URL}${base()}/wait`);
      expect((await callOf(sid))!.state).toBe('queued');
      // Nobody available yet: the caller hears their place in line (in English, as chosen) and music.
      const waiting = await twiml(`${base()}/wait`, { CallSid: sid });
      expect(says(waiting)).toEqual(['You are next in line. Thank you for waiting.']);
      expect(verbNames(waiting)).toEqual(['Say', 'Pause', 'Redirect']);
      // In the voice the flow gives the caller's language, as in the IVR.
      expect(only(waiting, 'Say').attributes).toMatchObject({ language: 'en-US', voice: 'Polly.Joanna' });

      // The agent becomes available: the call is offered and accepted, and Twilio is told to bring the caller.
      const offered = nextEvent(socket, 'offer:new');
      socket.emit('presence:set', { presence: 'available' }, () => undefined);
      const [{ offer }] = await offered;
      const redirect = fake.next(
        (r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${twilioAccount.accountSid}/Calls/${sid}.json`,
      );
      const accepted = await new Promise<{ ok: boolean }>((resolve) =>
        socket.emit('offer:accept', { conversationId: offer.conversationId }, resolve),
      );
      expect(accepted.ok).toBe(true);
      expect((await redirect).form).toMatchObject({ Url: `${PUBLIC_URL}${base()}/wait`, Method: 'POST' });

      const bridged = await twiml(`${base()}/wait`, { CallSid: sid });
      expect(only(bridged, 'Say').attributes).toMatchObject({ language: 'en-US', voice: 'Polly.Joanna' });
      const dial = only(bridged, 'Dial');
      expect(dial.attributes).toMatchObject({ action: `${PUBLIC_URL}${base()}/dial/${agent.id}`, callerId: from });
      expect(only(only(dial, 'Client'), 'Identity').text).toBe(`agent-${agent.id}`);
      expect(only(dial, 'Number').text).toBe('+66812345678');
      expect((await callOf(sid))!.state).toBe('connecting');

      const wrapUp = nextEvent(socket, 'presence:changed');
      const ended = await twiml(`${base()}/dial/${agent.id}`, { CallSid: sid, DialCallStatus: 'completed', DialCallDuration: '95' });
      expect(verbNames(ended)).toEqual(['Hangup']);
      // The call is over: its conversation resolves and the agent is in wrap-up.
      expect((await wrapUp)[0]).toMatchObject({ agentId: agent.id, presence: 'wrap_up' });
      expect((await hangUp(sid)).status).toBe(200);

      const record = await recordOf(sid);
      expect(record).toMatchObject({
        outcome: 'answered',
        talkSeconds: 95,
        agentId: agent.id,
        queueId: queues.Support,
        state: 'ended',
        from,
      });
      expect(record.queueWaitSeconds).toBeGreaterThanOrEqual(0);
      expect(record.path.map((p) => [p.node, p.input ?? null])).toEqual(
        expect.arrayContaining([
          ['menu', '1'],
          ['english', null],
          ['support_queue', null],
        ]),
      );
      expect(record.language).toBe('en-US');
      // The customer's timeline: one call record on one conversation.
      const call = (await callOf(sid))!;
      const customer = await server.api.request('GET', `/api/v1/customers/${call.customerId}`, { token: admin });
      const conversations = customer.body.customer?.conversations ?? customer.body.conversations;
      expect(conversations.map((c: { id: string }) => c.id)).toEqual([call.conversationId]);
      const listed = await server.api.request('GET', `/api/v1/conversations/${call.conversationId}/calls`, { token: agent.token });
      expect(listed.body.calls).toHaveLength(1);
      expect(listed.body.calls[0]).toMatchObject({ callSid: sid, outcome: 'answered', talkSeconds: 95 });
      const withCall = (await server.store.messages.listForConversation(call.conversationId, { limit: 50, includePrivate: true })).filter(
        (m: Message) => m.meta?.call,
      );
      expect(withCall).toHaveLength(1);
    } finally {
      socket.close();
    }
  });

  test('the agent answers (their leg), holds and takes back the call from the console', async () => {
    const agent = await server.api.userWithRole(admin, 'agent', 'Ploy Agent');
    expect(
      (await server.api.request('PATCH', `/api/v1/users/${agent.id}/routing`, { token: admin, body: { queueIds: [queues.Support] } }))
        .status,
    ).toBe(200);
    const socket: ClientSocket = await connect(server.url, { token: agent.token });
    try {
      await new Promise((resolve) => socket.emit('presence:set', { presence: 'available' }, resolve));
      const sid = await started();
      const offered = nextEvent(socket, 'offer:new');
      await press(sid, 'menu', '1');
      const [{ offer }] = await offered;
      await new Promise((resolve) => socket.emit('offer:accept', { conversationId: offer.conversationId }, resolve));
      const bridged = await twiml(`${base()}/wait`, { CallSid: sid });
      const client = only(only(bridged, 'Dial'), 'Client');
      const call = (await callOf(sid))!;
      expect(client.attributes).toMatchObject({ statusCallback: `${PUBLIC_URL}${base()}/leg`, statusCallbackEvent: 'answered' });
      expect(only(client, 'Identity').text).toBe(`agent-${agent.id}`);
      expect(only(client, 'Parameter').attributes).toEqual({ name: 'callId', value: call.id });

      // The agent's softphone answers: the call is talking from then.
      await twiml(`${base()}/leg`, { CallSid: `CA${hex(16)}`, ParentCallSid: sid, CallStatus: 'in-progress' });
      expect(await callOf(sid)).toMatchObject({ state: 'talking', answeredAt: expect.any(Number) });

      // Hold: Twilio is told to take the caller to the hold loop; another agent cannot touch the call.
      const other = await server.api.userWithRole(admin, 'agent');
      expect((await server.api.request('POST', `/api/v1/calls/${call.id}/hold`, { token: other.token, body: { hold: true } })).status).toBe(
        404,
      );
      const toHold = fake.next((r) => r.path.endsWith(`/Calls/${sid}.json`) && r.form.Url === `${PUBLIC_URL}${base()}/hold`);
      const held = await server.api.request('POST', `/api/v1/calls/${call.id}/hold`, { token: agent.token, body: { hold: true } });
      expect(held.status, JSON.stringify(held.body)).toBe(200);
      await toHold;
      expect((await server.api.request('POST', `/api/v1/calls/${call.id}/hold`, { token: agent.token, body: { hold: true } })).status).toBe(
        409,
      );
      const music = await twiml(`${base()}/hold`, { CallSid: sid });
      expect(verbNames(music)).toEqual(['Say', 'Pause', 'Redirect']);
      expect(says(music)[0]).toBe('Please hold. Your agent will be right back.');
      expect(only(music, 'Redirect').text).toBe(`${PUBLIC_URL}${base()}/hold?again=1`);
      expect(verbNames(await twiml(`${base()}/hold?again=1`, { CallSid: sid }))).toEqual(['Pause', 'Redirect']);
      // The cut agent leg reporting in changes nothing: the caller stays on hold.
      await twiml(`${base()}/dial`, { CallSid: sid, DialCallStatus: 'completed', DialCallDuration: '20' });
      expect((await callOf(sid))!.state).toBe('held');

      // Resume: back through the wait URL, which rings the agent again.
      const back = fake.next((r) => r.path.endsWith(`/Calls/${sid}.json`) && r.form.Url === `${PUBLIC_URL}${base()}/wait`);
      expect(
        (await server.api.request('POST', `/api/v1/calls/${call.id}/hold`, { token: agent.token, body: { hold: false } })).status,
      ).toBe(200);
      await back;
      const again = await twiml(`${base()}/wait`, { CallSid: sid });
      expect(only(only(only(again, 'Dial'), 'Client'), 'Identity').text).toBe(`agent-${agent.id}`);
    } finally {
      socket.close();
    }
  });

  test('a softphone token for the signed-in agent once the number has an API key', async () => {
    const agent = await server.api.userWithRole(admin, 'agent');
    expect((await server.api.request('GET', '/api/v1/voice/token', { token: agent.token })).body).toEqual({ token: null });
    const apiKeySid = `SK${hex(16)}`;
    const apiKeySecret = hex(16);
    const patched = await server.api.request('PATCH', `/api/v1/channel-accounts/${accountId}`, {
      token: admin,
      body: {
        settings: {
          accountSid: twilioAccount.accountSid,
          phoneNumber: OUR_NUMBER,
          apiBaseUrl: fake.url,
          flow: 'test-line',
          voicemailQueueId: queues.Voicemail,
          apiKeySid,
        },
        credentials: { authToken: twilioAccount.authToken, apiKeySecret },
      },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const { token } = (await server.api.request('GET', '/api/v1/voice/token', { token: agent.token })).body;
    const [header, payload, signature] = (token.token as string).split('.');
    expect(createHmac('sha256', apiKeySecret).update(`${header}.${payload}`).digest('base64url')).toBe(signature);
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: apiKeySid,
      sub: twilioAccount.accountSid,
      grants: { identity: `agent-${agent.id}`, voice: { incoming: { allow: true } } },
    });
    expect(JSON.stringify(await server.api.request('GET', `/api/v1/channel-accounts/${accountId}`, { token: admin }))).not.toContain(
      apiKeySecret,
    );
  });

  test('a caller who hangs up while waiting is counted abandoned and leaves the queue', async () => {
    const sid = await started();
    await press(sid, 'menu', '1');
    const call = (await callOf(sid))!;
    expect((await server.store.conversations.findById(call.conversationId))!.queueId).toBe(queues.Support);
    const resolved = nextDomainEvent(
      server,
      'conversation.updated',
      (e) => e.conversation.id === call.conversationId && e.conversation.status === 'resolved',
    );
    expect((await hangUp(sid)).status).toBe(200);
    await resolved;
    expect((await recordOf(sid)).outcome).toBe('abandoned');
    const stats = await eventually(
      () => server.api.request('GET', '/api/v1/queues/stats', { token: admin }),
      (r) => (r.body.queues ?? []).some((q: { queueId: string; abandoned: number }) => q.queueId === queues.Support && q.abandoned >= 1),
      'the abandoned call in the queue statistics',
    );
    expect(stats.status).toBe(200);
    // A late duplicate of the hang-up changes nothing.
    expect((await hangUp(sid)).status).toBe(200);
    expect((await recordOf(sid)).outcome).toBe('abandoned');
  });

  test('a known VIP caller is greeted by name and waits in the priority queue with a raised priority', async () => {
    const from = newPhone();
    const firstSid = await started(from);
    await hangUp(firstSid);
    const customerId = (await callOf(firstSid))!.customerId;
    const patched = await server.api.request('PATCH', `/api/v1/customers/${customerId}`, {
      token: admin,
      body: { name: 'สมชาย ใจดี', vip: true },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const sid = callSid();
    const greeting = await ring(sid, from);
    expect(says(greeting)[0]).toBe('สวัสดีค่ะ คุณสมชาย');
    expect(says(greeting)).not.toContain('ยินดีต้อนรับลูกค้าใหม่ค่ะ');
    await press(sid, 'menu', '1');
    const conversation = (await server.store.conversations.findById((await callOf(sid))!.conversationId))!;
    expect(conversation.queueId).toBe(queues.Priority);
    expect(conversation.priority).toBeGreaterThan(2);
  });

  test('voicemail: the recording (fetched from Twilio with the account credentials) and its transcription join a conversation that waits for an agent', async () => {
    const sid = await started();
    const record = await press(sid, 'menu', '2');
    const rec = only(record, 'Record');
    expect(rec.attributes).toMatchObject({
      maxLength: '60',
      transcribe: 'true',
      transcribeCallback: `${PUBLIC_URL}${base()}/transcription/voicemail`,
      recordingStatusCallback: `${PUBLIC_URL}${base()}/recording/voicemail`,
    });
    const recordingSid = `RE${hex(16)}`;
    const mediaPath = `/2010-04-01/Accounts/${twilioAccount.accountSid}/Recordings/${recordingSid}`;
    const audio = Buffer.concat([Buffer.from('ID3'), randomBytes(2048)]);
    fake.serveMedia(`${mediaPath}.mp3`, audio, 'audio/mpeg');
    const stored = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === recordingSid);
    const answer = await twiml(`${base()}/recording/voicemail`, {
      CallSid: sid,
      RecordingSid: recordingSid,
      RecordingUrl: `${fake.url}${mediaPath}`,
      RecordingDuration: '12',
    });
    expect(verbNames(answer)).toEqual([]);
    const { message } = await stored;
    const file = message.parts.find((p) => p.type === 'file');
    expect(file).toMatchObject({ contentType: 'audio/mpeg', size: audio.length });
    const fetched = fake.requests.find((r) => r.path === `${mediaPath}.mp3`)!;
    expect(fetched).toMatchObject({ user: twilioAccount.accountSid, password: twilioAccount.authToken });
    const conversation = (await server.store.conversations.findById(message.conversationId))!;
    expect(conversation.queueId).toBe(queues.Voicemail);
    expect((await recordOf(sid)).outcome).toBe('voicemail');

    const transcribed = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === `${recordingSid}:transcription`);
    await twiml(`${base()}/transcription/voicemail`, {
      CallSid: sid,
      RecordingSid: recordingSid,
      TranscriptionStatus: 'completed',
      TranscriptionText: 'Please call me about order 42',
    });
    expect((await transcribed).message.text).toBe('ถอดความข้อความเสียง: Please call me about order 42');
    // Twilio retrying the recording callback stores nothing new.
    const before = await counter.counts();
    await twiml(`${base()}/recording/voicemail`, { CallSid: sid, RecordingSid: recordingSid, RecordingUrl: `${fake.url}${mediaPath}` });
    expect((await counter.counts()).messages).toBe(before.messages);
  });

  test('callback: the request waits in its queue; the agent calls back and Twilio rings the agent, then dials the customer', async () => {
    const from = newPhone();
    const sid = await started(from);
    const bye = await press(sid, 'menu', '3');
    expect(verbNames(bye)).toEqual(['Say', 'Say', 'Hangup']);
    const call = (await callOf(sid))!;
    expect((await server.store.conversations.findById(call.conversationId))!.queueId).toBe(queues.Callbacks);
    await hangUp(sid);
    expect((await recordOf(sid)).outcome).toBe('callback');

    const agent = await server.api.userWithRole(admin, 'supervisor', 'Dao Supervisor');
    await server.api.request('PATCH', `/api/v1/users/${agent.id}`, { token: admin, body: { phone: '+66899999999' } });
    const placed = fake.next((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${twilioAccount.accountSid}/Calls.json`);
    const started2 = await server.api.request('POST', `/api/v1/conversations/${call.conversationId}/call`, {
      token: agent.token,
      body: {},
    });
    expect(started2.status, JSON.stringify(started2.body)).toBe(201);
    const request = await placed;
    expect(request.form).toMatchObject({ To: '+66899999999', From: OUR_NUMBER, StatusCallback: `${PUBLIC_URL}${base()}/status` });
    const callId = started2.body.call.id as string;
    expect(request.form.Url).toBe(`${PUBLIC_URL}${base()}/outbound/${callId}`);
    const outboundSid = (await server.store.calls.findById(callId))!.callSid;
    const dial = await twiml(`${base()}/outbound/${callId}`, { CallSid: outboundSid, CallStatus: 'in-progress' });
    expect(only(only(dial, 'Dial'), 'Number').text).toBe(from);
    await twiml(`${base()}/dial`, { CallSid: outboundSid, DialCallStatus: 'completed', DialCallDuration: '30' });
    expect((await server.store.calls.findById(callId))!).toMatchObject({ outcome: 'answered', talkSeconds: 30, direction: 'outbound' });
  });
});
