// Bad input over HTTP gets a clear 4xx with a coded JSON error, never a crash and never a partial
// write. Every rejected write below is followed by a row count of every table on an independent
// connection to the same database.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.js';
import { ADMIN, ENGINES, startTestServer, type ApiResponse, type ClientSocket, type TestServer } from './support/harness.js';
import { RowCounter } from './support/row-counts.js';
import {
  HTML_PAGE,
  PNG_1X1,
  elfExecutable,
  openConversation,
  pngOfSize,
  uploadFile,
  windowsExecutable,
  type UploadResponse,
} from './support/scenario.js';

const UPLOAD_MAX_BYTES = 2048;

function expectError(res: ApiResponse | UploadResponse, status: number, code: string): string {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
  return res.body.error.message as string;
}

describe.each(ENGINES)('bad input over HTTP on %s', (engine) => {
  let server: TestServer;
  let counter: RowCounter;
  let adminToken: string;
  let agent: { id: string; token: string };
  let otherAgent: { id: string; token: string };
  let accountId: string;
  /** Assigned to `otherAgent`: `agent` may not see it. */
  let othersConversation: string;
  /** Unassigned: every agent may see it. */
  let openConversationId: string;
  let visitorToken: string;
  const sockets: ClientSocket[] = [];

  /** Runs `work` and proves that no table gained or lost a row. */
  async function withoutWrites(work: () => Promise<void>): Promise<void> {
    const before = await counter.counts();
    await work();
    expect(await counter.counts()).toEqual(before);
  }

  beforeAll(async () => {
    server = await startTestServer(engine, { UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES) });
    counter = RowCounter.open(server);
    adminToken = await server.api.login();
    agent = await server.api.userWithRole(adminToken, 'agent');
    otherAgent = await server.api.userWithRole(adminToken, 'agent');
    accountId = await server.api.webChatAccount(adminToken);
    const first = await openConversation(server, accountId, 'my parcel is late');
    const second = await openConversation(server, accountId, 'can I change my address?');
    sockets.push(first.socket, second.socket);
    othersConversation = first.conversationId;
    openConversationId = second.conversationId;
    visitorToken = second.visitor.token;
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

  // Each write endpoint, as the caller allowed to use it.
  const writeEndpoints: { name: string; target: () => { url: string; token?: string } }[] = [
    { name: 'POST /api/v1/auth/login', target: () => ({ url: '/api/v1/auth/login' }) },
    { name: 'POST /api/v1/users', target: () => ({ url: '/api/v1/users', token: adminToken }) },
    { name: 'POST /api/v1/channel-accounts', target: () => ({ url: '/api/v1/channel-accounts', token: adminToken }) },
    {
      name: 'POST /api/v1/conversations/:id/messages',
      target: () => ({ url: `/api/v1/conversations/${openConversationId}/messages`, token: agent.token }),
    },
    {
      name: 'POST /api/v1/conversations/:id/notes',
      target: () => ({ url: `/api/v1/conversations/${openConversationId}/notes`, token: agent.token }),
    },
    { name: 'POST /webhooks/web_chat/:accountId/sessions', target: () => ({ url: `/webhooks/web_chat/${accountId}/sessions` }) },
  ];

  describe('malformed and oversize JSON', () => {
    test.each(writeEndpoints)('$name: malformed JSON is 400 VALIDATION', async ({ target }) => {
      const { url, token } = target();
      await withoutWrites(async () => {
        const res = await server.api.request('POST', url, { token, raw: '{"text": "unterminated' });
        expect(expectError(res, 400, 'VALIDATION')).toMatch(/not valid JSON/);
      });
    });

    test.each(writeEndpoints)('$name: a body over JSON_BODY_LIMIT (256kb) is 413 PAYLOAD_TOO_LARGE', async ({ target }) => {
      const { url, token } = target();
      await withoutWrites(async () => {
        const raw = JSON.stringify({ text: 'x'.repeat(300 * 1024) });
        const res = await server.api.request('POST', url, { token, raw });
        expectError(res, 413, 'PAYLOAD_TOO_LARGE');
      });
    });

    test.each([
      ['a JSON string', '"hello"'],
      ['JSON null', 'null'],
      ['a JSON array', '[{"text":"hi"}]'],
    ])('a body that is %s instead of an object is 400', async (_name, raw) => {
      await withoutWrites(async () => {
        const res = await server.api.request('POST', `/api/v1/conversations/${openConversationId}/messages`, {
          token: agent.token,
          raw,
        });
        expectError(res, 400, 'VALIDATION');
      });
    });
  });

  describe('schema violations', () => {
    const wrongTypes: { name: string; call: () => { url: string; token?: string; body: unknown }; field: string }[] = [
      {
        name: 'reply text: 42',
        call: () => ({ url: `/api/v1/conversations/${openConversationId}/messages`, token: agent.token, body: { text: 42 } }),
        field: 'body.text',
      },
      {
        name: 'note attachmentIds: "abc"',
        call: () => ({ url: `/api/v1/conversations/${openConversationId}/notes`, token: agent.token, body: { attachmentIds: 'abc' } }),
        field: 'body.attachmentIds',
      },
      {
        name: 'user name: 42',
        call: () => ({
          url: '/api/v1/users',
          token: adminToken,
          body: { email: 'typed@example.com', name: 42, role: 'agent', password: 'a-long-enough-password' },
        }),
        field: 'body.name',
      },
      {
        name: 'user role: "root"',
        call: () => ({
          url: '/api/v1/users',
          token: adminToken,
          body: { email: 'root@example.com', name: 'Root', role: 'root', password: 'a-long-enough-password' },
        }),
        field: 'body.role',
      },
      {
        name: 'channel account settings: "x"',
        call: () => ({ url: '/api/v1/channel-accounts', token: adminToken, body: { kind: 'web_chat', name: 'Shop', settings: 'x' } }),
        field: 'body.settings',
      },
      {
        name: 'channel account kind: "fax"',
        call: () => ({ url: '/api/v1/channel-accounts', token: adminToken, body: { kind: 'fax', name: 'Fax' } }),
        field: 'body.kind',
      },
      {
        name: 'status: "closed"',
        call: () => ({ url: `/api/v1/conversations/${openConversationId}/status`, token: agent.token, body: { status: 'closed' } }),
        field: 'body.status',
      },
      {
        name: 'assigneeId: 7',
        call: () => ({ url: `/api/v1/conversations/${openConversationId}/assign`, token: agent.token, body: { assigneeId: 7 } }),
        field: 'body.assigneeId',
      },
      { name: 'login email: 1', call: () => ({ url: '/api/v1/auth/login', body: { email: 1, password: 'x' } }), field: 'body.email' },
      {
        name: 'web chat session name: 42',
        call: () => ({ url: `/webhooks/web_chat/${accountId}/sessions`, body: { name: 42 } }),
        field: 'body.name',
      },
      {
        name: 'web chat session locale: "fr"',
        call: () => ({ url: `/webhooks/web_chat/${accountId}/sessions`, body: { locale: 'fr' } }),
        field: 'body.locale',
      },
    ];

    test.each(wrongTypes)('$name → 400 naming $field', async ({ call, field }) => {
      const { url, token, body } = call();
      await withoutWrites(async () => {
        const res = await server.api.request('POST', url, { token, body });
        expect(expectError(res, 400, 'VALIDATION')).toContain(`${field}:`);
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
      });
    });

    const unknownFields: { name: string; call: () => { url: string; token?: string; body: unknown }; key: string }[] = [
      {
        name: 'reply with sendAs',
        call: () => ({
          url: `/api/v1/conversations/${openConversationId}/messages`,
          token: agent.token,
          body: { text: 'hi', sendAs: otherAgent.id },
        }),
        key: 'sendAs',
      },
      {
        name: 'user with passwordHash',
        call: () => ({
          url: '/api/v1/users',
          token: adminToken,
          body: { email: 'extra@example.com', name: 'Extra', role: 'agent', password: 'a-long-enough-password', passwordHash: 'x' },
        }),
        key: 'passwordHash',
      },
      {
        name: 'channel account with id',
        call: () => ({ url: '/api/v1/channel-accounts', token: adminToken, body: { kind: 'web_chat', name: 'Shop', id: 'mine' } }),
        key: 'id',
      },
      {
        name: 'login with remember',
        call: () => ({ url: '/api/v1/auth/login', body: { email: ADMIN.email, password: ADMIN.password, remember: true } }),
        key: 'remember',
      },
      {
        name: 'web chat session with customerId',
        call: () => ({ url: `/webhooks/web_chat/${accountId}/sessions`, body: { name: 'Visitor', customerId: 'someone-else' } }),
        key: 'customerId',
      },
    ];

    test.each(unknownFields)('$name → 400 naming the unknown key', async ({ call, key }) => {
      const { url, token, body } = call();
      await withoutWrites(async () => {
        const res = await server.api.request('POST', url, { token, body });
        expect(expectError(res, 400, 'VALIDATION')).toContain(key);
      });
    });

    test('an empty reply (only whitespace, no attachment) is 400', async () => {
      await withoutWrites(async () => {
        const res = await server.api.request('POST', `/api/v1/conversations/${openConversationId}/messages`, {
          token: agent.token,
          body: { text: '   ' },
        });
        expect(expectError(res, 400, 'VALIDATION')).toMatch(/needs text or an attachment/);
      });
    });

    test('a reply naming an attachment that does not exist is 400', async () => {
      await withoutWrites(async () => {
        const res = await server.api.request('POST', `/api/v1/conversations/${openConversationId}/messages`, {
          token: agent.token,
          body: { text: 'see file', attachmentIds: ['0190a6c0-0000-7000-8000-000000000000'] },
        });
        expectError(res, 400, 'VALIDATION');
      });
    });
  });

  describe('authentication', () => {
    const protectedCalls: { name: string; method: string; url: () => string }[] = [
      { name: 'GET /api/v1/auth/me', method: 'GET', url: () => '/api/v1/auth/me' },
      { name: 'GET /api/v1/conversations', method: 'GET', url: () => '/api/v1/conversations' },
      {
        name: 'POST /api/v1/conversations/:id/messages',
        method: 'POST',
        url: () => `/api/v1/conversations/${openConversationId}/messages`,
      },
      { name: 'POST /api/v1/users', method: 'POST', url: () => '/api/v1/users' },
    ];
    const badCredentials: { name: string; headers: () => Record<string, string> }[] = [
      { name: 'no Authorization header', headers: () => ({}) },
      { name: 'a garbage bearer token', headers: () => ({ authorization: 'Bearer not-a-real-token' }) },
      { name: 'a token with characters a token never has', headers: () => ({ authorization: 'Bearer ../../etc/passwd' }) },
      {
        name: 'Basic instead of Bearer',
        headers: () => ({ authorization: `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString('base64')}` }),
      },
      { name: 'the bare token without "Bearer"', headers: () => ({ authorization: adminToken }) },
    ];
    const cases = protectedCalls.flatMap((c) => badCredentials.map((b) => ({ ...c, credential: b.name, headers: b.headers })));

    test.each(cases)('$name with $credential → 401 UNAUTHENTICATED', async ({ method, url, headers }) => {
      await withoutWrites(async () => {
        const res = await server.api.request(method, url(), {
          headers: headers(),
          body:
            method === 'POST'
              ? { text: 'hi', email: 'x@example.com', name: 'X', role: 'admin', password: 'a-long-enough-password' }
              : undefined,
        });
        expect(expectError(res, 401, 'UNAUTHENTICATED')).toMatch(/bearer token/);
      });
    });

    test('a revoked (logged out) token is 401 everywhere, including uploads', async () => {
      const token = await server.api.login();
      expect((await server.api.request('POST', '/api/v1/auth/logout', { token })).status).toBe(204);
      await withoutWrites(async () => {
        expectError(await server.api.request('GET', '/api/v1/auth/me', { token }), 401, 'UNAUTHENTICATED');
        const reply = await server.api.request('POST', `/api/v1/conversations/${openConversationId}/messages`, {
          token,
          body: { text: 'hi' },
        });
        expectError(reply, 401, 'UNAUTHENTICATED');
        const upload = await uploadFile(`${server.url}/api/v1/conversations/${openConversationId}/attachments`, {
          token,
          bytes: PNG_1X1,
          filename: 'a.png',
          type: 'image/png',
        });
        expectError(upload, 401, 'UNAUTHENTICATED');
      });
    });
  });

  describe('authorization', () => {
    const adminOnly: { name: string; method: string; url: () => string; body: () => unknown }[] = [
      {
        name: 'POST /api/v1/users',
        method: 'POST',
        url: () => '/api/v1/users',
        body: () => ({ email: 'sneaky@example.com', name: 'Sneaky', role: 'admin', password: 'a-long-enough-password' }),
      },
      { name: 'PATCH /api/v1/users/:id', method: 'PATCH', url: () => `/api/v1/users/${agent.id}`, body: () => ({ role: 'admin' }) },
      {
        name: 'POST /api/v1/channel-accounts',
        method: 'POST',
        url: () => '/api/v1/channel-accounts',
        body: () => ({ kind: 'web_chat', name: 'Rogue', credentials: { apiKey: 'x' } }),
      },
      {
        name: 'PATCH /api/v1/channel-accounts/:id',
        method: 'PATCH',
        url: () => `/api/v1/channel-accounts/${accountId}`,
        body: () => ({ active: false }),
      },
      {
        name: 'DELETE /api/v1/channel-accounts/:id',
        method: 'DELETE',
        url: () => `/api/v1/channel-accounts/${accountId}`,
        body: () => undefined,
      },
    ];

    test.each(adminOnly)('an agent calling $name → 403 FORBIDDEN, nothing written', async ({ method, url, body }) => {
      await withoutWrites(async () => {
        const res = await server.api.request(method, url(), { token: agent.token, body: body() });
        expect(expectError(res, 403, 'FORBIDDEN')).toMatch(/role/);
      });
      // And nothing changed in place either.
      expect((await server.store.users.findById(agent.id))?.role).toBe('agent');
      expect((await server.store.channelAccounts.findById(accountId))?.active).toBe(true);
    });

    test('an agent may not read, answer or change a conversation assigned to another agent', async () => {
      const id = othersConversation;
      await withoutWrites(async () => {
        expectError(await server.api.request('GET', `/api/v1/conversations/${id}`, { token: agent.token }), 403, 'FORBIDDEN');
        expectError(await server.api.request('GET', `/api/v1/conversations/${id}/messages`, { token: agent.token }), 403, 'FORBIDDEN');
        const writes: [string, unknown][] = [
          [`/api/v1/conversations/${id}/messages`, { text: 'let me answer instead' }],
          [`/api/v1/conversations/${id}/notes`, { text: 'a note where I do not belong' }],
          [`/api/v1/conversations/${id}/status`, { status: 'resolved' }],
          [`/api/v1/conversations/${id}/assign`, { assigneeId: agent.id }],
        ];
        for (const [url, body] of writes) {
          expectError(await server.api.request('POST', url, { token: agent.token, body }), 403, 'FORBIDDEN');
        }
        const upload = await uploadFile(`${server.url}/api/v1/conversations/${id}/attachments`, {
          token: agent.token,
          bytes: PNG_1X1,
          filename: 'a.png',
          type: 'image/png',
        });
        expectError(upload, 403, 'FORBIDDEN');
        const list = await server.api.request('GET', `/api/v1/conversations?assignee=${otherAgent.id}`, { token: agent.token });
        expectError(list, 403, 'FORBIDDEN');
      });
      const stored = await server.store.conversations.findById(id);
      expect({ assigneeId: stored?.assigneeId, status: stored?.status }).toEqual({ assigneeId: otherAgent.id, status: 'open' });
      // The agent's own list does not show it either.
      const mine = await server.api.request('GET', '/api/v1/conversations', { token: agent.token });
      expect(mine.status).toBe(200);
      expect(mine.body.conversations.map((c: { id: string }) => c.id)).not.toContain(id);
    });
  });

  describe('unknown routes and bad queries', () => {
    test.each([
      ['GET', '/api/v1/nope'],
      ['POST', '/api/v1/conversations'],
      ['DELETE', '/api/v1/users'],
      ['GET', '/api/v1/conversations/x/y/z'],
      ['POST', '/webhooks/nope'],
      ['GET', '/webhooks/web_chat/x/unknown'],
      ['GET', '/no-such-page'],
      ['POST', '/widget/nothing'],
    ])('%s %s → 404 JSON', async (method, url) => {
      const res = await server.api.request(method, url, { token: adminToken });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expectError(res, 404, 'NOT_FOUND');
    });

    test('a well-formed id that does not exist is 404, not 500', async () => {
      const missing = '0190a6c0-0000-7000-8000-000000000000';
      expectError(await server.api.request('GET', `/api/v1/users/${missing}`, { token: adminToken }), 404, 'NOT_FOUND');
      expectError(await server.api.request('GET', `/api/v1/conversations/${missing}`, { token: adminToken }), 404, 'NOT_FOUND');
      expectError(await server.api.request('GET', `/api/v1/customers/${missing}`, { token: adminToken }), 404, 'NOT_FOUND');
      expectError(await server.api.request('GET', `/api/v1/channel-accounts/${missing}`, { token: adminToken }), 404, 'NOT_FOUND');
      await withoutWrites(async () => {
        const reply = await server.api.request('POST', `/api/v1/conversations/${missing}/messages`, {
          token: adminToken,
          body: { text: 'hi' },
        });
        expectError(reply, 404, 'NOT_FOUND');
      });
    });

    test.each([
      ['/api/v1/conversations?cursor=garbage', 'query.cursor'],
      [`/api/v1/conversations?cursor=${Buffer.from('yesterday:abc').toString('base64url')}`, 'query.cursor'],
      [`/api/v1/conversations?cursor=${Buffer.from('123:').toString('base64url')}`, 'query.cursor'],
      ['/api/v1/customers?cursor=garbage', 'query.cursor'],
      ['/api/v1/conversations?limit=abc', 'query.limit'],
      ['/api/v1/conversations?limit=0', 'query.limit'],
      ['/api/v1/conversations?limit=101', 'query.limit'],
      ['/api/v1/conversations?status=open,closed', 'query.status'],
      ['/api/v1/conversations?channel=fax', 'query.channel'],
      ['/api/v1/conversations?status=open&status=pending', 'query.status'],
      ['/api/v1/conversations?sort=asc', 'sort'],
      [`/api/v1/conversations/${'x'}/messages?limit=-1`, 'query.limit'],
    ])('GET %s → 400 naming %s', async (url, field) => {
      const res = await server.api.request('GET', url.replace('/x/', `/${openConversationId}/`), { token: adminToken });
      expect(expectError(res, 400, 'VALIDATION')).toContain(field);
    });

    test('a cursor the API returned pages through every conversation exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse = await server.api.request('GET', `/api/v1/conversations?limit=1${cursor ? `&cursor=${cursor}` : ''}`, {
          token: adminToken,
        });
        expect(res.status).toBe(200);
        seen.push(...res.body.conversations.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining([othersConversation, openConversationId]));
    });
  });

  describe('uploads', () => {
    const targets: { name: string; url: () => string; token: () => string }[] = [
      { name: 'agent upload', url: () => `${server.url}/api/v1/conversations/${openConversationId}/attachments`, token: () => agent.token },
      { name: 'visitor upload', url: () => `${server.url}/webhooks/web_chat/${accountId}/uploads`, token: () => visitorToken },
    ];
    const bad: { name: string; bytes: () => Buffer; filename: string; type: string; field?: string; status: number; code: string }[] = [
      {
        name: `a file over UPLOAD_MAX_BYTES (${UPLOAD_MAX_BYTES})`,
        bytes: () => pngOfSize(UPLOAD_MAX_BYTES + 1),
        filename: 'big.png',
        type: 'image/png',
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      },
      {
        name: 'a Linux executable renamed .png',
        bytes: elfExecutable,
        filename: 'cat.png',
        type: 'image/png',
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      {
        name: 'a Windows .exe renamed .png',
        bytes: windowsExecutable,
        filename: 'invoice.png',
        type: 'image/png',
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      {
        name: 'an HTML page renamed .png',
        bytes: () => HTML_PAGE,
        filename: 'photo.png',
        type: 'image/png',
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      { name: 'an empty file', bytes: () => Buffer.alloc(0), filename: 'empty.png', type: 'image/png', status: 400, code: 'VALIDATION' },
      {
        name: 'a file in the wrong form field',
        bytes: () => PNG_1X1,
        filename: 'a.png',
        type: 'image/png',
        field: 'attachment',
        status: 400,
        code: 'VALIDATION',
      },
    ];
    const cases = targets.flatMap((t) => bad.map((b) => ({ ...b, target: t.name, url: t.url, token: t.token })));

    test.each(cases)(
      '$target: $name → $status $code, no attachment row',
      async ({ url, token, bytes, filename, type, field, status, code }) => {
        await withoutWrites(async () => {
          const res = await uploadFile(url(), { token: token(), bytes: bytes(), filename, type, field });
          expectError(res, status, code);
        });
      },
    );

    test.each(targets)('$name: a real PNG at the size limit is accepted (the control case)', async ({ url, token }) => {
      const before = await counter.counts();
      const res = await uploadFile(url(), { token: token(), bytes: pngOfSize(UPLOAD_MAX_BYTES), filename: 'ok.png', type: 'image/png' });
      expect(res.status).toBe(201);
      expect(res.body.attachment).toMatchObject({ contentType: 'image/png', size: UPLOAD_MAX_BYTES });
      expect(await counter.counts()).toEqual({ ...before, attachments: before.attachments + 1 });
    });

    test('a visitor upload with another account in the URL is 401', async () => {
      const other = await server.api.webChatAccount(adminToken, 'Other site');
      await withoutWrites(async () => {
        const res = await uploadFile(`${server.url}/webhooks/web_chat/${other}/uploads`, {
          token: visitorToken,
          bytes: PNG_1X1,
          filename: 'a.png',
          type: 'image/png',
        });
        expectError(res, 401, 'UNAUTHENTICATED');
      });
    });
  });

  describe('web chat sessions', () => {
    test('a session for an unknown account is 404', async () => {
      await withoutWrites(async () => {
        const res = await server.api.request('POST', '/webhooks/web_chat/0190a6c0-0000-7000-8000-000000000000/sessions', { body: {} });
        expectError(res, 404, 'NOT_FOUND');
        expectError(await server.api.request('POST', '/webhooks/web_chat/not-even-an-id/sessions', { body: {} }), 404, 'NOT_FOUND');
      });
    });

    test('a deactivated account takes no new sessions, and its existing visitors are turned away', async () => {
      const closing = await server.api.webChatAccount(adminToken, 'Closing site');
      const existing = await server.api.visitorSession(closing);
      const off = await server.api.request('PATCH', `/api/v1/channel-accounts/${closing}`, { token: adminToken, body: { active: false } });
      expect(off.status).toBe(200);
      await withoutWrites(async () => {
        expectError(
          await server.api.request('POST', `/webhooks/web_chat/${closing}/sessions`, { body: { name: 'Late' } }),
          404,
          'NOT_FOUND',
        );
        const upload = await uploadFile(`${server.url}/webhooks/web_chat/${closing}/uploads`, {
          token: existing.token,
          bytes: PNG_1X1,
          filename: 'a.png',
          type: 'image/png',
        });
        expectError(upload, 401, 'UNAUTHENTICATED');
      });
    });

    test('an invalid email typed into the widget is 400 and creates no customer', async () => {
      await withoutWrites(async () => {
        const res = await server.api.request('POST', `/webhooks/web_chat/${accountId}/sessions`, { body: { email: 'not an email' } });
        expect(expectError(res, 400, 'VALIDATION')).toMatch(/email/);
      });
    });

    test('errors from the web chat endpoints carry CORS headers, so the widget on another origin can read them', async () => {
      const origin = 'https://shop.example.com';
      const malformed = await server.api.request('POST', `/webhooks/web_chat/${accountId}/sessions`, {
        raw: '{oops',
        headers: { origin },
      });
      expectError(malformed, 400, 'VALIDATION');
      expect(malformed.headers.get('access-control-allow-origin')).toBe(origin);
      const unknown = await server.api.request('POST', '/webhooks/web_chat/0190a6c0-0000-7000-8000-000000000000/sessions', {
        body: {},
        headers: { origin },
      });
      expectError(unknown, 404, 'NOT_FOUND');
      expect(unknown.headers.get('access-control-allow-origin')).toBe(origin);
    });
  });
});

describe('an expired token', () => {
  let server: TestServer;
  let clock = Date.UTC(2025, 0, 6, 9, 0, 0);

  beforeAll(async () => {
    server = await startTestServer('sqlite', { TOKEN_TTL_HOURS: '2' }, { now: () => clock });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('is accepted until TOKEN_TTL_HOURS pass, then 401 UNAUTHENTICATED', async () => {
    const token = await server.api.login();
    clock += 2 * 3_600_000 - 1;
    expect((await server.api.request('GET', '/api/v1/auth/me', { token })).status).toBe(200);
    clock += 1;
    const counter = RowCounter.open(server);
    try {
      const before = await counter.counts();
      expectError(await server.api.request('GET', '/api/v1/auth/me', { token }), 401, 'UNAUTHENTICATED');
      expectError(
        await server.api.request('POST', '/api/v1/channel-accounts', { token, body: { kind: 'web_chat', name: 'Late' } }),
        401,
        'UNAUTHENTICATED',
      );
      expect(await counter.counts()).toEqual(before);
    } finally {
      await counter.close();
    }
    // Logging in again gives a fresh token that works at the new time.
    expect((await server.api.request('GET', '/api/v1/auth/me', { token: await server.api.login() })).status).toBe(200);
  });
});

describe('configuration is validated at start-up', () => {
  const base = { NODE_ENV: 'test', DATABASE_URL: 'sqlite:./data/x.sqlite' };

  function configError(env: Record<string, string>): ConfigError {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return err as ConfigError;
    }
    throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
  }

  test.each([
    ['PORT is not a number', { PORT: 'eighty' }, 'PORT'],
    ['PORT is out of range', { PORT: '70000' }, 'PORT'],
    ['DATABASE_URL is not sqlite or postgres', { DATABASE_URL: 'mysql://root@localhost/desk' }, 'DATABASE_URL'],
    ['DATABASE_URL is a bare path', { DATABASE_URL: './data/omnidesk.sqlite' }, 'DATABASE_URL'],
    ['ADMIN_EMAIL without ADMIN_PASSWORD', { ADMIN_EMAIL: 'boss@example.com' }, 'ADMIN_PASSWORD'],
    ['ADMIN_PASSWORD without ADMIN_EMAIL', { ADMIN_PASSWORD: 'a-long-enough-password' }, 'ADMIN_EMAIL'],
    ['ADMIN_PASSWORD is short', { ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    ['ADMIN_EMAIL is not an email', { ADMIN_EMAIL: 'boss', ADMIN_PASSWORD: 'a-long-enough-password' }, 'ADMIN_EMAIL'],
    ['TOKEN_TTL_HOURS is zero', { TOKEN_TTL_HOURS: '0' }, 'TOKEN_TTL_HOURS'],
    ['UPLOAD_MAX_BYTES is negative', { UPLOAD_MAX_BYTES: '-1' }, 'UPLOAD_MAX_BYTES'],
    ['SECRET_KEY is short', { SECRET_KEY: 'abc' }, 'SECRET_KEY'],
    ['SECRET_KEY is missing in production', { NODE_ENV: 'production' }, 'SECRET_KEY'],
    ['PUBLIC_URL is not a URL', { PUBLIC_URL: 'desk.example.com' }, 'PUBLIC_URL'],
    ['REDIS_URL is not a redis URL', { REDIS_URL: 'localhost:6379', DATABASE_URL: 'postgres://db/desk' }, 'REDIS_URL'],
    ['REDIS_URL with SQLite (one process only)', { REDIS_URL: 'redis://127.0.0.1:6379' }, 'REDIS_URL'],
    ['CLUSTER_NAME has spaces', { CLUSTER_NAME: 'my desk' }, 'CLUSTER_NAME'],
    ['NODE_ID has a slash', { NODE_ID: 'a/b' }, 'NODE_ID'],
  ])('%s → ConfigError naming %s', (_name, env, setting) => {
    const err = configError({ ...base, ...env });
    expect(err.problems.some((p) => p.startsWith(`${setting}:`))).toBe(true);
    expect(err.message).toContain(setting);
  });

  test('every problem is reported at once', () => {
    const err = configError({ PORT: 'x', DATABASE_URL: 'ftp://nope', ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: 'short' });
    expect(err.problems.map((p) => p.split(':')[0]).sort()).toEqual(['ADMIN_PASSWORD', 'DATABASE_URL', 'PORT']);
  });

  test('a valid environment loads, with empty strings treated as unset', () => {
    const config = loadConfig({ ...base, PORT: '8080', PUBLIC_URL: '', ADMIN_EMAIL: '', ADMIN_PASSWORD: '' });
    expect(config).toMatchObject({ port: 8080, publicUrl: undefined, admin: undefined, jsonBodyLimit: '256kb' });
  });

  test('several nodes: REDIS_URL with PostgreSQL, a shared cluster name and a node name', () => {
    const config = loadConfig({ ...base, DATABASE_URL: 'postgres://db/desk', REDIS_URL: 'redis://cache:6379', NODE_ID: 'desk-2' });
    expect(config.cluster).toEqual({ redisUrl: 'redis://cache:6379', name: 'omnidesk', nodeId: 'desk-2' });
    expect(loadConfig(base).cluster.redisUrl).toBeUndefined();
  });
});
