// The whole path with real parts: a visitor's socket → ingest → the agent's socket; the agent's
// REST reply → outbox → the visitor's socket; everything stored once.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ENGINES, connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';

describe.each(ENGINES)('web chat pipeline on %s', (engine) => {
  let server: TestServer;
  let adminToken: string;
  let agent: { id: string; token: string };
  let accountId: string;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer(engine);
    adminToken = await server.api.login();
    agent = await server.api.userWithRole(adminToken, 'agent', 'Somchai Agent');
    accountId = await server.api.webChatAccount(adminToken);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('a visitor message reaches the agent live, and the agent reply reaches the visitor', async () => {
    const agentSocket = await connect(server.url, { token: agent.token });
    sockets.push(agentSocket);
    const visitor = await server.api.visitorSession(accountId, { name: 'สมหญิง ใจดี', email: 'Somying@Example.com' });
    const visitorSocket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(visitorSocket);

    const newConversation = nextEvent(agentSocket, 'conversation:created');
    const newMessage = nextEvent(agentSocket, 'message:created');
    const ack = await visitorSocket.emitWithAck('visitor:send', { clientMessageId: 'm-1', text: 'สวัสดีค่ะ อยากสอบถามเรื่องพัสดุ 📦' });
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.duplicate).toBe(false);

    const [conversation] = await newConversation;
    const [message] = await newMessage;
    expect(conversation.channelKind).toBe('web_chat');
    expect(conversation.status).toBe('open');
    expect(message.conversationId).toBe(conversation.id);
    expect(message.parts).toEqual([{ type: 'text', text: 'สวัสดีค่ะ อยากสอบถามเรื่องพัสดุ 📦' }]);
    expect(message.direction).toBe('inbound');

    // The agent sees the customer profile with the Thai name, and the typed email kept unverified.
    const read = await server.api.request('GET', `/api/v1/conversations/${conversation.id}`, { token: agent.token });
    expect(read.status).toBe(200);
    expect(read.body.customer.name).toBe('สมหญิง ใจดี');
    expect(read.body.customer.attributes).toEqual({ unverifiedEmail: 'somying@example.com' });
    expect(read.body.messages).toHaveLength(1);

    // The list names the customer and previews the latest message, so the inbox needs no extra reads.
    const list = await server.api.request('GET', '/api/v1/conversations?assignee=none', { token: agent.token });
    const listed = list.body.conversations.find((c: { id: string }) => c.id === conversation.id);
    expect(listed.customer).toEqual({ id: conversation.customerId, name: 'สมหญิง ใจดี' });
    expect(listed.lastMessage.id).toBe(message.id);

    // The agent takes the conversation and replies; the visitor's socket receives it and acknowledges.
    const assign = await server.api.request('POST', `/api/v1/conversations/${conversation.id}/assign`, {
      token: agent.token,
      body: { assigneeId: agent.id },
    });
    expect(assign.status).toBe(200);
    const visitorGetsReply = new Promise<string>((resolve) => {
      visitorSocket.on('visitor:message', (m, ackFn) => {
        ackFn(true);
        const part = m.parts[0];
        if (m.direction === 'outbound' && part?.type === 'text') resolve(part.text);
      });
    });
    const delivered = nextEvent(agentSocket, 'message:status', (s) => s.status === 'delivered');
    const reply = await server.api.request('POST', `/api/v1/conversations/${conversation.id}/messages`, {
      token: agent.token,
      body: { text: 'สวัสดีครับ ยินดีให้บริการครับ' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.message.status).toBe('queued');
    expect(await visitorGetsReply).toBe('สวัสดีครับ ยินดีให้บริการครับ');
    const [status] = await delivered;
    expect(status.id).toBe(reply.body.message.id);

    // A private note never reaches the visitor, and the visitor's history excludes it.
    const note = await server.api.request('POST', `/api/v1/conversations/${conversation.id}/notes`, {
      token: agent.token,
      body: { text: 'VIP customer, be nice' },
    });
    expect(note.status).toBe(201);
    const history = await visitorSocket.emitWithAck('visitor:history', {});
    expect(history.ok).toBe(true);
    if (history.ok) {
      expect(history.messages.map((m) => m.direction)).toEqual(['inbound', 'outbound']);
      expect(JSON.stringify(history.messages)).not.toContain('VIP customer');
    }
    const stored = await server.store.messages.listForConversation(conversation.id, { limit: 10, includePrivate: true });
    expect(stored.map((m) => [m.direction, m.private, m.status])).toEqual([
      ['inbound', false, 'received'],
      ['outbound', false, 'delivered'],
      ['outbound', true, 'sent'],
    ]);
  });

  test('a visitor who reloads comes back to the same conversation', async () => {
    const visitor = await server.api.visitorSession(accountId);
    const first = await connect(server.url, { visitorToken: visitor.token });
    const a = await first.emitWithAck('visitor:send', { clientMessageId: 'r-1', text: 'first' });
    first.close();
    const second = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(second);
    const b = await second.emitWithAck('visitor:send', { clientMessageId: 'r-2', text: 'after reload' });
    expect(a.ok && b.ok).toBe(true);
    const history = await second.emitWithAck('visitor:history', {});
    expect(history.ok && history.messages.map((m) => m.parts[0]?.type === 'text' && m.parts[0].text)).toEqual(['first', 'after reload']);
    const first2 = await server.store.messages.findById(a.ok ? a.message.id : '');
    const second2 = await server.store.messages.findById(b.ok ? b.message.id : '');
    expect(first2?.conversationId).toBe(second2?.conversationId);
  });

  test('a resolved conversation reopens when the customer writes within the window', async () => {
    const visitor = await server.api.visitorSession(accountId);
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const first = await socket.emitWithAck('visitor:send', { clientMessageId: 'w-1', text: 'hello' });
    if (!first.ok) throw new Error(first.error.message);
    const conversationId = (await server.store.messages.findById(first.message.id))!.conversationId;
    const resolved = await server.api.request('POST', `/api/v1/conversations/${conversationId}/status`, {
      token: adminToken,
      body: { status: 'resolved' },
    });
    expect(resolved.body.conversation.status).toBe('resolved');
    const again = await socket.emitWithAck('visitor:send', { clientMessageId: 'w-2', text: 'one more question' });
    if (!again.ok) throw new Error(again.error.message);
    const conversation = await server.store.conversations.findById(
      (await server.store.messages.findById(again.message.id))!.conversationId,
    );
    expect(conversation?.id).toBe(conversationId);
    expect(conversation?.status).toBe('open');
  });
});
