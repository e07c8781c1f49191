// "Someone else has this open": agents and supervisors who join a conversation's room hear who is
// viewing it, after every join and leave (a closed socket leaves too); visitors are never listed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ENGINES, connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { openConversation } from './support/scenario.js';

describe.each(ENGINES)('conversation viewers on %s', (engine) => {
  let server: TestServer;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('each join and leave is announced to the room with the current viewers', async () => {
    const admin = await server.api.login();
    const accountId = await server.api.webChatAccount(admin);
    const opened = await openConversation(server, accountId, 'ใครดูอยู่บ้าง');
    sockets.push(opened.socket);
    const room = `conversation:${opened.conversationId}`;
    const sup = await server.api.userWithRole(admin, 'supervisor', 'Sup Nok');
    const agent = await server.api.userWithRole(admin, 'agent', 'Ploy Agent');
    const supSocket = await connect(server.url, { token: sup.token });
    const agentSocket = await connect(server.url, { token: agent.token });
    sockets.push(supSocket, agentSocket);

    const alone = nextEvent(supSocket, 'conversation:viewers', (e) => e.viewers.length === 1);
    expect(await supSocket.emitWithAck('room:join', { room })).toEqual({ ok: true });
    expect((await alone)[0]).toEqual({ conversationId: opened.conversationId, viewers: [{ id: sup.id, name: 'Sup Nok' }] });

    const both = nextEvent(supSocket, 'conversation:viewers', (e) => e.viewers.length === 2);
    const seenByAgent = nextEvent(agentSocket, 'conversation:viewers', (e) => e.viewers.length === 2);
    expect(await agentSocket.emitWithAck('room:join', { room })).toEqual({ ok: true });
    const [{ viewers }] = await both;
    expect(viewers.map((v) => v.name).sort()).toEqual(['Ploy Agent', 'Sup Nok']);
    expect((await seenByAgent)[0].viewers).toHaveLength(2);

    const left = nextEvent(agentSocket, 'conversation:viewers', (e) => e.viewers.length === 1);
    supSocket.close();
    expect((await left)[0].viewers).toEqual([{ id: agent.id, name: 'Ploy Agent' }]);
  });
});
