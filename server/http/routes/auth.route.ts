import { z } from 'zod';
import { hashToken } from '../../security/tokens.js';
import { AppError } from '../../domain/errors.js';
import type { LoginThrottle } from '../login-throttle.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

export const LoginBody = z.object({ email: z.string().min(3).max(320), password: z.string().min(1).max(200) }).strict();

export function authRoutes(s: Services, throttle: LoginThrottle) {
  return [
    route({
      method: 'get',
      path: '/auth/me',
      summary: 'The logged-in user',
      tag: 'auth',
      role: 'agent',
      handler: async ({ user }) => ({ user }),
    }),
    route({
      method: 'patch',
      path: '/auth/me',
      summary: 'Change your own name or UI language',
      tag: 'auth',
      role: 'agent',
      body: z.object({ name: z.string().trim().min(1).max(200).optional(), locale: z.enum(['en', 'th']).optional() }).strict(),
      handler: async ({ user, body }) => ({ user: await s.store.users.update(user.id, body, s.now()) }),
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      summary: 'Revoke the current token',
      tag: 'auth',
      role: 'agent',
      handler: async ({ token }) => {
        await s.auth.logout(token);
        s.onSessionsRevoked({ tokenHash: hashToken(token) });
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/auth/password',
      summary: 'Change your password; every other session of yours is revoked',
      tag: 'auth',
      role: 'agent',
      body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(12).max(200) }).strict(),
      handler: async ({ user, token, body }) => {
        // Someone holding a stolen token must not be able to guess the password here either.
        const key = `password-change:${user.id}`;
        throttle.check(key);
        try {
          await s.auth.changePassword(user.id, token, body.currentPassword, body.newPassword);
        } catch (err) {
          if (err instanceof AppError && err.code === 'VALIDATION') throttle.failed(key);
          throw err;
        }
        throttle.succeeded(key);
        s.onSessionsRevoked({ userId: user.id, exceptTokenHash: hashToken(token) });
        return undefined;
      },
    }),
  ];
}
