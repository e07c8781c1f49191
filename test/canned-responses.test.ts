// Canned responses and conversation tags over real HTTP on both engines: supervisors write templates,
// agents find them by shortcut or text and render them for a conversation with its customer's data
// (Thai and English), bad templates and bodies are refused with a clear error and write nothing, and
// tags are set, normalised, filtered on and refused when malformed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderTemplate } from '../server/usecases/manage-canned-responses.js';
import { ENGINES, connect, startTestServer, type ApiResponse, type ClientSocket, type TestServer } from './support/harness.js';
import { RowCounter } from './support/row-counts.js';
import { openConversation } from './support/scenario.js';

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error.message.length).toBeGreaterThan(10);
}

describe('templates', () => {
  const context = {
    customer: { name: 'สมชาย ใจดี', firstName: 'สมชาย', email: '', phone: '+66812345678', locale: 'th' },
    agent: { name: 'Ploy Agent', firstName: 'Ploy' },
    conversation: { id: 'c1', channel: 'line', subject: '' },
  };

  test('placeholders are filled; text is not HTML-escaped; missing values are empty', () => {
    expect(renderTemplate('สวัสดีค่ะ คุณ{{customer.firstName}} <{{agent.name}}> & co {{customer.email}}.', context)).toBe(
      'สวัสดีค่ะ คุณสมชาย <Ploy Agent> & co .',
    );
    expect(renderTemplate('{{#if customer.phone}}We will call {{customer.phone}}{{else}}No phone{{/if}}', context)).toBe(
      'We will call +66812345678',
    );
  });

  test('templates cannot reach prototypes or unknown helpers', () => {
    expect(renderTemplate('{{customer.constructor}}{{customer.__proto__}}', context)).toBe('');
    expect(() => renderTemplate('{{shout customer.name}}', context)).toThrow();
  });
});

describe.each(ENGINES)('canned responses and tags on %s', (engine) => {
  let server: TestServer;
  let admin: string;
  let supervisor: { id: string; token: string };
  let agent: { id: string; token: string };
  let other: { id: string; token: string };
  let conversationId: string;
  let accountId: string;
  const sockets: ClientSocket[] = [];
  const post = (url: string, token: string, body?: unknown) => server.api.request('POST', `/api/v1${url}`, { token, body });

  beforeAll(async () => {
    server = await startTestServer(engine);
    admin = await server.api.login();
    supervisor = await server.api.userWithRole(admin, 'supervisor', 'Sup Nok');
    agent = await server.api.userWithRole(admin, 'agent', 'Ploy Agent');
    other = await server.api.userWithRole(admin, 'agent', 'Other Agent');
    accountId = await server.api.webChatAccount(admin);
    const visitor = await server.api.visitorSession(accountId, { name: 'สมชาย ใจดี', email: 'somchai@example.co.th' });
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const ack = await socket.emitWithAck('visitor:send', { clientMessageId: 'canned-1', text: 'สวัสดีครับ' });
    if (!ack.ok) throw new Error(ack.error.message);
    conversationId = (await server.store.messages.findById(ack.message.id))!.conversationId;
    expect((await post(`/conversations/${conversationId}/assign`, admin, { assigneeId: agent.id })).status).toBe(200);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('a supervisor writes a response; an agent finds it by shortcut and renders it for a conversation', async () => {
    const created = await post('/canned-responses', supervisor.token, {
      title: 'Greeting (Thai)',
      shortcut: 'hi-th',
      body: 'สวัสดีค่ะ คุณ{{customer.firstName}} ดิฉัน{{agent.firstName}} ยินดีให้บริการค่ะ',
      locale: 'th',
    });
    expect(created.status).toBe(201);
    expect(created.body.cannedResponse).toMatchObject({ shortcut: 'hi-th', locale: 'th', createdBy: supervisor.id });
    await post('/canned-responses', supervisor.token, { title: 'Refund policy', shortcut: 'refund', body: 'Refunds take 5 days.' });

    const found = await server.api.request('GET', '/api/v1/canned-responses?q=HI-', { token: agent.token });
    expect(found.status).toBe(200);
    expect(found.body.cannedResponses.map((c: { shortcut: string }) => c.shortcut)).toEqual(['hi-th']);
    expect(found.body.placeholders).toContain('customer.firstName');
    const byText = await server.api.request('GET', '/api/v1/canned-responses?q=days', { token: agent.token });
    expect(byText.body.cannedResponses.map((c: { shortcut: string }) => c.shortcut)).toEqual(['refund']);

    const rendered = await post(`/canned-responses/${created.body.cannedResponse.id}/render`, agent.token, { conversationId });
    expect(rendered.status).toBe(200);
    expect(rendered.body.text).toBe('สวัสดีค่ะ คุณสมชาย ดิฉันPloy ยินดีให้บริการค่ะ');

    const changed = await server.api.request('PATCH', `/api/v1/canned-responses/${created.body.cannedResponse.id}`, {
      token: supervisor.token,
      body: { body: 'Hello {{customer.name}} ({{customer.email}})' },
    });
    expect(changed.status).toBe(200);
    const again = await post(`/canned-responses/${created.body.cannedResponse.id}/render`, agent.token, { conversationId });
    expect(again.body.text).toBe('Hello สมชาย ใจดี (somchai@example.co.th)');
  });

  test('bad input is refused with a clear error and writes nothing', async () => {
    const counter = RowCounter.open(server);
    try {
      const before = await counter.counts();
      const existing = (await server.api.request('GET', '/api/v1/canned-responses', { token: agent.token })).body.cannedResponses[0];
      expectError(await post('/canned-responses', agent.token, { title: 'x', shortcut: 'x', body: 'x' }), 403, 'FORBIDDEN');
      expectError(
        await post('/canned-responses', supervisor.token, { title: 'Broken', shortcut: 'broken', body: 'Hi {{#if}}' }),
        400,
        'VALIDATION',
      );
      expectError(await post('/canned-responses', supervisor.token, { title: 'Dup', shortcut: 'refund', body: 'again' }), 409, 'CONFLICT');
      expectError(
        await post('/canned-responses', supervisor.token, { title: 'Spaces', shortcut: 'has space', body: 'x' }),
        400,
        'VALIDATION',
      );
      expectError(await post('/canned-responses', supervisor.token, { title: '', shortcut: 'empty', body: 'x' }), 400, 'VALIDATION');
      expectError(
        await post('/canned-responses', supervisor.token, { title: 't', shortcut: 's1', body: 'x', extra: 1 }),
        400,
        'VALIDATION',
      );
      expectError(await post(`/canned-responses/${existing.id}/render`, other.token, { conversationId }), 403, 'FORBIDDEN');
      expectError(await post(`/canned-responses/${existing.id}/render`, agent.token, { conversationId: 'nope' }), 400, 'VALIDATION');
      expectError(await post('/canned-responses/nope/render', agent.token, { conversationId }), 404, 'NOT_FOUND');
      const patch = (body: unknown) =>
        server.api.request('PATCH', `/api/v1/canned-responses/${existing.id}`, { token: supervisor.token, body });
      expectError(await patch({}), 400, 'VALIDATION');
      expectError(await patch({ body: '{{/each}}' }), 400, 'VALIDATION');
      expect(await counter.counts()).toEqual(before);
    } finally {
      await counter.close();
    }
  });

  test('a supervisor deletes a response; it is gone', async () => {
    const created = await post('/canned-responses', supervisor.token, { title: 'Temp', shortcut: 'temp', body: 'bye' });
    const del = await server.api.request('DELETE', `/api/v1/canned-responses/${created.body.cannedResponse.id}`, {
      token: supervisor.token,
    });
    expect(del.status).toBe(204);
    const list = await server.api.request('GET', '/api/v1/canned-responses', { token: agent.token });
    expect(list.body.cannedResponses.map((c: { shortcut: string }) => c.shortcut)).not.toContain('temp');
    const again = await server.api.request('DELETE', `/api/v1/canned-responses/${created.body.cannedResponse.id}`, {
      token: supervisor.token,
    });
    expectError(again, 404, 'NOT_FOUND');
  });

  test('tags: set (lower-cased, de-duplicated, Thai allowed), filtered on, refused when malformed or not yours', async () => {
    const tagged = await post(`/conversations/${conversationId}/tags`, agent.token, { tags: ['Refund', 'ด่วน', 'refund'] });
    expect(tagged.status).toBe(200);
    expect(tagged.body.conversation.tags).toEqual(['refund', 'ด่วน']);
    const second = await openConversation(server, accountId, 'another one');
    sockets.push(second.socket);
    const list = async (tag: string) =>
      (await server.api.request('GET', `/api/v1/conversations?tag=${encodeURIComponent(tag)}`, { token: admin })).body.conversations.map(
        (c: { id: string }) => c.id,
      );
    expect(await list('ด่วน')).toEqual([conversationId]);
    expect(await list('REFUND')).toEqual([conversationId]);
    expect(await list('refun')).toEqual([]);
    expect(await list('r_fund')).toEqual([]); // LIKE wildcards are escaped

    expectError(await post(`/conversations/${conversationId}/tags`, agent.token, { tags: ['has space'] }), 400, 'VALIDATION');
    expectError(await post(`/conversations/${conversationId}/tags`, agent.token, { tags: 'refund' }), 400, 'VALIDATION');
    expectError(await post(`/conversations/${conversationId}/tags`, other.token, { tags: ['mine'] }), 403, 'FORBIDDEN');
    expect((await server.store.conversations.findById(conversationId))!.tags).toEqual(['refund', 'ด่วน']);
    const cleared = await post(`/conversations/${conversationId}/tags`, agent.token, { tags: [] });
    expect(cleared.body.conversation.tags).toEqual([]);
  });
});
