// Console authentication end to end: the first admin, login, token storage, logout, password change,
// deactivation, the login throttle, roles, and channel credentials that never leave the server.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/server.js';
import { SecretBox } from '../server/security/secret-box.js';
import { hashToken } from '../server/security/tokens.js';
import {
  ADMIN,
  ENGINES,
  connect,
  freshDatabase,
  testConfig,
  startTestServer,
  type ClientSocket,
  type TestServer,
} from './support/harness.js';
import { RowCounter } from './support/row-counts.js';

/** Resolves with the order in which a socket saw 'session:expired' and its disconnect. */
function endOfSession(socket: ClientSocket): Promise<string[]> {
  const seen: string[] = [];
  return new Promise((resolve) => {
    socket.on('session:expired', (info) => seen.push(`session:expired:${info.reason}`));
    socket.on('disconnect', (reason) => {
      seen.push(`disconnect:${reason}`);
      resolve(seen);
    });
  });
}

/**
 * Proves a socket was NOT told its session ended: a round trip on the same connection comes back,
 * and no 'session:expired' arrived before it (the server sends both down one ordered connection).
 */
async function stillConnected(socket: ClientSocket, ownId: string): Promise<void> {
  let expired = false;
  const onExpired = () => (expired = true);
  socket.on('session:expired', onExpired);
  const ack = await socket.emitWithAck('room:join', { room: `agent:${ownId}` });
  socket.off('session:expired', onExpired);
  expect(ack).toEqual({ ok: true });
  expect(expired).toBe(false);
  expect(socket.connected).toBe(true);
}

describe.each(ENGINES)('authentication on %s', (engine) => {
  let server: TestServer;
  let counter: RowCounter;
  let adminToken: string;
  const sockets: ClientSocket[] = [];
  const track = (s: ClientSocket) => (sockets.push(s), s);

  beforeAll(async () => {
    server = await startTestServer(engine);
    counter = RowCounter.open(server);
    adminToken = await server.api.login();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await counter?.close();
    await server?.stop();
  });

  test('a wrong password and an unknown email get the same 401 answer', async () => {
    const wrong = await server.api.request('POST', '/api/v1/auth/login', { body: { email: ADMIN.email, password: 'not-the-password' } });
    const unknown = await server.api.request('POST', '/api/v1/auth/login', {
      body: { email: 'nobody@example.com', password: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(wrong.body)).not.toMatch(/token/i);
  });

  test('the email is matched case-insensitively', async () => {
    const token = await server.api.login(ADMIN.email.toUpperCase(), ADMIN.password);
    expect((await server.api.request('GET', '/api/v1/auth/me', { token })).body.user.email).toBe(ADMIN.email);
  });

  test('tokens are random, and only their hash is stored', async () => {
    const first = await server.api.login();
    const second = await server.api.login();
    expect(first).not.toBe(second);
    expect(first.length).toBeGreaterThanOrEqual(43); // 256 bits in base64url
    const rows = await counter.rows('auth_tokens');
    const dump = JSON.stringify(rows);
    for (const token of [first, second, adminToken]) {
      expect(dump).not.toContain(token);
      expect(rows.filter((r) => r.token_hash === hashToken(token))).toHaveLength(1);
    }
    // And a login response never shows the password hash.
    const login = await server.api.request('POST', '/api/v1/auth/login', { body: ADMIN });
    expect(JSON.stringify(login.body)).not.toMatch(/scrypt|passwordHash|password_hash/);
    const me = await server.api.request('GET', '/api/v1/auth/me', { token: first });
    expect(JSON.stringify(me.body)).not.toMatch(/scrypt|passwordHash|password_hash/);
  });

  test('logout revokes the token and ends the socket using it, but not the user’s other sessions', async () => {
    const user = await server.api.userWithRole(adminToken, 'agent');
    const otherToken = await server.api.login(user.email, user.password);
    const socket = track(await connect(server.url, { token: user.token }));
    const otherSocket = track(await connect(server.url, { token: otherToken }));
    const ended = endOfSession(socket);

    const logout = await server.api.request('POST', '/api/v1/auth/logout', { token: user.token });
    expect(logout.status).toBe(204);
    expect(await ended).toEqual(['session:expired:revoked', 'disconnect:io server disconnect']);
    const after = await server.api.request('GET', '/api/v1/auth/me', { token: user.token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
    await expect(connect(server.url, { token: user.token })).rejects.toThrow(/log in again/);

    await stillConnected(otherSocket, user.id);
    expect((await server.api.request('GET', '/api/v1/auth/me', { token: otherToken })).status).toBe(200);
  });

  test('a password change revokes the other sessions and their sockets, keeps the current one, and retires the old password', async () => {
    const user = await server.api.userWithRole(adminToken, 'agent');
    const phoneToken = await server.api.login(user.email, user.password);
    const current = track(await connect(server.url, { token: user.token }));
    const phone = track(await connect(server.url, { token: phoneToken }));
    const phoneEnded = endOfSession(phone);
    const newPassword = 'a-brand-new-long-password';

    // A wrong current password changes nothing.
    const before = await counter.counts();
    const wrong = await server.api.request('POST', '/api/v1/auth/password', {
      token: user.token,
      body: { currentPassword: 'not-my-password', newPassword },
    });
    // 400, not 401: the session itself is fine, and clients end the session on any 401.
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('body.currentPassword');
    const tooShort = await server.api.request('POST', '/api/v1/auth/password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'short' },
    });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.message).toContain('body.newPassword');
    expect(await counter.counts()).toEqual(before);
    for (const token of [user.token, phoneToken]) {
      expect((await server.api.request('GET', '/api/v1/auth/me', { token })).status).toBe(200);
    }

    const change = await server.api.request('POST', '/api/v1/auth/password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword },
    });
    expect(change.status).toBe(204);
    expect(await phoneEnded).toEqual(['session:expired:revoked', 'disconnect:io server disconnect']);
    expect((await server.api.request('GET', '/api/v1/auth/me', { token: phoneToken })).status).toBe(401);
    expect((await server.api.request('GET', '/api/v1/auth/me', { token: user.token })).status).toBe(200);
    await stillConnected(current, user.id);

    const oldLogin = await server.api.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(oldLogin.status).toBe(401);
    expect(await server.api.login(user.email, newPassword)).toEqual(expect.any(String));
    const audit = await counter.rows('audit_log');
    expect(audit.filter((r) => r.action === 'user.password_change' && r.target_id === user.id)).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(newPassword);
  });

  test('an admin deactivating a user revokes every session and socket of theirs; reactivation does not revive them', async () => {
    const user = await server.api.userWithRole(adminToken, 'agent');
    const secondToken = await server.api.login(user.email, user.password);
    const sockets = [track(await connect(server.url, { token: user.token })), track(await connect(server.url, { token: secondToken }))];
    const ended = sockets.map(endOfSession);

    const off = await server.api.request('PATCH', `/api/v1/users/${user.id}`, { token: adminToken, body: { active: false } });
    expect(off.status).toBe(200);
    expect(off.body.user.active).toBe(false);
    for (const seen of await Promise.all(ended)) expect(seen).toEqual(['session:expired:revoked', 'disconnect:io server disconnect']);
    for (const token of [user.token, secondToken]) {
      expect((await server.api.request('GET', '/api/v1/auth/me', { token })).status).toBe(401);
    }
    const login = await server.api.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(login.status).toBe(401);

    const on = await server.api.request('PATCH', `/api/v1/users/${user.id}`, { token: adminToken, body: { active: true } });
    expect(on.status).toBe(200);
    expect((await server.api.request('GET', '/api/v1/auth/me', { token: user.token })).status).toBe(401);
    expect(await server.api.login(user.email, user.password)).toEqual(expect.any(String));
  });

  test('an admin setting a new password for a user revokes their sessions', async () => {
    const user = await server.api.userWithRole(adminToken, 'agent');
    const socket = track(await connect(server.url, { token: user.token }));
    const ended = endOfSession(socket);
    const reset = await server.api.request('PATCH', `/api/v1/users/${user.id}`, {
      token: adminToken,
      body: { password: 'reset-by-the-admin-123' },
    });
    expect(reset.status).toBe(200);
    expect(await ended).toEqual(['session:expired:revoked', 'disconnect:io server disconnect']);
    expect((await server.api.request('GET', '/api/v1/auth/me', { token: user.token })).status).toBe(401);
    expect(JSON.stringify(await counter.rows('audit_log'))).not.toContain('reset-by-the-admin-123');
  });

  test('a role change revokes the user’s sessions, so a demoted supervisor leaves the supervisors room', async () => {
    const user = await server.api.userWithRole(adminToken, 'supervisor');
    const socket = track(await connect(server.url, { token: user.token }));
    const ended = endOfSession(socket);
    const demote = await server.api.request('PATCH', `/api/v1/users/${user.id}`, { token: adminToken, body: { role: 'agent' } });
    expect(demote.status).toBe(200);
    expect(await ended).toEqual(['session:expired:revoked', 'disconnect:io server disconnect']);
    expect((await server.api.request('GET', '/api/v1/users', { token: user.token })).status).toBe(401);
    const again = await server.api.login(user.email, user.password);
    expect((await server.api.request('GET', '/api/v1/users', { token: again })).status).toBe(403);
    // Saving the same role again is not a change and keeps sessions.
    const same = await server.api.request('PATCH', `/api/v1/users/${user.id}`, { token: adminToken, body: { role: 'agent' } });
    expect(same.status).toBe(200);
    expect((await server.api.request('GET', '/api/v1/auth/me', { token: again })).status).toBe(200);
  });

  test('guessing the current password on a password change is throttled after 10 failures', async () => {
    const user = await server.api.userWithRole(adminToken, 'agent');
    for (let i = 0; i < 10; i++) {
      const res = await server.api.request('POST', '/api/v1/auth/password', {
        token: user.token,
        body: { currentPassword: `guess-${i}`, newPassword: 'a-brand-new-password-1' },
      });
      expect(res.status).toBe(400);
    }
    const throttled = await server.api.request('POST', '/api/v1/auth/password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'a-brand-new-password-1' },
    });
    expect(throttled.status).toBe(429);
    expect(await server.api.login(user.email, user.password)).toEqual(expect.any(String));
  });

  test('an admin cannot deactivate or demote themselves', async () => {
    const me = (await server.api.request('GET', '/api/v1/auth/me', { token: adminToken })).body.user;
    for (const body of [{ active: false }, { role: 'agent' }]) {
      const res = await server.api.request('PATCH', `/api/v1/users/${me.id}`, { token: adminToken, body });
      expect(res.status).toBe(400);
    }
    expect((await server.api.request('GET', '/api/v1/auth/me', { token: adminToken })).body.user).toMatchObject({
      role: 'admin',
      active: true,
    });
  });

  test('after 10 failed logins for an email the next one is 429, even with the right password; other emails are unaffected', async () => {
    const user = await server.api.userWithRole(adminToken, 'agent');
    for (let i = 0; i < 10; i++) {
      const res = await server.api.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: `guess-${i}` } });
      expect(res.status).toBe(401);
    }
    const throttled = await server.api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email.toUpperCase(), password: user.password },
    });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('RATE_LIMITED');
    // The throttle answers before the password is checked, so it does not issue a token.
    expect(JSON.stringify(throttled.body)).not.toMatch(/"token"/);
    expect(await server.api.login()).toEqual(expect.any(String));
    // The sessions the user already had keep working.
    expect((await server.api.request('GET', '/api/v1/auth/me', { token: user.token })).status).toBe(200);
  });

  test.each([
    ['agent', 403],
    ['supervisor', 200],
    ['admin', 200],
  ] as const)('GET /api/v1/users as %s → %i', async (role, status) => {
    const user = await server.api.userWithRole(adminToken, role);
    const res = await server.api.request('GET', '/api/v1/users', { token: user.token });
    expect(res.status).toBe(status);
    if (status === 200) {
      expect(res.body.users.map((u: { email: string }) => u.email)).toContain(user.email);
      expect(JSON.stringify(res.body)).not.toMatch(/scrypt|passwordHash|password_hash/);
    } else {
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });

  test('a supervisor may read users and channel accounts but not create or change them', async () => {
    const supervisor = await server.api.userWithRole(adminToken, 'supervisor');
    const before = await counter.counts();
    expect((await server.api.request('GET', '/api/v1/channel-accounts', { token: supervisor.token })).status).toBe(200);
    const create = await server.api.request('POST', '/api/v1/users', {
      token: supervisor.token,
      body: { email: 'promoted@example.com', name: 'Promoted', role: 'admin', password: 'a-long-enough-password' },
    });
    expect(create.status).toBe(403);
    const promote = await server.api.request('PATCH', `/api/v1/users/${supervisor.id}`, {
      token: supervisor.token,
      body: { role: 'admin' },
    });
    expect(promote.status).toBe(403);
    expect(await counter.counts()).toEqual(before);
    expect((await server.store.users.findById(supervisor.id))?.role).toBe('supervisor');
  });

  test('channel credentials are sealed at rest and never appear in API responses or the audit log', async () => {
    const secret = 'very-secret-value';
    const rotated = 'rotated-secret-value';
    const created = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: adminToken,
      body: { kind: 'web_chat', name: 'Shop with keys', settings: { color: '#0a0' }, credentials: { apiKey: secret } },
    });
    expect(created.status).toBe(201);
    const id = created.body.account.id as string;
    expect(created.body.account.settings).toEqual({ color: '#0a0' });
    expect(created.body.urls.sessions).toContain(`/webhooks/web_chat/${id}/sessions`);

    const patched = await server.api.request('PATCH', `/api/v1/channel-accounts/${id}`, {
      token: adminToken,
      body: { credentials: { apiKey: rotated } },
    });
    expect(patched.status).toBe(200);
    const list = await server.api.request('GET', '/api/v1/channel-accounts', { token: adminToken });
    const one = await server.api.request('GET', `/api/v1/channel-accounts/${id}`, { token: adminToken });
    expect(list.status).toBe(200);
    expect(one.status).toBe(200);
    for (const res of [created, patched, list, one]) {
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(rotated);
      expect(text).not.toMatch(/credentials/i);
    }

    const audit = (await counter.rows('audit_log')).filter((r) => r.target_id === id);
    expect(audit.map((r) => r.action).sort()).toEqual(['channel_account.create', 'channel_account.update']);
    const auditText = JSON.stringify(audit);
    expect(auditText).not.toContain(secret);
    expect(auditText).not.toContain(rotated);

    // At rest: sealed, not plain, and it opens to the latest value with the install's key.
    const [row] = (await counter.rows('channel_accounts')).filter((r) => r.id === id);
    const sealed = String(row?.credentials_enc);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(rotated);
    expect(new SecretBox('test-secret-key-test-secret-key-0123456789').open(sealed)).toEqual({ apiKey: rotated });
  });
});

describe.each(ENGINES)('the first admin on %s', (engine) => {
  test('is created from ADMIN_EMAIL/ADMIN_PASSWORD on the first start only', async () => {
    const db = await freshDatabase(engine);
    const log = createLogger('silent');
    try {
      const first = await startServer(testConfig(db), log, { schema: db.schema });
      try {
        expect(await first.store.users.count()).toBe(1);
        const admin = (await first.store.users.list())[0];
        expect(admin).toMatchObject({ email: ADMIN.email, role: 'admin', active: true });
      } finally {
        await first.close();
      }

      const other = { email: 'another-admin@example.com', password: 'another-long-password' };
      const second = await startServer(testConfig(db, { ADMIN_EMAIL: other.email, ADMIN_PASSWORD: other.password }), log, {
        schema: db.schema,
      });
      try {
        expect((await second.store.users.list()).map((u) => u.email)).toEqual([ADMIN.email]);
        const rejected = await fetch(`${second.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(other),
        });
        expect(rejected.status).toBe(401);
        // Nor did the second start overwrite the first admin's password.
        const accepted = await fetch(`${second.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ADMIN),
        });
        expect(accepted.status).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      await db.drop();
    }
  });

  test('is not created when ADMIN_EMAIL is unset', async () => {
    const db = await freshDatabase(engine);
    try {
      const config = testConfig(db, { ADMIN_EMAIL: '', ADMIN_PASSWORD: '' });
      const server = await startServer(config, createLogger('silent'), { schema: db.schema });
      try {
        expect(await server.store.users.count()).toBe(0);
      } finally {
        await server.close();
      }
    } finally {
      await db.drop();
    }
  });
});
