// The socket gateway lets a socket hear only what its role may see: authenticated handshakes, room
// rules per role, visitors kept out of agent rooms, event size and rate limits, strict validation of
// visitor messages, and the pure mapping of domain events to rooms.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Conversation, Message } from '../server/domain/types.js';
import type { DomainEvent } from '../server/domain/events.js';
import { io as ioClient } from 'socket.io-client';
import { roomsForEvent, roomsOf } from '../server/realtime/broadcast-rooms.js';
import { ENGINES, connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { conversationAt } from './support/fixtures.js';
import { RowCounter } from './support/row-counts.js';
import { PNG_1X1, openConversation, uploadFile } from './support/scenario.js';

type User = { id: string; token: string; email: string; password: string };

/** Emits any payload, including ones the typed contract would not allow. */
const joinRoom = (socket: ClientSocket, request: unknown) => socket.emitWithAck('room:join', request as never);
const visitorSend = (socket: ClientSocket, payload: unknown) => socket.emitWithAck('visitor:send', payload as never);

/** Records every event a socket receives, acknowledging pushed visitor messages like the widget does. */
function recordAll(socket: ClientSocket): { name: string; payload: unknown }[] {
  const seen: { name: string; payload: unknown }[] = [];
  socket.onAny((name: string, payload: unknown, ack?: unknown) => {
    seen.push({ name, payload });
    if (typeof ack === 'function') ack(true);
  });
  return seen;
}

describe.each(ENGINES)('socket authorization on %s', (engine) => {
  let server: TestServer;
  let counter: RowCounter;
  let adminToken: string;
  let agent: User;
  let otherAgent: User;
  let supervisor: User;
  let accountId: string;
  /** Assigned to `otherAgent`. */
  let othersConversation: string;
  const sockets: ClientSocket[] = [];
  const track = (s: ClientSocket) => (sockets.push(s), s);
  const socketOf = async (who: 'agent' | 'otherAgent' | 'supervisor') =>
    track(await connect(server.url, { token: { agent, otherAgent, supervisor }[who].token }));

  beforeAll(async () => {
    server = await startTestServer(engine);
    counter = RowCounter.open(server);
    adminToken = await server.api.login();
    agent = await server.api.userWithRole(adminToken, 'agent');
    otherAgent = await server.api.userWithRole(adminToken, 'agent');
    supervisor = await server.api.userWithRole(adminToken, 'supervisor');
    accountId = await server.api.webChatAccount(adminToken);
    const opened = await openConversation(server, accountId, 'assigned elsewhere');
    track(opened.socket);
    othersConversation = opened.conversationId;
    const assigned = await server.api.request('POST', `/api/v1/conversations/${othersConversation}/assign`, {
      token: adminToken,
      body: { assigneeId: otherAgent.id },
    });
    expect(assigned.status).toBe(200);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await counter?.close();
    await server?.stop();
  });

  describe('handshake', () => {
    test.each([
      ['no auth at all', () => ({}), /send auth\.token/],
      ['a garbage agent token', () => ({ token: 'garbage' }), /log in again/],
      ['an agent token that is not a string', () => ({ token: 42 }), /send auth\.token/],
      ['a garbage visitor token', () => ({ visitorToken: 'garbage' }), /start a new chat/],
      ['an agent token offered as a visitor token', () => ({ visitorToken: agent.token }), /start a new chat/],
    ])('%s → connect_error', async (_name, auth, message) => {
      const err = (await connect(server.url, auth() as never).then(
        () => undefined,
        (e: unknown) => e,
      )) as (Error & { data?: { code?: string } }) | undefined;
      expect(err).toBeInstanceOf(Error);
      expect(err?.message).toMatch(message);
      expect(err?.data).toEqual({ code: 'UNAUTHENTICATED' });
    });

    test('a visitor token offered as an agent token is refused', async () => {
      const visitor = await server.api.visitorSession(accountId);
      await expect(connect(server.url, { token: visitor.token })).rejects.toThrow(/log in again/);
    });

    test('a logged-out token is refused', async () => {
      const token = await server.api.login(agent.email, agent.password);
      expect((await server.api.request('POST', '/api/v1/auth/logout', { token })).status).toBe(204);
      await expect(connect(server.url, { token })).rejects.toThrow(/log in again/);
    });

    test('a visitor of a deactivated web chat account is refused', async () => {
      const closing = await server.api.webChatAccount(adminToken, 'Closing');
      const visitor = await server.api.visitorSession(closing);
      track(await connect(server.url, { visitorToken: visitor.token })).close();
      const off = await server.api.request('PATCH', `/api/v1/channel-accounts/${closing}`, { token: adminToken, body: { active: false } });
      expect(off.status).toBe(200);
      await expect(connect(server.url, { visitorToken: visitor.token })).rejects.toThrow(/start a new chat/);
    });
  });

  describe('rooms an agent socket may join', () => {
    const cases: { who: 'agent' | 'otherAgent' | 'supervisor'; label: string; request: () => unknown; expected: string }[] = [
      { who: 'agent', label: 'agent:<agent.id>', request: () => ({ room: `agent:${agent.id}` }), expected: 'ok' },
      { who: 'agent', label: 'agent:<otherAgent.id>', request: () => ({ room: `agent:${otherAgent.id}` }), expected: 'FORBIDDEN' },
      { who: 'agent', label: 'supervisors', request: () => ({ room: 'supervisors' }), expected: 'FORBIDDEN' },
      { who: 'supervisor', label: 'supervisors', request: () => ({ room: 'supervisors' }), expected: 'ok' },
      { who: 'supervisor', label: 'agent:<agent.id>', request: () => ({ room: `agent:${agent.id}` }), expected: 'ok' },
      {
        who: 'agent',
        label: 'conversation:<othersConversation>',
        request: () => ({ room: `conversation:${othersConversation}` }),
        expected: 'FORBIDDEN',
      },
      {
        who: 'otherAgent',
        label: 'conversation:<othersConversation>',
        request: () => ({ room: `conversation:${othersConversation}` }),
        expected: 'ok',
      },
      {
        who: 'supervisor',
        label: 'conversation:<othersConversation>',
        request: () => ({ room: `conversation:${othersConversation}` }),
        expected: 'ok',
      },
      { who: 'agent', label: 'queue:default', request: () => ({ room: 'queue:default' }), expected: 'ok' },
      {
        who: 'agent',
        label: 'conversation:0190a6c0-0000-7000-8000-000000000000',
        request: () => ({ room: 'conversation:0190a6c0-0000-7000-8000-000000000000' }),
        expected: 'NOT_FOUND',
      },
      {
        who: 'agent',
        label: 'visitor:0190a6c0-0000-7000-8000-000000000000',
        request: () => ({ room: 'visitor:0190a6c0-0000-7000-8000-000000000000' }),
        expected: 'FORBIDDEN',
      },
      {
        who: 'supervisor',
        label: 'visitor:0190a6c0-0000-7000-8000-000000000000',
        request: () => ({ room: 'visitor:0190a6c0-0000-7000-8000-000000000000' }),
        expected: 'FORBIDDEN',
      },
      { who: 'agent', label: 'lobby', request: () => ({ room: 'lobby' }), expected: 'VALIDATION' },
      { who: 'agent', label: 'agent:', request: () => ({ room: 'agent:' }), expected: 'VALIDATION' },
      { who: 'agent', label: 'bogus:1', request: () => ({ room: 'bogus:1' }), expected: 'VALIDATION' },
      { who: 'supervisor', label: 'everything:*', request: () => ({ room: 'everything:*' }), expected: 'VALIDATION' },
      { who: 'agent', label: 'an empty room', request: () => ({ room: '' }), expected: 'VALIDATION' },
      { who: 'agent', label: 'queue:<q×200>', request: () => ({ room: `queue:${'q'.repeat(200)}` }), expected: 'VALIDATION' },
      { who: 'agent', label: 'a number', request: () => ({ room: 42 }), expected: 'VALIDATION' },
      {
        who: 'agent',
        label: 'a request with an extra field',
        request: () => ({ room: `agent:${agent.id}`, also: 'supervisors' }),
        expected: 'VALIDATION',
      },
      { who: 'agent', label: 'null instead of a request', request: () => null, expected: 'VALIDATION' },
    ];

    test.each(cases)('$who joining $label → $expected', async ({ who, request, expected }) => {
      const socket = await socketOf(who);
      const ack = await joinRoom(socket, request());
      if (expected === 'ok') expect(ack).toEqual({ ok: true });
      else expect(ack).toEqual({ ok: false, error: { code: expected, message: expect.any(String) } });
      socket.close();
    });

    test('a refused room is really not joined: its events do not arrive', async () => {
      const socket = await socketOf('agent');
      const heard: Message[] = [];
      socket.on('message:created', (m) => heard.push(m));
      expect((await joinRoom(socket, { room: `conversation:${othersConversation}` })).ok).toBe(false);
      const note = await server.api.request('POST', `/api/v1/conversations/${othersConversation}/notes`, {
        token: adminToken,
        body: { text: 'private: customer owes us money' },
      });
      expect(note.status).toBe(201);
      // Sentinel: a new unassigned conversation reaches every agent through queue:default.
      const sentinel = nextEvent(socket, 'message:created', (m) => m.text === 'sentinel after refused join');
      track((await openConversation(server, accountId, 'sentinel after refused join')).socket);
      await sentinel;
      expect(heard.map((m) => m.conversationId)).not.toContain(othersConversation);
    });

    test('an agent watching a conversation stops hearing it once it is assigned to someone else', async () => {
      const opened = await openConversation(server, accountId, 'who will take me?');
      track(opened.socket);
      const id = opened.conversationId;
      const watcher = await socketOf('agent');
      const assignee = await socketOf('otherAgent');
      expect(await joinRoom(watcher, { room: `conversation:${id}` })).toEqual({ ok: true });
      const heard: Message[] = [];
      watcher.on('message:created', (m) => heard.push(m));

      // The watcher learns the conversation left the queue (so it can drop it from its list)...
      const left = nextEvent(watcher, 'conversation:updated', (c) => c.id === id);
      const assigned = await server.api.request('POST', `/api/v1/conversations/${id}/assign`, {
        token: supervisor.token,
        body: { assigneeId: otherAgent.id },
      });
      expect(assigned.status).toBe(200);
      expect((await left)[0].assigneeId).toBe(otherAgent.id);

      // ...but not what is said in it afterwards.
      const assigneeHearsNote = nextEvent(assignee, 'message:created', (m) => m.conversationId === id);
      const note = await server.api.request('POST', `/api/v1/conversations/${id}/notes`, {
        token: otherAgent.token,
        body: { text: 'private: now mine' },
      });
      expect(note.status).toBe(201);
      expect((await assigneeHearsNote)[0].text).toBe('private: now mine');
      const sentinel = nextEvent(watcher, 'message:created', (m) => m.text === 'sentinel after reassignment');
      track((await openConversation(server, accountId, 'sentinel after reassignment')).socket);
      await sentinel;
      expect(heard.filter((m) => m.conversationId === id).map((m) => m.text)).toEqual([]);
      // And joining again is refused.
      expect(await joinRoom(watcher, { room: `conversation:${id}` })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });
  });

  describe('visitor sockets', () => {
    test.each(['agent:x', 'supervisors', 'queue:default', 'conversation:own', `conversation:others`])(
      'a visitor joining %s → FORBIDDEN',
      async (room) => {
        const opened = await openConversation(server, accountId);
        track(opened.socket);
        const target =
          room === 'conversation:own'
            ? `conversation:${opened.conversationId}`
            : room === 'conversation:others'
              ? `conversation:${othersConversation}`
              : room;
        const ack = await joinRoom(opened.socket, { room: target });
        expect(ack).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
        expect(await opened.socket.emitWithAck('room:leave', { room: target })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      },
    );

    test('a visitor hears only the replies meant for them: no notes, no conversation updates, nothing of other visitors', async () => {
      const mine = await openConversation(server, accountId, 'my order #1');
      const theirs = await openConversation(server, accountId, 'someone else');
      track(mine.socket);
      track(theirs.socket);
      const heardByMe = recordAll(mine.socket);
      const heardByThem = recordAll(theirs.socket);
      const id = mine.conversationId;

      const calls: [string, unknown][] = [
        [`/api/v1/conversations/${id}/notes`, { text: 'VIP: handle with care' }],
        [`/api/v1/conversations/${id}/assign`, { assigneeId: agent.id }],
        [`/api/v1/conversations/${id}/status`, { status: 'pending' }],
      ];
      for (const [url, body] of calls) {
        const res = await server.api.request('POST', url, { token: adminToken, body });
        expect(res.status).toBeLessThan(300);
      }
      // The agent types: that one is for the visitor.
      const agentSocket = track(await connect(server.url, { token: agent.token }));
      const typing = nextEvent(mine.socket, 'visitor:typing');
      agentSocket.emit('agent:typing', { conversationId: id, typing: true });
      await typing;

      const reply = nextEvent(mine.socket, 'visitor:message', (m) => m.direction === 'outbound');
      const sent = await server.api.request('POST', `/api/v1/conversations/${id}/messages`, {
        token: agent.token,
        body: { text: 'Your order ships today' },
      });
      expect(sent.status).toBe(201);
      await reply;
      expect(heardByMe.map((e) => e.name)).toEqual(['visitor:typing', 'visitor:message']);
      expect(JSON.stringify(heardByMe)).not.toContain('VIP');
      expect(JSON.stringify(heardByMe)).not.toContain(agent.id);

      // The other visitor heard nothing of it; their own reply (the sentinel) is the first thing they hear.
      const theirReply = nextEvent(theirs.socket, 'visitor:message', (m) => m.direction === 'outbound');
      const other = await server.api.request('POST', `/api/v1/conversations/${theirs.conversationId}/messages`, {
        token: adminToken,
        body: { text: 'Hello other visitor' },
      });
      expect(other.status).toBe(201);
      await theirReply;
      expect(heardByThem.map((e) => e.name)).toEqual(['visitor:message']);
      expect(JSON.stringify(heardByThem)).not.toContain('ships today');
    });

    describe('visitor:send validation', () => {
      let socket: ClientSocket;
      let foreignAttachment: string;
      let agentAttachment: string;

      beforeAll(async () => {
        const opened = await openConversation(server, accountId);
        socket = track(opened.socket);
        const stranger = await server.api.visitorSession(accountId);
        const upload = await uploadFile(`${server.url}/webhooks/web_chat/${accountId}/uploads`, {
          token: stranger.token,
          bytes: PNG_1X1,
          filename: 'theirs.png',
          type: 'image/png',
        });
        expect(upload.status).toBe(201);
        foreignAttachment = upload.body.attachment!.id;
        const agentUpload = await uploadFile(`${server.url}/api/v1/conversations/${opened.conversationId}/attachments`, {
          token: adminToken,
          bytes: PNG_1X1,
          filename: 'agent.png',
          type: 'image/png',
        });
        expect(agentUpload.status).toBe(201);
        agentAttachment = agentUpload.body.attachment!.id;
      });

      test.each([
        ['text is a number', () => ({ clientMessageId: 'v-1', text: 42 }), 'text'],
        ['clientMessageId is a number', () => ({ clientMessageId: 1, text: 'hi' }), 'clientMessageId'],
        ['clientMessageId is missing', () => ({ text: 'hi' }), 'clientMessageId'],
        ['attachmentIds is a string', () => ({ clientMessageId: 'v-2', attachmentIds: 'abc' }), 'attachmentIds'],
        ['an unknown field', () => ({ clientMessageId: 'v-3', text: 'hi', conversationId: othersConversation }), 'conversationId'],
        ['an empty message', () => ({ clientMessageId: 'v-4', text: '   ' }), 'needs text or an attachment'],
        ['no content at all', () => ({ clientMessageId: 'v-5' }), 'needs text or an attachment'],
        ['an over-long clientMessageId', () => ({ clientMessageId: 'c'.repeat(65), text: 'hi' }), 'clientMessageId'],
        ['a clientMessageId with odd characters', () => ({ clientMessageId: 'a:b', text: 'hi' }), 'clientMessageId'],
        ['text over 4000 characters', () => ({ clientMessageId: 'v-6', text: 'x'.repeat(4001) }), 'text'],
        ['another visitor’s attachment', () => ({ clientMessageId: 'v-7', attachmentIds: [foreignAttachment] }), 'not yours'],
        ['an agent’s attachment', () => ({ clientMessageId: 'v-8', attachmentIds: [agentAttachment] }), 'not yours'],
        ['an attachment id that does not exist', () => ({ clientMessageId: 'v-9', attachmentIds: ['nope'] }), 'unknown'],
        ['a payload that is not an object', () => 'hello', 'event'],
      ])('%s → VALIDATION, no message stored', async (_name, payload, mentions) => {
        const before = await counter.counts();
        const ack = await visitorSend(socket, payload());
        expect(ack).toEqual({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining(mentions) } });
        expect(await counter.counts()).toEqual(before);
        for (const id of [foreignAttachment, agentAttachment]) expect((await server.store.attachments.findById(id))?.messageId).toBeNull();
      });

      test('visitor:history with bad input → VALIDATION', async () => {
        const ack = await socket.emitWithAck('visitor:history', { after: 1, more: true } as never);
        expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      });
    });
  });
});

describe.each(ENGINES)('socket event limits on %s', (engine) => {
  const MAX_EVENT_BYTES = 2048;
  const PER_SECOND = 5;
  let server: TestServer;
  let counter: RowCounter;
  let accountId: string;
  let adminToken: string;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer(engine, {
      SOCKET_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES),
      SOCKET_EVENTS_PER_SECOND: String(PER_SECOND),
    });
    counter = RowCounter.open(server);
    adminToken = await server.api.login();
    accountId = await server.api.webChatAccount(adminToken);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await counter?.close();
    await server?.stop();
  });

  test('an event over SOCKET_MAX_EVENT_BYTES is refused with PAYLOAD_TOO_LARGE and nothing is stored; bytes count, not characters', async () => {
    const visitor = await server.api.visitorSession(accountId);
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const before = await counter.counts();
    // 1,000 Thai characters are 3,000 bytes of UTF-8: over the limit though far under the 4,000-character text cap.
    const tooBig = await visitorSend(socket, { clientMessageId: 'big', text: 'ก'.repeat(1000) });
    expect(tooBig).toEqual({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining(String(MAX_EVENT_BYTES)) } });
    expect(await counter.counts()).toEqual(before);
    expect(await server.store.messages.findByProviderId(accountId, `${visitor.sessionId}:big`)).toBeUndefined();

    // The control: a message under the limit on the same socket goes through.
    const fits = await visitorSend(socket, { clientMessageId: 'fits', text: 'ก'.repeat(500) });
    expect(fits).toMatchObject({ ok: true, duplicate: false });

    const agentSocket = await connect(server.url, { token: adminToken });
    sockets.push(agentSocket);
    const bigJoin = await joinRoom(agentSocket, { room: 'x'.repeat(MAX_EVENT_BYTES + 1) });
    expect(bigJoin).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  test('a burst beyond the rate limit gets RATE_LIMITED acks, and exactly the accepted messages are stored', async () => {
    const visitor = await server.api.visitorSession(accountId);
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const ids = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
    const acks = await Promise.all(
      ids.map((clientMessageId) => visitorSend(socket, { clientMessageId, text: `message ${clientMessageId}` })),
    );

    const accepted = ids.filter((_, i) => acks[i]?.ok);
    const limited = ids.filter((_, i) => {
      const ack = acks[i];
      return ack && !ack.ok && ack.error.code === 'RATE_LIMITED';
    });
    expect(accepted.length + limited.length).toBe(ids.length);
    expect(accepted.length).toBeGreaterThanOrEqual(PER_SECOND * 2); // the burst allowance
    expect(limited.length).toBeGreaterThan(0);

    for (const id of ids) {
      const stored = await server.store.messages.findByProviderId(accountId, `${visitor.sessionId}:${id}`);
      expect({ id, stored: Boolean(stored) }).toEqual({ id, stored: accepted.includes(id) });
    }
  });
});

describe('token expiry on sockets', () => {
  const TTL_MS = 3_600_000;
  let server: TestServer;
  let clock = Date.UTC(2025, 0, 6, 9, 0, 0);

  beforeAll(async () => {
    server = await startTestServer('sqlite', { TOKEN_TTL_HOURS: '1' }, { now: () => clock });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('an expired token is refused at the handshake', async () => {
    const token = await server.api.login();
    clock += TTL_MS;
    const err = (await connect(server.url, { token }).then(
      () => undefined,
      (e: unknown) => e,
    )) as (Error & { data?: { code?: string } }) | undefined;
    expect(err?.message).toMatch(/expired or revoked; log in again/);
    expect(err?.data).toEqual({ code: 'UNAUTHENTICATED' });
  });

  test('a socket whose token expires while connected is told so, then disconnected', async () => {
    const token = await server.api.login();
    clock += TTL_MS - 20; // 20 ms of the session left, by the server's clock
    // Listeners go on before connecting: the expiry may follow the connect packet at once.
    const socket: ClientSocket = ioClient(server.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const seen: string[] = [];
    const ended = new Promise<void>((resolve) => {
      socket.on('connect', () => seen.push('connect'));
      socket.on('connect_error', (e) => {
        seen.push(`connect_error:${e.message}`);
        resolve();
      });
      socket.on('session:expired', (info) => seen.push(`session:expired:${info.reason}`));
      socket.on('disconnect', (reason) => {
        seen.push(`disconnect:${reason}`);
        resolve();
      });
    });
    await ended;
    socket.close();
    expect(seen).toEqual(['connect', 'session:expired:expired', 'disconnect:io server disconnect']);
  });
});

describe('broadcast rooms (pure)', () => {
  const at = 1_736_150_400_000;
  const conversation = (over: Partial<Conversation> = {}): Conversation => conversationAt(at, { lastCustomerMessageAt: at, ...over });

  const message = (over: Partial<Message> = {}): Message => ({
    id: 'm1',
    conversationId: 'c1',
    channelAccountId: 'ca1',
    direction: 'outbound',
    senderType: 'agent',
    senderId: 'a1',
    parts: [{ type: 'text', text: 'hi' }],
    text: 'hi',
    private: false,
    providerMessageId: null,
    status: 'queued',
    errorCode: null,
    errorMessage: null,
    createdAt: at,
    updatedAt: at,
    ...over,
  });

  test.each([
    ['unassigned, no queue', conversation(), undefined, ['conversation:c1', 'supervisors', 'queue:default']],
    ['unassigned, in a queue', conversation({ queueId: 'q1' }), undefined, ['conversation:c1', 'supervisors', 'queue:q1']],
    ['assigned', conversation({ assigneeId: 'a1', queueId: 'q1' }), undefined, ['conversation:c1', 'supervisors', 'agent:a1']],
    [
      'taken from the default queue (the queue hears it left)',
      conversation({ assigneeId: 'a1' }),
      conversation(),
      ['conversation:c1', 'supervisors', 'agent:a1', 'queue:default'],
    ],
    [
      'taken from a named queue',
      conversation({ assigneeId: 'a1', queueId: 'q1' }),
      conversation({ queueId: 'q1' }),
      ['conversation:c1', 'supervisors', 'agent:a1', 'queue:q1'],
    ],
    [
      'reassigned (the old assignee hears it)',
      conversation({ assigneeId: 'a2' }),
      conversation({ assigneeId: 'a1' }),
      ['conversation:c1', 'supervisors', 'agent:a2', 'agent:a1'],
    ],
    [
      'released back to the queue',
      conversation(),
      conversation({ assigneeId: 'a1' }),
      ['conversation:c1', 'supervisors', 'queue:default', 'agent:a1'],
    ],
    [
      'moved between queues',
      conversation({ queueId: 'q2' }),
      conversation({ queueId: 'q1' }),
      ['conversation:c1', 'supervisors', 'queue:q2', 'queue:q1'],
    ],
    [
      'status change only',
      conversation({ assigneeId: 'a1', status: 'pending' }),
      conversation({ assigneeId: 'a1' }),
      ['conversation:c1', 'supervisors', 'agent:a1'],
    ],
  ] as const)('roomsOf: %s', (_name, c, previous, rooms) => {
    expect(roomsOf(c, previous)).toEqual(rooms);
  });

  test.each<[string, DomainEvent, ReturnType<typeof roomsForEvent>]>([
    [
      'conversation.created',
      { type: 'conversation.created', conversation: conversation() },
      { event: 'conversation:created', payload: conversation(), rooms: ['conversation:c1', 'supervisors', 'queue:default'] },
    ],
    [
      'conversation.updated on reassignment',
      { type: 'conversation.updated', conversation: conversation({ assigneeId: 'a2' }), previous: conversation({ assigneeId: 'a1' }) },
      {
        event: 'conversation:updated',
        payload: conversation({ assigneeId: 'a2' }),
        rooms: ['conversation:c1', 'supervisors', 'agent:a2', 'agent:a1'],
      },
    ],
    [
      'message.created in an assigned conversation',
      { type: 'message.created', message: message({ private: true }), conversation: conversation({ assigneeId: 'a1' }) },
      { event: 'message:created', payload: message({ private: true }), rooms: ['conversation:c1', 'supervisors', 'agent:a1'] },
    ],
    [
      'message.status carries the error code and no message body',
      {
        type: 'message.status',
        message: message({ status: 'failed', errorCode: 'AUTH', errorMessage: 'bad key' }),
        conversation: conversation({ assigneeId: 'a1' }),
      },
      {
        event: 'message:status',
        payload: {
          id: 'm1',
          conversationId: 'c1',
          status: 'failed',
          providerMessageId: null,
          errorCode: 'AUTH',
          errorMessage: 'bad key',
          meta: null,
          updatedAt: at,
        },
        rooms: ['conversation:c1', 'supervisors', 'agent:a1'],
      },
    ],
    [
      'message.status carries the channel details as they are now and when they changed',
      {
        type: 'message.status',
        message: message({ direction: 'inbound', status: 'received', meta: { autoReply: 'x' }, updatedAt: at + 5 }),
        conversation: conversation({ assigneeId: 'a1' }),
      },
      {
        event: 'message:status',
        payload: {
          id: 'm1',
          conversationId: 'c1',
          status: 'received',
          providerMessageId: null,
          errorCode: null,
          errorMessage: null,
          meta: { autoReply: 'x' },
          updatedAt: at + 5,
        },
        rooms: ['conversation:c1', 'supervisors', 'agent:a1'],
      },
    ],
    [
      'sla.changed follows the conversation: its room, supervisors, the queue it waits in',
      { type: 'sla.changed', conversation: conversation({ queueId: 'q1' }), status: 'warning', which: 'first_response' },
      {
        event: 'sla:changed',
        payload: { conversation: conversation({ queueId: 'q1' }), status: 'warning', which: 'first_response' },
        rooms: ['conversation:c1', 'supervisors', 'queue:q1'],
      },
    ],
    ['outbox.enqueued is internal: no broadcast', { type: 'outbox.enqueued', messageId: 'm1' }, undefined],
  ])('roomsForEvent: %s', (_name, event, expected) => {
    expect(roomsForEvent(event)).toEqual(expected);
  });
});
