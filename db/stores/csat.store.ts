import type { Knex } from 'knex';
import type { AnsweredVia, CsatScore, CsatSettings, CsatSurvey } from '../../server/domain/crm/csat.js';
import { defaultCsatSettings } from '../../server/domain/crm/csat.js';
import type { ChannelKind } from '../../server/domain/types.js';
import { newId } from '../ids.js';
import { bool, parseJson } from '../json.js';

interface SurveyRow {
  id: string;
  conversation_id: string;
  channel_account_id: string;
  channel_kind: ChannelKind;
  agent_id: string | null;
  queue_id: string | null;
  message_id: string | null;
  score: number | null;
  answered_via: AnsweredVia | null;
  answer_message_id: string | null;
  sent_at: number;
  expires_at: number;
  answered_at: number | null;
}

const toSurvey = (r: SurveyRow): CsatSurvey => ({
  id: r.id,
  conversationId: r.conversation_id,
  channelAccountId: r.channel_account_id,
  channelKind: r.channel_kind,
  agentId: r.agent_id,
  queueId: r.queue_id,
  messageId: r.message_id,
  score: r.score as CsatScore | null,
  answeredVia: r.answered_via,
  answerMessageId: r.answer_message_id,
  sentAt: r.sent_at,
  expiresAt: r.expires_at,
  answeredAt: r.answered_at,
});

interface SettingsRow {
  channel_account_id: string;
  enabled: boolean | number;
  reply_window_hours: number;
  questions: string | null;
  updated_at: number;
}

/** Answered surveys' count and average score (null when none). */
export interface CsatSummary {
  count: number;
  average: number | null;
}

export interface AnsweredSurvey extends CsatSurvey {
  customerId: string;
}

const summaryOf = (row: { n: number | string; avg: number | string | null } | undefined): CsatSummary => {
  const count = Number(row?.n ?? 0);
  return { count, average: count && row?.avg != null ? Math.round(Number(row.avg) * 100) / 100 : null };
};

export class CsatStore {
  constructor(private readonly db: Knex) {}

  async settings(channelAccountId: string): Promise<CsatSettings> {
    const r = await this.db<SettingsRow>('csat_settings').where({ channel_account_id: channelAccountId }).first();
    return r ? this.toSettings(r) : defaultCsatSettings(channelAccountId);
  }

  async listSettings(): Promise<CsatSettings[]> {
    return (await this.db<SettingsRow>('csat_settings').select('*')).map((r) => this.toSettings(r));
  }

  async putSettings(s: Omit<CsatSettings, 'updatedAt'>, updatedBy: string, now: number): Promise<CsatSettings> {
    const row = {
      enabled: s.enabled,
      reply_window_hours: s.replyWindowHours,
      questions: JSON.stringify(s.questions),
      updated_by: updatedBy,
      updated_at: now,
    };
    await this.db('csat_settings')
      .insert({ channel_account_id: s.channelAccountId, ...row })
      .onConflict('channel_account_id')
      .merge(row);
    return this.settings(s.channelAccountId);
  }

  private toSettings(r: SettingsRow): CsatSettings {
    return {
      channelAccountId: r.channel_account_id,
      enabled: bool(r.enabled),
      replyWindowHours: r.reply_window_hours,
      questions: parseJson<CsatSettings['questions']>(r.questions, {}),
      updatedAt: r.updated_at,
    };
  }

  /** Records a survey for a conversation; false when it already has one (each conversation is surveyed once). */
  async create(
    s: Omit<CsatSurvey, 'id' | 'score' | 'answeredVia' | 'answerMessageId' | 'answeredAt' | 'messageId'>,
  ): Promise<CsatSurvey | undefined> {
    const id = newId();
    const inserted = await this.db('csat_surveys')
      .insert({
        id,
        conversation_id: s.conversationId,
        channel_account_id: s.channelAccountId,
        channel_kind: s.channelKind,
        agent_id: s.agentId,
        queue_id: s.queueId,
        sent_at: s.sentAt,
        expires_at: s.expiresAt,
      })
      .onConflict('conversation_id')
      .ignore()
      .returning('id');
    return inserted.length ? this.findById(id) : undefined;
  }

  /**
   * Conversations of surveying accounts resolved since `since` (and since their account's settings
   * last changed), with a customer who wrote and has not written on that account since, and no survey:
   * the ones a crash kept from being asked. In (resolved_at, id) order, after `after`.
   */
  async unsurveyed(
    since: number,
    after: { resolvedAt: number; id: string } | null,
    limit: number,
  ): Promise<{ id: string; resolvedAt: number }[]> {
    const q = this.db('csat_settings as s')
      .join('conversations as c', 'c.channel_account_id', 's.channel_account_id')
      .leftJoin('csat_surveys as v', 'v.conversation_id', 'c.id')
      .where('s.enabled', true)
      .where('c.status', 'resolved')
      .where('c.resolved_at', '>=', since)
      .where('c.resolved_at', '>=', this.db.ref('s.updated_at'))
      .whereNotNull('c.last_customer_message_at')
      .whereNull('v.id')
      // A customer who wrote again on the account since is in another conversation now: not asked late.
      .whereNotExists((w) =>
        w
          .from('conversations as later')
          .whereRaw('later.customer_id = c.customer_id')
          .whereRaw('later.channel_account_id = c.channel_account_id')
          .whereRaw('later.last_customer_message_at > c.resolved_at'),
      )
      .orderBy([
        { column: 'c.resolved_at', order: 'asc' },
        { column: 'c.id', order: 'asc' },
      ])
      .limit(limit)
      .select('c.id', 'c.resolved_at');
    if (after) {
      q.where((w) =>
        w
          .where('c.resolved_at', '>', after.resolvedAt)
          .orWhere((x) => x.where('c.resolved_at', after.resolvedAt).where('c.id', '>', after.id)),
      );
    }
    return ((await q) as { id: string; resolved_at: number | string }[]).map((r) => ({ id: r.id, resolvedAt: Number(r.resolved_at) }));
  }

  async setMessage(id: string, messageId: string): Promise<void> {
    await this.db('csat_surveys').where({ id }).update({ message_id: messageId });
  }

  async findById(id: string): Promise<CsatSurvey | undefined> {
    const r = await this.db<SurveyRow>('csat_surveys').where({ id }).first();
    return r && toSurvey(r);
  }

  async findByConversation(conversationId: string): Promise<CsatSurvey | undefined> {
    const r = await this.db<SurveyRow>('csat_surveys').where({ conversation_id: conversationId }).first();
    return r && toSurvey(r);
  }

  async findByMessage(messageId: string): Promise<CsatSurvey | undefined> {
    const r = await this.db<SurveyRow>('csat_surveys').where({ message_id: messageId }).first();
    return r && toSurvey(r);
  }

  /**
   * The survey a customer's next message on this account may answer: unanswered, unexpired, on their
   * latest resolved conversation there, and only while they have no unresolved one on that account.
   */
  async awaitingReply(customerId: string, channelAccountId: string, now: number): Promise<CsatSurvey | undefined> {
    const r = await this.db('csat_surveys as s')
      .join('conversations as c', 'c.id', 's.conversation_id')
      .where({ 'c.customer_id': customerId, 's.channel_account_id': channelAccountId, 'c.status': 'resolved' })
      .whereNull('s.score')
      .where('s.expires_at', '>', now)
      .whereNotExists((q) =>
        q
          .select(this.db.raw('1'))
          .from('conversations as o')
          .where({ 'o.customer_id': customerId, 'o.channel_account_id': channelAccountId })
          .whereNot('o.status', 'resolved'),
      )
      .orderBy('s.sent_at', 'desc')
      .select<SurveyRow[]>('s.*')
      .first();
    return r && toSurvey(r);
  }

  /** Records the score once: false when the survey was already answered. */
  async answer(id: string, score: CsatScore, via: AnsweredVia, answerMessageId: string | null, now: number): Promise<boolean> {
    const n = await this.db('csat_surveys')
      .where({ id })
      .whereNull('score')
      .update({ score, answered_via: via, answer_message_id: answerMessageId, answered_at: now });
    return n > 0;
  }

  async summaryForAgent(agentId: string, since = 0): Promise<CsatSummary> {
    const row = await this.db('csat_surveys')
      .where({ agent_id: agentId })
      .whereNotNull('score')
      .where('answered_at', '>=', since)
      .select(this.db.raw('count(*) as n'), this.db.raw('avg(score) as avg'))
      .first();
    return summaryOf(row as { n: number; avg: number | null } | undefined);
  }

  /** The customer's answers, by the conversations they own now (a merge brings its scores along). */
  async summaryForCustomer(customerId: string): Promise<CsatSummary> {
    const row = await this.db('csat_surveys as s')
      .join('conversations as c', 'c.id', 's.conversation_id')
      .where('c.customer_id', customerId)
      .whereNotNull('s.score')
      .select(this.db.raw('count(*) as n'), this.db.raw('avg(s.score) as avg'))
      .first();
    return summaryOf(row as { n: number; avg: number | null } | undefined);
  }

  /** Per agent who has answered surveys: count and average since `since`. */
  async summaryByAgent(since = 0): Promise<(CsatSummary & { agentId: string })[]> {
    const rows = (await this.db('csat_surveys')
      .whereNotNull('score')
      .whereNotNull('agent_id')
      .where('answered_at', '>=', since)
      .groupBy('agent_id')
      .select('agent_id', this.db.raw('count(*) as n'), this.db.raw('avg(score) as avg'))) as {
      agent_id: string;
      n: number;
      avg: number;
    }[];
    return rows.map((r) => ({ agentId: r.agent_id, ...summaryOf(r) }));
  }

  /** Answered surveys, newest first, filtered by agent or customer. */
  async answered(filter: { agentId?: string; customerId?: string; limit: number }): Promise<AnsweredSurvey[]> {
    const q = this.db('csat_surveys as s')
      .join('conversations as c', 'c.id', 's.conversation_id')
      .whereNotNull('s.score')
      .orderBy('s.answered_at', 'desc')
      .limit(filter.limit)
      .select<(SurveyRow & { customer_id: string })[]>('s.*', 'c.customer_id');
    if (filter.agentId) q.where('s.agent_id', filter.agentId);
    if (filter.customerId) q.where('c.customer_id', filter.customerId);
    return (await q).map((r) => ({ ...toSurvey(r), customerId: r.customer_id }));
  }
}
