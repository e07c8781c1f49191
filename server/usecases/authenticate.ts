// Login, token check, logout and password change for console users.
import { AppError } from '../domain/errors.js';
import type { User } from '../domain/types.js';
import { hashPassword, verifyPassword } from '../security/passwords.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { Deps } from './deps.js';

// A fixed hash to compare against when the email is unknown, so timing does not reveal which emails exist.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export function makeAuth(deps: Deps, tokenTtlMs: number) {
  return {
    async login(email: string, password: string): Promise<{ token: string; expiresAt: number; user: User }> {
      const user = await deps.store.users.findByEmailWithSecret(email);
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok || !user.active) throw new AppError('UNAUTHENTICATED', 'email or password is wrong');
      const token = newToken();
      const now = deps.now();
      const expiresAt = now + tokenTtlMs;
      await deps.store.tokens.create(user.id, hashToken(token), now, expiresAt);
      const { passwordHash: _secret, ...safe } = user;
      return { token, expiresAt, user: safe };
    },

    /** The user behind a bearer token, or undefined for a missing, wrong, expired or revoked token. */
    async authenticate(token: string): Promise<{ user: User; expiresAt: number } | undefined> {
      if (!token || token.length > 200) return undefined;
      const live = await deps.store.tokens.findLive(hashToken(token), deps.now());
      if (!live) return undefined;
      const user = await deps.store.users.findById(live.userId);
      return user?.active ? { user, expiresAt: live.expiresAt } : undefined;
    },

    async logout(token: string): Promise<void> {
      await deps.store.tokens.revoke(hashToken(token), deps.now());
    },

    /** Changes a password and revokes every other session of that user. */
    async changePassword(userId: string, currentToken: string, current: string, next: string): Promise<void> {
      const found = await deps.store.users.findById(userId);
      const user = found && (await deps.store.users.findByEmailWithSecret(found.email));
      if (!user || !(await verifyPassword(current, user.passwordHash))) {
        // Not 401: the session is fine, and clients end the session on any 401.
        throw new AppError('VALIDATION', 'body.currentPassword: the current password is wrong');
      }
      const passwordHash = await hashPassword(next);
      await deps.store.transaction(async (tx) => {
        const now = deps.now();
        await tx.users.update(userId, { passwordHash }, now);
        await tx.tokens.revokeAllForUser(userId, now, hashToken(currentToken));
        await tx.audit.record(
          { actorType: 'user', actorId: userId, action: 'user.password_change', targetType: 'user', targetId: userId },
          now,
        );
      });
    },
  };
}

export type Auth = ReturnType<typeof makeAuth>;
