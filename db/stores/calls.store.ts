// Phone calls (see migration 006-voice): one row per CallSid.
import type { Knex } from 'knex';
import type { Call, CallDirection, CallOutcome, CallState } from '../../server/domain/voice.js';
import { newId } from '../ids.js';
import { parseJson } from '../json.js';

interface CallRow {
  id: string;
  channel_account_id: string;
  call_sid: string;
  direction: CallDirection;
  conversation_id: string;
  customer_id: string;
  message_id: string | null;
  from_number: string;
  to_number: string;
  flow: string | null;
  webhook_base: string | null;
  state: CallState;
  ivr_state: string | null;
  queue_id: string | null;
  enqueued_at: number | string | null;
  announced_at: number | string | null;
  held_at: number | string | null;
  hold_seconds: number | string;
  holds: number | string;
  answered_at: number | string | null;
  agent_id: string | null;
  ended_at: number | string | null;
  talk_seconds: number | null;
  outcome: CallOutcome | null;
  recording_sid: string | null;
  created_at: number | string;
  updated_at: number | string;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

const toCall = (r: CallRow): Call => ({
  id: r.id,
  channelAccountId: r.channel_account_id,
  callSid: r.call_sid,
  direction: r.direction,
  conversationId: r.conversation_id,
  customerId: r.customer_id,
  messageId: r.message_id,
  fromNumber: r.from_number,
  toNumber: r.to_number,
  flow: r.flow,
  webhookBase: r.webhook_base,
  state: r.state,
  ivrState: parseJson<Call['ivrState']>(r.ivr_state, null),
  queueId: r.queue_id,
  enqueuedAt: num(r.enqueued_at),
  announcedAt: num(r.announced_at),
  heldAt: num(r.held_at),
  holdSeconds: Number(r.hold_seconds),
  holds: Number(r.holds),
  answeredAt: num(r.answered_at),
  agentId: r.agent_id,
  endedAt: num(r.ended_at),
  talkSeconds: r.talk_seconds,
  outcome: r.outcome,
  recordingSid: r.recording_sid,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export type NewCall = Pick<
  Call,
  | 'channelAccountId'
  | 'callSid'
  | 'direction'
  | 'conversationId'
  | 'customerId'
  | 'messageId'
  | 'fromNumber'
  | 'toNumber'
  | 'webhookBase'
  | 'flow'
  | 'state'
  | 'ivrState'
> &
  Partial<Pick<Call, 'agentId' | 'queueId'>>;

export type CallPatch = Partial<
  Pick<
    Call,
    | 'state'
    | 'ivrState'
    | 'queueId'
    | 'enqueuedAt'
    | 'announcedAt'
    | 'heldAt'
    | 'holdSeconds'
    | 'holds'
    | 'answeredAt'
    | 'agentId'
    | 'endedAt'
    | 'talkSeconds'
    | 'outcome'
    | 'recordingSid'
    | 'messageId'
  >
>;

const COLUMNS: Record<keyof CallPatch, string> = {
  state: 'state',
  ivrState: 'ivr_state',
  queueId: 'queue_id',
  enqueuedAt: 'enqueued_at',
  announcedAt: 'announced_at',
  heldAt: 'held_at',
  holdSeconds: 'hold_seconds',
  holds: 'holds',
  answeredAt: 'answered_at',
  agentId: 'agent_id',
  endedAt: 'ended_at',
  talkSeconds: 'talk_seconds',
  outcome: 'outcome',
  recordingSid: 'recording_sid',
  messageId: 'message_id',
};

function rowPatch(patch: CallPatch): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    row[COLUMNS[key as keyof CallPatch]] = key === 'ivrState' ? JSON.stringify(value) : value;
  }
  return row;
}

export class CallsStore {
  constructor(private readonly db: Knex) {}

  /** Inserts a call; the same CallSid inserted twice keeps the first (the caller gets it back). */
  async insert(c: NewCall, now: number): Promise<Call> {
    await this.db('calls')
      .insert({
        id: newId(),
        channel_account_id: c.channelAccountId,
        call_sid: c.callSid,
        direction: c.direction,
        conversation_id: c.conversationId,
        customer_id: c.customerId,
        message_id: c.messageId,
        from_number: c.fromNumber,
        to_number: c.toNumber,
        flow: c.flow,
        webhook_base: c.webhookBase,
        state: c.state,
        ivr_state: JSON.stringify(c.ivrState),
        agent_id: c.agentId ?? null,
        queue_id: c.queueId ?? null,
        created_at: now,
        updated_at: now,
      })
      .onConflict('call_sid')
      .ignore();
    return (await this.findBySid(c.callSid))!;
  }

  async findBySid(callSid: string): Promise<Call | undefined> {
    const r = await this.db<CallRow>('calls').where({ call_sid: callSid }).first();
    return r && toCall(r);
  }

  async findById(id: string): Promise<Call | undefined> {
    const r = await this.db<CallRow>('calls').where({ id }).first();
    return r && toCall(r);
  }

  async forConversation(conversationId: string): Promise<Call[]> {
    return (await this.db<CallRow>('calls').where({ conversation_id: conversationId }).orderBy('created_at')).map(toCall);
  }

  /** The live call of a conversation, if any (not ended). */
  async liveForConversation(conversationId: string): Promise<Call | undefined> {
    const r = await this.db<CallRow>('calls')
      .where({ conversation_id: conversationId })
      .whereNot({ state: 'ended' })
      .orderBy('created_at', 'desc')
      .first();
    return r && toCall(r);
  }

  /** The CallSid Twilio gave a call we placed (it was stored under a placeholder until then). */
  async setSid(id: string, callSid: string, now: number): Promise<void> {
    await this.db('calls').where({ id }).update({ call_sid: callSid, updated_at: now });
  }

  /**
   * Updates a call only while it is in one of `from` states (when given): a late or repeated webhook
   * never moves a call backwards. Returns the updated call, or undefined when it was not in those states.
   */
  async update(callSid: string, patch: CallPatch, now: number, from?: CallState[]): Promise<Call | undefined> {
    const q = this.db('calls').where({ call_sid: callSid });
    if (from) q.whereIn('state', from);
    const n = await q.update({ ...rowPatch(patch), updated_at: now });
    return n > 0 ? this.findBySid(callSid) : undefined;
  }
}
