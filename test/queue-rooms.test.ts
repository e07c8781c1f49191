// Queue rooms follow queue membership: an agent's socket is in the rooms of the queues they work (and
// follows live membership changes), may not join another queue's room, and supervisors watch any.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';

let server: TestServer;
let admin: string;
const sockets: ClientSocket[] = [];
const track = (s: ClientSocket) => (sockets.push(s), s);

beforeAll(async () => {
  server = await startTestServer('sqlite', {}, { routing: { tickMs: 20 } });
  admin = await server.api.login();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.stop();
});

async function queueNamed(name: string): Promise<string> {
  const res = await server.api.request('POST', '/api/v1/queues', { token: admin, body: { name, channels: ['web_chat'] } });
  expect(res.status).toBe(201);
  return res.body.queue.id;
}

test('agents hear their own queues only, follow membership changes, and may not join other queues', async () => {
  const billing = await queueNamed('Billing');
  const sales = await queueNamed('Sales');
  const member = await server.api.userWithRole(admin, 'agent', 'Billing Agent');
  const outsider = await server.api.userWithRole(admin, 'agent', 'Sales Agent');
  await server.api.request('PATCH', `/api/v1/users/${member.id}/routing`, { token: admin, body: { queueIds: [billing] } });
  await server.api.request('PATCH', `/api/v1/users/${outsider.id}/routing`, { token: admin, body: { queueIds: [sales] } });
  const memberSocket = track(await connect(server.url, { token: member.token }));
  const outsiderSocket = track(await connect(server.url, { token: outsider.token }));

  expect(await outsiderSocket.emitWithAck('room:join', { room: `queue:${billing}` })).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
  expect(await outsiderSocket.emitWithAck('room:join', { room: `queue:${sales}` })).toEqual({ ok: true });
  const supervisor = await server.api.userWithRole(admin, 'supervisor');
  const supervisorSocket = track(await connect(server.url, { token: supervisor.token }));
  expect(await supervisorSocket.emitWithAck('room:join', { room: `queue:${billing}` })).toEqual({ ok: true });

  // A conversation waits in Billing (nobody is available); a priority change is broadcast to its queue room.
  const account = await server.api.request('POST', '/api/v1/channel-accounts', {
    token: admin,
    body: { kind: 'web_chat', name: 'Billing chat', queueId: billing },
  });
  const visitor = await server.api.visitorSession(account.body.account.id);
  const v = track(await connect(server.url, { visitorToken: visitor.token }));
  const sent = await v.emitWithAck('visitor:send', { clientMessageId: 'q-1', text: 'invoice question' });
  if (!sent.ok) throw new Error(sent.error.message);
  const conversationId = (await server.store.messages.findById(sent.message.id))!.conversationId;
  for (let i = 0; i < 200 && (await server.store.conversations.findById(conversationId))?.queueId !== billing; i++)
    await new Promise((r) => setImmediate(r));

  const outsiderSaw: string[] = [];
  outsiderSocket.on('conversation:updated', (c) => outsiderSaw.push(c.id));
  const memberHears = nextEvent(memberSocket, 'conversation:updated', (c) => c.id === conversationId && c.priority === 5);
  const raised = await server.api.request('POST', `/api/v1/conversations/${conversationId}/priority`, {
    token: supervisor.token,
    body: { priority: 5 },
  });
  expect(raised.status).toBe(200);
  await memberHears;
  // Sentinel on the outsider's connection: their own room's event arrives after the broadcast would have.
  const sentinel = nextEvent(outsiderSocket, 'presence:changed');
  await outsiderSocket.emitWithAck('presence:set', { presence: 'away', reason: 'break' });
  await sentinel;
  expect(outsiderSaw).not.toContain(conversationId);

  // Membership changes live: the member leaves Billing and stops hearing it.
  await server.api.request('PATCH', `/api/v1/users/${member.id}/routing`, { token: admin, body: { queueIds: [sales] } });
  const joinsSales = await memberSocket.emitWithAck('room:join', { room: `queue:${sales}` });
  expect(joinsSales).toEqual({ ok: true });
  expect(await memberSocket.emitWithAck('room:join', { room: `queue:${billing}` })).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
});
