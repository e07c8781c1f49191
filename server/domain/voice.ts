// Phone calls as the desk keeps them: one record per call, with where the caller went in the IVR,
// how long they waited and talked, and how it ended. The record is also what the customer's timeline
// shows (the call's message carries it in its meta).

export type CallDirection = 'inbound' | 'outbound';
export type CallState = 'ivr' | 'queued' | 'connecting' | 'talking' | 'held' | 'voicemail' | 'ended';
export type CallOutcome = 'answered' | 'abandoned' | 'voicemail' | 'callback' | 'transferred' | 'ivr' | 'missed' | 'failed';

/** One step of the caller's way through the IVR. */
export interface CallPathEntry {
  node: string;
  type: string;
  /** What the caller pressed or said there. */
  input?: string;
  at: number;
}

export interface Call {
  id: string;
  channelAccountId: string;
  callSid: string;
  direction: CallDirection;
  conversationId: string;
  customerId: string;
  messageId: string | null;
  fromNumber: string;
  toNumber: string;
  flow: string | null;
  /** Where Twilio reached us for this call (`…/webhooks/voice/<account>`): live redirects point there. */
  webhookBase: string | null;
  state: CallState;
  /** The IVR engine's state (opaque here): node, language, attributes, retries, path. */
  ivrState: { path?: CallPathEntry[]; language?: string } | null;
  queueId: string | null;
  enqueuedAt: number | null;
  /** When the wait loop last told the caller their place or expected wait. */
  announcedAt: number | null;
  /** When the hold going on began (null when not on hold). */
  heldAt: number | null;
  /** Seconds on hold in holds that ended, and how many holds there were. */
  holdSeconds: number;
  holds: number;
  answeredAt: number | null;
  agentId: string | null;
  endedAt: number | null;
  talkSeconds: number | null;
  outcome: CallOutcome | null;
  recordingSid: string | null;
  createdAt: number;
  updatedAt: number;
}

/** What the timeline shows of a call (MessageMeta.call). */
export interface CallRecord {
  callSid: string;
  direction: CallDirection;
  from: string;
  to: string;
  state: CallState;
  path: CallPathEntry[];
  language: string | null;
  queueId: string | null;
  /** Time in the queue, from entering it to an agent answering (or the caller hanging up). */
  queueWaitSeconds: number | null;
  /** From the agent's answer to the end, holds excluded. */
  talkSeconds: number | null;
  /** Time on hold, a hold going on included up to the record's last update, and how many holds. */
  holdSeconds: number;
  holds: number;
  agentId: string | null;
  outcome: CallOutcome | null;
  startedAt: number;
  endedAt: number | null;
}

export function callRecord(call: Call): CallRecord {
  const waitEnd = call.answeredAt ?? (call.enqueuedAt !== null ? call.endedAt : null);
  return {
    callSid: call.callSid,
    direction: call.direction,
    from: call.fromNumber,
    to: call.toNumber,
    state: call.state,
    path: call.ivrState?.path ?? [],
    language: call.ivrState?.language ?? null,
    queueId: call.queueId,
    queueWaitSeconds: call.enqueuedAt !== null && waitEnd !== null ? Math.max(0, Math.round((waitEnd - call.enqueuedAt) / 1000)) : null,
    talkSeconds: call.talkSeconds,
    holdSeconds: holdSecondsAt(call, call.updatedAt),
    holds: call.holds,
    agentId: call.agentId,
    outcome: call.outcome,
    startedAt: call.createdAt,
    endedAt: call.endedAt,
  };
}

/** Seconds on hold by `now`: the holds that ended and the one going on. */
export function holdSecondsAt(call: Pick<Call, 'heldAt' | 'holdSeconds'>, now: number): number {
  return call.holdSeconds + (call.heldAt === null ? 0 : Math.max(0, Math.round((now - call.heldAt) / 1000)));
}

/**
 * Talk time when the call ends at `now`: from the agent's answer, holds excluded; without an answer
 * time (a leg whose answer was not reported), the agent leg's own length.
 */
export function talkSecondsAt(call: Pick<Call, 'answeredAt' | 'heldAt' | 'holdSeconds'>, now: number, legSeconds: number): number {
  if (call.answeredAt === null) return legSeconds;
  return Math.max(legSeconds, Math.round((now - call.answeredAt) / 1000) - holdSecondsAt(call, now));
}

/**
 * How a call ended, from where it was when the caller or Twilio hung up. A call still waiting in a
 * queue was abandoned; one that reached an agent was answered; the IVR alone is `ivr`.
 */
export function outcomeAtHangup(call: Pick<Call, 'state' | 'outcome' | 'answeredAt' | 'direction'>, twilioStatus: string): CallOutcome {
  if (call.outcome) return call.outcome;
  if (call.answeredAt !== null || call.state === 'talking' || call.state === 'held') return 'answered';
  // A call the desk placed that never got through: nobody abandoned a queue.
  if (call.direction === 'outbound') return twilioStatus === 'failed' ? 'failed' : 'missed';
  if (call.state === 'queued' || call.state === 'connecting') return 'abandoned';
  if (call.state === 'voicemail') return 'voicemail';
  if (twilioStatus === 'failed') return 'failed';
  if (twilioStatus === 'busy' || twilioStatus === 'no-answer' || twilioStatus === 'canceled') return 'missed';
  return 'ivr';
}

/** How a queue's wait sounds and how long it may last: an IVR `enqueue` node's settings. */
export interface WaitRules {
  announce: 'position' | 'expected_wait' | 'none';
  /** Seconds between announcements. */
  announceEvery: number;
  /** After this long in the queue the caller goes to `onTimeout` (both set, or neither applies). */
  maxWaitSeconds: number | null;
  onTimeout: string | null;
}

/** What one round of a queued call's wait loop does. */
export interface WaitRound {
  /** The caller has waited as long as the rules allow: they leave the queue for `onTimeout`. */
  timedOut: boolean;
  /** What to tell the caller this round, if anything. */
  announce: 'position' | 'expected_wait' | null;
  /** Silence before the next round when there is no hold music: never past the next announcement or the timeout. */
  pauseSeconds: number;
}

/**
 * Plans one round of the wait loop from when the call joined the queue and last heard an announcement.
 * Rounds come every `roundSeconds` (or at the end of the hold music), so an announcement or the timeout
 * falls at the first round at or after its time.
 */
export function planWaitRound(
  call: Pick<Call, 'enqueuedAt' | 'announcedAt'>,
  rules: WaitRules,
  now: number,
  roundSeconds: number,
): WaitRound {
  const joined = call.enqueuedAt ?? now;
  const timeoutAt = rules.maxWaitSeconds !== null && rules.onTimeout !== null ? joined + rules.maxWaitSeconds * 1000 : Infinity;
  if (now >= timeoutAt) return { timedOut: true, announce: null, pauseSeconds: roundSeconds };
  const every = rules.announceEvery * 1000;
  const kind = rules.announce === 'none' ? null : rules.announce;
  const due = kind !== null && (call.announcedAt === null || now - call.announcedAt >= every);
  const nextAnnouncement = kind === null ? Infinity : (due ? now : call.announcedAt!) + every;
  const next = Math.min(timeoutAt, nextAnnouncement, now + roundSeconds * 1000);
  return {
    timedOut: false,
    announce: due ? kind : null,
    pauseSeconds: Math.min(roundSeconds, Math.max(1, Math.ceil((next - now) / 1000))),
  };
}

/**
 * Whole minutes a caller at `position` may expect to wait: the conversations ahead of them and their own
 * shared by the queue's staffed agents at its average handle time. Null when the queue has no handle
 * time measured yet or nobody staffed (the caller then hears their position instead).
 */
export function expectedWaitMinutes(position: number, averageHandleMs: number | null, staffedAgents: number): number | null {
  if (averageHandleMs === null || averageHandleMs <= 0 || staffedAgents <= 0 || position < 1) return null;
  return Math.max(1, Math.ceil((position * averageHandleMs) / staffedAgents / 60_000));
}
