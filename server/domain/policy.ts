// Who may see and change what. Pure functions of the actor and the record.
import type { Conversation, Role, User } from './types.js';

export type Actor = Pick<User, 'id' | 'role'>;

const rank: Record<Role, number> = { agent: 1, supervisor: 2, admin: 3 };

export const hasRole = (actor: Actor, least: Role): boolean => rank[actor.role] >= rank[least];

/** Agents see their own and unassigned conversations; supervisors and admins see everything. */
export function canViewConversation(actor: Actor, c: Pick<Conversation, 'assigneeId'>): boolean {
  return hasRole(actor, 'supervisor') || c.assigneeId === null || c.assigneeId === actor.id;
}

/** Agents may take an unassigned conversation or give up their own; supervisors assign anyone. */
export function canAssign(actor: Actor, c: Pick<Conversation, 'assigneeId'>, to: string | null): boolean {
  if (hasRole(actor, 'supervisor')) return true;
  if (to === actor.id) return c.assigneeId === null || c.assigneeId === actor.id;
  return to === null && c.assigneeId === actor.id;
}
