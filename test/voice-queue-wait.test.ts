// A caller's wait in a queue follows their IVR enqueue node, on a clock the test moves: the node's hold
// music, an announcement every `announceEvery` seconds (the place in line, or the expected wait once
// the queue has a measured handle time), none at all, and after `maxWaitSeconds` on to `onTimeout`,
// leaving the queue (counted abandoned there, never offered to an agent afterwards) unless an agent
// took the call first; an agent who takes the call and does not pick up sends it back to waiting in its
// place, for the next agent, and is set away. Real parts: the server on port 0, webhooks signed with
// the twilio package's own helper, the TwiML parsed, agents on socket.io, Twilio's REST API faked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Presence } from '../server/domain/routing/types.js';
import { createChannelAccount } from './support/channel-traffic.js';
import { ENGINES, connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { only, verbNames } from './support/twiml.js';
import { until } from './support/until.js';
import { newCallSid, says, VoiceLine } from './support/voice-line.js';

const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6621239876';
const SALES_MUSIC = 'https://cdn.example.test/sales-hold.mp3';
const OFFER_CALLBACK = 'All our agents are still busy. Press 1 and we will call you back.';

const FLOW = `
name: wait-line
languages: [th-TH, en-US]
start: menu
nodes:
  menu:
    type: gather
    input: [dtmf]
    prompt: { th-TH: กด 1 ฝ่ายขาย กด 2 รอสาย กด 3 ฝ่ายขายภาษาไทย, en-US: Press 1 for sales. }
    timeout: 5
    retries: 0
    options: { '1': english, '2': quiet_queue, '3': thai_sales }
    invalid: bye
  english:
    type: set
    language: en-US
    next: sales
  sales:
    type: enqueue
    queue: Sales
    priority: 3
    holdMusic: ${SALES_MUSIC}
    announce: expected_wait
    announceEvery: 45
    maxWaitSeconds: 120
    onTimeout: offer_callback
  quiet_queue:
    type: enqueue
    queue: Sales
    announce: none
  thai_sales:
    type: enqueue
    queue: Sales
    announce: expected_wait
  offer_callback:
    type: gather
    input: [dtmf]
    prompt: { th-TH: เจ้าหน้าที่ยังไม่ว่าง กด 1 ให้โทรกลับ, en-US: '${OFFER_CALLBACK}' }
    timeout: 5
    retries: 0
    options: { '1': callback }
    invalid: bye
  callback:
    type: callback
    prompt: { th-TH: เราจะโทรกลับหาคุณค่ะ, en-US: We will call you back. }
    queue: Callbacks
    confirm: { th-TH: ขอบคุณค่ะ, en-US: Thank you. }
  bye:
    type: hangup
    prompt: { th-TH: ขอบคุณที่โทรมาค่ะ, en-US: Thank you for calling. }
`;

describe.each(ENGINES)('a caller waiting in a queue on %s', (engine) => {
  let fake: FakeTwilio;
  let server: TestServer;
  let admin: string;
  let line: VoiceLine;
  let flowsDir: string;
  let clock = Date.UTC(2026, 5, 1, 3, 0, 0);
  const queues: Record<string, string> = {};
  let seq = 0;
  const newPhone = () => `+6689${String(1_000_000 + ++seq * 7_919 + Math.floor(Math.random() * 1_000)).slice(-7)}`;
  const seconds = (n: number) => (clock += n * 1_000);

  const conversationOf = async (sid: string) => (await server.store.conversations.findById((await line.call(sid))!.conversationId))!;
  const abandonedIn = async (queueId: string, conversationId: string) =>
    (await server.store.routingEvents.listSince(0, queueId)).filter((e) => e.type === 'abandoned' && e.conversationId === conversationId);

  /** An agent of Sales, signed in on a socket; available when told so. */
  async function salesAgent(name: string): Promise<{ id: string; token: string; socket: ClientSocket }> {
    const agent = await server.api.userWithRole(admin, 'agent', name);
    const routing = await server.api.request('PATCH', `/api/v1/users/${agent.id}/routing`, {
      token: admin,
      body: { queueIds: [queues.Sales] },
    });
    expect(routing.status).toBe(200);
    return { id: agent.id, token: agent.token, socket: await connect(server.url, { token: agent.token }) };
  }
  const setPresence = (socket: ClientSocket, presence: Presence) =>
    new Promise((resolve) => socket.emit('presence:set', { presence }, resolve));
  const accept = (socket: ClientSocket, conversationId: string) =>
    new Promise<{ ok: boolean }>((resolve) => socket.emit('offer:accept', { conversationId }, resolve));

  beforeAll(async () => {
    flowsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-wait-flows-'));
    fs.writeFileSync(path.join(flowsDir, 'wait-line.flow.yaml'), FLOW);
    fake = await FakeTwilio.start();
    const twilioAccount = fake.account();
    server = await startTestServer(
      engine,
      { PUBLIC_URL, IVR_FLOWS_DIR: flowsDir, CLUSTER_NAME: `voice-wait-${process.pid}` },
      { now: () => clock },
    );
    admin = await server.api.login();
    for (const name of ['Sales', 'Callbacks']) {
      const q = await server.api.request('POST', '/api/v1/queues', { token: admin, body: { name, channels: ['voice'] } });
      expect(q.status, JSON.stringify(q.body)).toBe(201);
      queues[name] = q.body.queue.id;
    }
    const accountId = await createChannelAccount(server.api, admin, {
      kind: 'voice',
      name: 'ฝ่ายขาย',
      settings: { accountSid: twilioAccount.accountSid, phoneNumber: OUR_NUMBER, apiBaseUrl: fake.url, flow: 'wait-line' },
      credentials: { authToken: twilioAccount.authToken },
    });
    line = new VoiceLine({ server, accountId, twilioAccount, publicUrl: PUBLIC_URL, number: OUR_NUMBER });
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    fs.rmSync(flowsDir, { recursive: true, force: true });
  });

  test('the node’s music and announcements; after the longest wait the caller leaves the queue for the callback offer', async () => {
    const first = await line.started(newPhone());
    const base = (await conversationOf(first)).priority;
    await line.press(first, 'menu', '1');
    expect((await conversationOf(first)).priority).toBe(base + 3);

    // No handle time measured yet: the expected wait falls back to the place in line, then the node's music.
    const round1 = await line.wait(first);
    expect(verbNames(round1)).toEqual(['Say', 'Play', 'Redirect']);
    expect(says(round1)).toEqual(['You are next in line. Thank you for waiting.']);
    expect(only(round1, 'Play').text).toBe(SALES_MUSIC);
    seconds(20);
    expect(verbNames(await line.wait(first))).toEqual(['Play', 'Redirect']); // within 45 s: music only
    seconds(30);
    expect(says(await line.wait(first))).toEqual(['You are next in line. Thank you for waiting.']);

    // A second caller waits behind, where nothing is announced: a pause of one round (10 s).
    const second = await line.started(newPhone());
    await line.press(second, 'menu', '2');
    const quiet = await line.wait(second);
    expect(verbNames(quiet)).toEqual(['Pause', 'Redirect']);
    expect(only(quiet, 'Pause').attributes.length).toBe('10');

    // 120 s after joining, the first caller is offered a callback instead of more music.
    seconds(70);
    const timedOut = await line.wait(first);
    expect(verbNames(timedOut)).toEqual(['Gather', 'Redirect']);
    expect(says(timedOut)).toEqual([OFFER_CALLBACK]);
    expect((await line.call(first))!.state).toBe('ivr');
    const left = await conversationOf(first);
    expect(left).toMatchObject({ status: 'open', assigneeId: null, enqueuedAt: null, priority: base });
    const [abandoned] = await abandonedIn(queues.Sales!, left.id);
    expect(abandoned!.data).toEqual({ waitedMs: 120_000 });
    // The wait URL asked again (a retried request) answers where the caller now is, not more music.
    expect(says(await line.wait(first))).toEqual([OFFER_CALLBACK]);

    // An agent who becomes available now is offered the second caller: the first left the queue.
    const agent = await salesAgent('Mali Sales');
    try {
      const offered = nextEvent(agent.socket, 'offer:new');
      await setPresence(agent.socket, 'available');
      const [{ offer }] = await offered;
      expect(offer.conversationId).toBe((await conversationOf(second)).id);
      await setPresence(agent.socket, 'away');
    } finally {
      agent.socket.close();
    }
    expect((await line.hangUp(second)).status).toBe(200); // the second caller gives up

    // The first caller asks for a callback: it waits in Callbacks, its priority counted afresh.
    const confirmed = await line.press(first, 'offer_callback', '1');
    expect(verbNames(confirmed)).toEqual(['Say', 'Say', 'Hangup']);
    const record = await line.record(first);
    expect(record.outcome).toBe('callback');
    expect(record.path.map((p) => p.node)).toEqual(expect.arrayContaining(['sales', 'offer_callback', 'callback']));
    const waiting = await until(
      () => conversationOf(first),
      (c) => c.queueId === queues.Callbacks && c.enqueuedAt !== null,
      'the callback request in its queue',
    );
    expect(waiting.priority).toBe(base);
  });

  test('an agent who takes the call as its longest wait runs out wins: the caller is put through', async () => {
    const sid = await line.started(newPhone());
    await line.press(sid, 'menu', '1');
    const agent = await salesAgent('Dao Sales');
    try {
      const offered = nextEvent(agent.socket, 'offer:new');
      await setPresence(agent.socket, 'available');
      const [{ offer }] = await offered;
      expect(offer.conversationId).toBe((await conversationOf(sid)).id);
      expect((await accept(agent.socket, offer.conversationId)).ok).toBe(true);
      seconds(121);
      const bridged = await line.wait(sid);
      expect(verbNames(bridged)).toContain('Dial');
      expect((await line.call(sid))!.state).toBe('connecting');
      expect(await abandonedIn(queues.Sales!, offer.conversationId)).toEqual([]);
      await setPresence(agent.socket, 'away');
    } finally {
      agent.socket.close();
    }
  });

  test('the expected wait, once the queue has a handle time: the place in line times the handle time, shared by the staffed agents', async () => {
    const agent = await salesAgent('Fon Sales');
    try {
      // An answered call of 4 minutes gives Sales its handle time; the agent then stays in wrap-up (staffed).
      await setPresence(agent.socket, 'available');
      const answered = await line.started(newPhone());
      const offered = nextEvent(agent.socket, 'offer:new');
      await line.press(answered, 'menu', '2');
      const [{ offer }] = await offered;
      expect((await accept(agent.socket, offer.conversationId)).ok).toBe(true);
      expect(verbNames(await line.wait(answered))).toContain('Dial');
      seconds(240);
      const wrapUp = nextEvent(agent.socket, 'presence:changed', (e) => e.presence === 'wrap_up');
      await line.twiml(`${line.base}/dial/${agent.id}`, { CallSid: answered, DialCallStatus: 'completed', DialCallDuration: '240' });
      await wrapUp;

      const thai = await line.started(newPhone());
      await line.press(thai, 'menu', '3');
      // Handle time 4 min over one staffed agent, first in line: about 4 minutes (Thai, the flow's first language).
      expect(says(await line.wait(thai))).toEqual(['เวลารอโดยประมาณ 4 นาที ขอบคุณที่รอสาย']);
      await setPresence(agent.socket, 'away');
      expect((await line.hangUp(thai)).status).toBe(200);
    } finally {
      agent.socket.close();
    }
  });

  test('an agent who takes a call and does not pick up: the caller waits again in their place, the next agent gets it, the first is set away', async () => {
    const first = await salesAgent('Gai Sales');
    const second = await salesAgent('Nam Sales');
    try {
      const sid = await line.started(newPhone());
      const offered = nextEvent(first.socket, 'offer:new');
      await setPresence(first.socket, 'available');
      await line.press(sid, 'menu', '2');
      const [{ offer }] = await offered;
      const joined = (await conversationOf(sid)).enqueuedAt;
      expect((await accept(first.socket, offer.conversationId)).ok).toBe(true);
      const ringGai = only(await line.wait(sid), 'Dial');
      expect(only(only(ringGai, 'Client'), 'Identity').text).toBe(`agent-${first.id}`);
      // Twilio reports the end of the ring at the Dial's action URL, which names whom it rang.
      const reportGai = new URL(ringGai.attributes.action!).pathname;
      expect(reportGai).toBe(`${line.base}/dial/${first.id}`);

      // Gai's softphone and phone ring out.
      seconds(25);
      const away = nextEvent(first.socket, 'presence:changed', (e) => e.agentId === first.id && e.presence === 'away');
      const rang = await line.twiml(reportGai, { CallSid: sid, CallStatus: 'in-progress', DialCallStatus: 'no-answer' });
      expect(verbNames(rang)).toEqual(['Pause', 'Redirect']);
      expect((await away)[0]).toMatchObject({ reason: 'missed a call' });
      expect(await line.call(sid)).toMatchObject({ state: 'queued', agentId: null });
      expect(await conversationOf(sid)).toMatchObject({ assigneeId: null, enqueuedAt: joined, refusedBy: [first.id] });
      const missed = (await server.store.routingEvents.listSince(0, queues.Sales)).filter(
        (e) => e.conversationId === offer.conversationId && e.type === 'timed_out',
      );
      expect(missed).toMatchObject([{ agentId: first.id, data: { reason: 'no_answer' } }]);

      // Nam becomes available and gets the call; this time it is put through to Nam.
      const next = nextEvent(second.socket, 'offer:new');
      await setPresence(second.socket, 'available');
      const [{ offer: again }] = await next;
      expect(again.conversationId).toBe(offer.conversationId);
      expect((await accept(second.socket, again.conversationId)).ok).toBe(true);
      expect(only(only(only(await line.wait(sid), 'Dial'), 'Client'), 'Identity').text).toBe(`agent-${second.id}`);
      // A repeated report of Gai's ring changes nothing now that Nam's phone rings.
      expect(
        only(only(only(await line.twiml(reportGai, { CallSid: sid, DialCallStatus: 'no-answer' }), 'Dial'), 'Client'), 'Identity').text,
      ).toBe(`agent-${second.id}`);
      expect(await line.call(sid)).toMatchObject({ state: 'connecting', agentId: second.id });
      expect(await conversationOf(sid)).toMatchObject({ assigneeId: second.id });

      // The caller hangs up while Nam's phone rings: the call ends abandoned and Nam holds nothing.
      expect((await line.hangUp(sid)).status).toBe(200);
      expect(await line.record(sid)).toMatchObject({ state: 'ended', outcome: 'abandoned' });
      expect(await conversationOf(sid)).toMatchObject({ status: 'resolved' });
      await setPresence(second.socket, 'away');
    } finally {
      first.socket.close();
      second.socket.close();
    }
  });

  test('holds: counted and timed on the call, talk time without them; a caller who hangs up on hold ends the call, answered', async () => {
    const agent = await salesAgent('Ploy Sales');
    const hold = async (callId: string, on: boolean) => {
      const res = await server.api.request('POST', `/api/v1/calls/${callId}/hold`, { token: agent.token, body: { hold: on } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    try {
      const sid = await line.started(newPhone());
      const offered = nextEvent(agent.socket, 'offer:new');
      await setPresence(agent.socket, 'available');
      await line.press(sid, 'menu', '2');
      const [{ offer }] = await offered;
      expect((await accept(agent.socket, offer.conversationId)).ok).toBe(true);
      expect(verbNames(await line.wait(sid))).toContain('Dial');
      const answered = () => line.twiml(`${line.base}/leg`, { CallSid: newCallSid(), ParentCallSid: sid, CallStatus: 'in-progress' });
      await answered();
      const callId = (await line.call(sid))!.id;

      seconds(60);
      await hold(callId, true); // 40 s on hold, then back
      seconds(40);
      await hold(callId, false);
      expect(verbNames(await line.wait(sid))).toContain('Dial');
      await answered();
      expect(await line.call(sid)).toMatchObject({ state: 'talking', holds: 1, holdSeconds: 40, heldAt: null });
      seconds(30);
      await hold(callId, true); // the caller hangs up 20 s into the second hold
      seconds(20);
      const wrapUp = nextEvent(agent.socket, 'presence:changed', (e) => e.agentId === agent.id && e.presence === 'wrap_up');
      expect((await line.hangUp(sid)).status).toBe(200);
      await wrapUp;

      expect(await line.record(sid)).toMatchObject({ state: 'ended', outcome: 'answered', holds: 2, holdSeconds: 60, talkSeconds: 90 });
      expect(await conversationOf(sid)).toMatchObject({ status: 'resolved' });
      // A late copy of the hang-up changes nothing.
      expect((await line.hangUp(sid)).status).toBe(200);
      expect(await line.record(sid)).toMatchObject({ holds: 2, holdSeconds: 60, talkSeconds: 90 });
    } finally {
      agent.socket.close();
    }
  });
});
