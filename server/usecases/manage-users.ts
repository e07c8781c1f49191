// Admin management of console users, and the first admin created from ADMIN_EMAIL/ADMIN_PASSWORD.
import { isUniqueViolation } from '../../db/connection.js';
import type { Actor } from '../domain/policy.js';
import { AppError, notFound } from '../domain/errors.js';
import type { Role, User } from '../domain/types.js';
import { hashPassword } from '../security/passwords.js';
import type { Deps } from './deps.js';

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  locale?: string;
}

export function makeManageUsers(deps: Deps) {
  return {
    async create(actor: Actor, input: NewUser): Promise<User> {
      const passwordHash = await hashPassword(input.password);
      try {
        return await deps.store.transaction(async (tx) => {
          const now = deps.now();
          const user = await tx.users.create({ ...input, passwordHash }, now);
          await tx.audit.record(
            {
              actorType: 'user',
              actorId: actor.id,
              action: 'user.create',
              targetType: 'user',
              targetId: user.id,
              data: { role: user.role },
            },
            now,
          );
          return user;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('CONFLICT', `a user with email ${input.email} already exists`);
        throw err;
      }
    },

    async update(
      actor: Actor,
      id: string,
      patch: Partial<{ name: string; role: Role; locale: string; active: boolean; password: string; phone: string | null }>,
    ): Promise<{ user: User; sessionsRevoked: boolean }> {
      if (id === actor.id && ((patch.role !== undefined && patch.role !== 'admin') || patch.active === false)) {
        throw new AppError('VALIDATION', 'you cannot demote or deactivate yourself; ask another admin');
      }
      const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
      return deps.store.transaction(async (tx) => {
        const before = await tx.users.findById(id);
        if (!before) throw notFound('user');
        const now = deps.now();
        const { password: _pw, ...rest } = patch;
        const user = (await tx.users.update(id, { ...rest, passwordHash }, now))!;
        // A new password, a new role or a deactivation ends every session of that user: a live
        // session must not keep rights (or rooms) it no longer has.
        const sessionsRevoked = Boolean(passwordHash) || patch.active === false || (patch.role !== undefined && patch.role !== before.role);
        if (sessionsRevoked) await tx.tokens.revokeAllForUser(id, now);
        await tx.audit.record(
          {
            actorType: 'user',
            actorId: actor.id,
            action: 'user.update',
            targetType: 'user',
            targetId: id,
            data: { fields: Object.keys(patch) },
          },
          now,
        );
        return { user, sessionsRevoked };
      });
    },

    /** Creates the first admin when the install has no users yet. Returns true when it did. */
    async ensureFirstAdmin(admin: { email: string; password: string } | undefined): Promise<boolean> {
      if (!admin || (await deps.store.users.count()) > 0) return false;
      const passwordHash = await hashPassword(admin.password);
      try {
        await deps.store.transaction(async (tx) => {
          const now = deps.now();
          const user = await tx.users.create({ email: admin.email, name: 'Administrator', role: 'admin', passwordHash }, now);
          await tx.audit.record(
            { actorType: 'system', actorId: null, action: 'user.create_first_admin', targetType: 'user', targetId: user.id },
            now,
          );
        });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false; // another node created it first
        throw err;
      }
    },
  };
}
