import type { Knex } from 'knex';
import { newId } from '../ids.js';

export interface AuditEntry {
  actorType: 'user' | 'system' | 'customer';
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  data?: Record<string, unknown>;
}

export class AuditStore {
  constructor(private readonly db: Knex) {}

  async record(e: AuditEntry, now: number): Promise<void> {
    await this.db('audit_log').insert({
      id: newId(),
      actor_type: e.actorType,
      actor_id: e.actorId,
      action: e.action,
      target_type: e.targetType,
      target_id: e.targetId,
      data: JSON.stringify(e.data ?? {}),
      created_at: now,
    });
  }

  async list(limit: number, before?: string): Promise<(AuditEntry & { id: string; createdAt: number })[]> {
    const q = this.db('audit_log').orderBy('id', 'desc').limit(limit);
    if (before) q.where('id', '<', before);
    const rows = await q;
    return rows.map((r) => ({
      id: r.id,
      actorType: r.actor_type,
      actorId: r.actor_id,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      data: JSON.parse(r.data),
      createdAt: r.created_at,
    }));
  }
}
