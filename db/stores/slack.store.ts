// Slack for agents (see migration 007-slack): the thread each conversation has in a Slack channel,
// the posts waiting to go there, and the provider events already acted on.
import type { Knex } from 'knex';
import { newId } from '../ids.js';
import { parseJson } from '../json.js';

export type SlackPostKind = 'conversation' | 'message' | 'alert' | 'notice';

export interface SlackPost {
  id: string;
  channelAccountId: string;
  kind: SlackPostKind;
  dedupeKey: string;
  conversationId: string | null;
  messageId: string | null;
  payload: Record<string, unknown> | null;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  slackTs: string | null;
  lastErrorCode: string | null;
  lastError: string | null;
  createdAt: number;
}

export interface NewSlackPost {
  channelAccountId: string;
  kind: SlackPostKind;
  dedupeKey: string;
  conversationId?: string | null;
  messageId?: string | null;
  payload?: Record<string, unknown> | null;
}

export interface SlackThread {
  channelAccountId: string;
  conversationId: string;
  slackChannel: string;
  threadTs: string;
}

interface PostRow {
  id: string;
  channel_account_id: string;
  kind: SlackPostKind;
  dedupe_key: string;
  conversation_id: string | null;
  message_id: string | null;
  payload: string | null;
  status: SlackPost['status'];
  attempts: number;
  slack_ts: string | null;
  last_error_code: string | null;
  last_error: string | null;
  created_at: number | string;
}

const toPost = (r: PostRow): SlackPost => ({
  id: r.id,
  channelAccountId: r.channel_account_id,
  kind: r.kind,
  dedupeKey: r.dedupe_key,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  payload: parseJson<Record<string, unknown> | null>(r.payload, null),
  status: r.status,
  attempts: r.attempts,
  slackTs: r.slack_ts,
  lastErrorCode: r.last_error_code,
  lastError: r.last_error,
  createdAt: Number(r.created_at),
});

export class SlackStore {
  constructor(
    private readonly db: Knex,
    private readonly engine: 'sqlite' | 'postgres',
  ) {}

  /** Queues a post unless one with the same key exists; true when this call queued it. */
  async enqueue(post: NewSlackPost, now: number): Promise<boolean> {
    const inserted = await this.db('slack_posts')
      .insert({
        id: newId(),
        channel_account_id: post.channelAccountId,
        kind: post.kind,
        dedupe_key: post.dedupeKey,
        conversation_id: post.conversationId ?? null,
        message_id: post.messageId ?? null,
        payload: post.payload ? JSON.stringify(post.payload) : null,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['channel_account_id', 'dedupe_key'])
      .ignore()
      .returning('id');
    return inserted.length > 0;
  }

  /**
   * Leases up to `limit` due posts for `leaseMs`, oldest first (a conversation's parent post before its
   * messages). A worker that dies mid-post loses its lease and the post is picked up again.
   */
  async claimDue(now: number, limit: number, leaseMs: number): Promise<SlackPost[]> {
    return this.db.transaction(async (trx) => {
      const q = trx<PostRow>('slack_posts')
        .where({ status: 'pending' })
        .where('next_attempt_at', '<=', now)
        .where((w) => w.whereNull('locked_until').orWhere('locked_until', '<', now))
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .limit(limit);
      if (this.engine === 'postgres') q.forUpdate().skipLocked();
      const rows = (await q) as PostRow[];
      if (rows.length === 0) return [];
      await trx('slack_posts')
        .whereIn(
          'id',
          rows.map((r) => r.id),
        )
        .update({ locked_until: now + leaseMs, attempts: trx.raw('attempts + 1'), updated_at: now });
      return rows.map((r) => toPost({ ...r, attempts: r.attempts + 1 }));
    });
  }

  async markDone(id: string, slackTs: string | null, now: number): Promise<void> {
    await this.db('slack_posts').where({ id }).update({ status: 'done', slack_ts: slackTs, locked_until: null, updated_at: now });
  }

  /** Tries again at `nextAttemptAt`; `refund` gives the attempt back (the post waited, it did not fail). */
  async markRetry(
    id: string,
    nextAttemptAt: number,
    error: { code: string; message: string } | null,
    now: number,
    refund = false,
  ): Promise<void> {
    await this.db('slack_posts')
      .where({ id })
      .update({
        next_attempt_at: nextAttemptAt,
        locked_until: null,
        ...(refund ? { attempts: this.db.raw('attempts - 1') } : {}),
        ...(error ? { last_error_code: error.code, last_error: error.message.slice(0, 500) } : {}),
        updated_at: now,
      });
  }

  async markFailed(id: string, code: string, error: string, now: number): Promise<void> {
    await this.db('slack_posts')
      .where({ id })
      .update({ status: 'failed', locked_until: null, last_error_code: code, last_error: error.slice(0, 500), updated_at: now });
  }

  async findByKey(channelAccountId: string, dedupeKey: string): Promise<SlackPost | undefined> {
    const r = await this.db<PostRow>('slack_posts').where({ channel_account_id: channelAccountId, dedupe_key: dedupeKey }).first();
    return r && toPost(r);
  }

  /** An account's posts, newest first, optionally of one status (failed ones, for the admin). */
  async listPosts(channelAccountId: string, opts: { status?: SlackPost['status']; limit: number }): Promise<SlackPost[]> {
    const q = this.db<PostRow>('slack_posts')
      .where({ channel_account_id: channelAccountId })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(opts.limit);
    if (opts.status) q.where({ status: opts.status });
    return (await q).map(toPost);
  }

  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db('slack_posts')
      .where({ status: 'pending' })
      .min<{ t: number | string | null }>({ t: 'next_attempt_at' })
      .first();
    return row?.t == null ? undefined : Number(row.t);
  }

  async saveThread(thread: SlackThread, now: number): Promise<void> {
    await this.db('slack_threads')
      .insert({
        channel_account_id: thread.channelAccountId,
        conversation_id: thread.conversationId,
        slack_channel: thread.slackChannel,
        thread_ts: thread.threadTs,
        created_at: now,
      })
      .onConflict(['channel_account_id', 'conversation_id'])
      .ignore();
  }

  async threadOf(channelAccountId: string, conversationId: string): Promise<SlackThread | undefined> {
    const r = await this.db('slack_threads').where({ channel_account_id: channelAccountId, conversation_id: conversationId }).first();
    return r && { channelAccountId, conversationId, slackChannel: r.slack_channel, threadTs: r.thread_ts };
  }

  async threadAt(channelAccountId: string, slackChannel: string, threadTs: string): Promise<SlackThread | undefined> {
    const r = await this.db('slack_threads')
      .where({ channel_account_id: channelAccountId, slack_channel: slackChannel, thread_ts: threadTs })
      .first();
    return r && { channelAccountId, conversationId: r.conversation_id, slackChannel, threadTs };
  }

  /** The conversations with a thread in this account's channel that are not resolved. */
  async openThreadConversations(channelAccountId: string, limit: number): Promise<string[]> {
    const rows = await this.db('slack_threads as t')
      .join('conversations as c', 'c.id', 't.conversation_id')
      .where('t.channel_account_id', channelAccountId)
      .whereNot('c.status', 'resolved')
      .orderBy('t.created_at', 'desc')
      .limit(limit)
      .select<{ conversation_id: string }[]>('t.conversation_id');
    return rows.map((r) => r.conversation_id);
  }

  /** Whether a conversation has (or is getting) a thread in this account's channel. */
  async isMirrored(channelAccountId: string, conversationId: string): Promise<boolean> {
    const r = await this.db('slack_posts')
      .where({ channel_account_id: channelAccountId, dedupe_key: `conversation:${conversationId}` })
      .whereNot({ status: 'failed' })
      .first('id');
    return r !== undefined;
  }
}
