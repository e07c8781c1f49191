// A phone call through the desk: the caller is looked up by number and walks the account's IVR flow
// (each step rendered by the IVR engine), may wait in a queue (routing offers the call like any
// conversation; the wait loop puts the caller through as soon as an agent takes it), leave a voicemail
// or ask for a callback. Every call is one conversation message whose meta carries the call's record
// (IVR path, queue wait, talk time, outcome), kept current as Twilio reports what happened.
// Every entry point is a webhook Twilio may retry: each is keyed by the CallSid (or RecordingSid) and
// never moves a call backwards.
import type { IvrCaller, IvrEffect, IvrRender, IvrState, IvrUrls } from '../ivr/engine.js';
import { stepFlow } from '../ivr/engine.js';
import type { EnqueueNode, Flow } from '../ivr/flow.js';
import { AppError } from '../domain/errors.js';
import { phoneIdentity } from '../domain/identity.js';
import {
  callRecord,
  expectedWaitMinutes,
  holdSecondsAt,
  outcomeAtHangup,
  planWaitRound,
  talkSecondsAt,
  type Call,
} from '../domain/voice.js';
import type { QueueStatsReport } from '../domain/routing/queue-stats.js';
import type { ChannelAccount, Conversation, Customer, InboundMessage, MessagePart } from '../domain/types.js';
import type { Deps } from './deps.js';
import type { IngestResult } from './ingest-message.js';

/** What the webhook layer knows of the request: the account, Twilio's parameters, and the base URL it signed. */
export interface VoiceRequest {
  account: ChannelAccount;
  params: Record<string, string>;
  /** `https://desk.example.com/webhooks/voice/<account id>` (PUBLIC_URL-based): every URL in our TwiML hangs off it. */
  base: string;
}

/** How the call is put through to an agent, and the few words around it (the channel renders TwiML). */
export interface VoiceRender {
  /** An IVR step's verbs as TwiML. */
  ivr: IvrRender;
  /** `voice`: the flow's Twilio voice for the language, so the caller hears the same voice as in the IVR. */
  wait(opts: {
    announce: string | null;
    language: string;
    voice?: string | null;
    holdMusicUrl: string | null;
    pauseSeconds: number;
    redirectUrl: string;
  }): string;
  bridge(opts: {
    announce: string;
    language: string;
    voice?: string | null;
    clientIdentity: string;
    number: string | null;
    callerId: string;
    action: string;
    legStatus: string;
    callId: string;
  }): string;
  hangup(opts: { goodbye: string | null; language: string; voice?: string | null }): string;
  dialCustomer(opts: { number: string; callerId: string; action: string }): string;
  empty(): string;
}

export interface VoiceDeps extends Deps {
  flows: ReadonlyMap<string, Flow>;
  ingest: (m: InboundMessage) => Promise<IngestResult>;
  /** Routing: a call leaves the IVR for a queue. */
  enqueueInto: (conversationId: string, queueId: string, priority: number) => Promise<Conversation | undefined>;
  /** Routing: a call that waited as long as its IVR allows leaves the queue (the priority it added comes off). */
  leaveQueue: (conversationId: string) => Promise<Conversation | undefined>;
  /** Routing: the agent did not pick up the call they took; it waits again in its place, and they are set away. */
  returnUnanswered: (conversationId: string, agentId: string) => Promise<Conversation | undefined>;
  /** The live queue statistics (expected-wait announcements use a queue's handle time and staffing). */
  queueStats: () => Promise<QueueStatsReport>;
  render: VoiceRender;
  /** Stores a recording fetched from the provider (its media host only); returns the attachment part. */
  storeRecording: (account: ChannelAccount, url: string) => Promise<MessagePart>;
  /** Sends a live call to a new TwiML URL now (Twilio's REST API), instead of at the end of its hold music. */
  redirectCall: (account: ChannelAccount, callSid: string, url: string) => Promise<void>;
  log: { warn(o: object, msg: string): void };
}

/** The settings the voice channel keeps on its account (channels/voice/account.ts validates them). */
export interface VoiceAccountSettings {
  phoneNumber: string;
  flow: string;
  holdMusicUrl?: string | null;
  /** Where voicemails wait for an agent. */
  voicemailQueueId?: string | null;
}

const TEXT = {
  en: {
    incoming: (from: string) => `Incoming call from ${from}`,
    position: (n: number) =>
      n <= 1 ? 'You are next in line. Thank you for waiting.' : `You are number ${n} in line. Thank you for waiting.`,
    expectedWait: (minutes: number) =>
      minutes <= 1
        ? 'Your expected wait is about one minute. Thank you for waiting.'
        : `Your expected wait is about ${minutes} minutes. Thank you for waiting.`,
    connecting: 'Connecting you to an agent now.',
    hold: 'Please hold. Your agent will be right back.',
    voicemail: 'Voicemail',
    transcription: (t: string) => `Voicemail transcription: ${t}`,
    callback: (n: string) => `Callback requested to ${n}`,
    unavailable: 'Sorry, this line is not available right now. Please call again later.',
  },
  th: {
    incoming: (from: string) => `สายเรียกเข้าจาก ${from}`,
    position: (n: number) => (n <= 1 ? 'ท่านเป็นลำดับถัดไป ขอบคุณที่รอสาย' : `ท่านอยู่ในลำดับที่ ${n} ขอบคุณที่รอสาย`),
    expectedWait: (minutes: number) => `เวลารอโดยประมาณ ${minutes} นาที ขอบคุณที่รอสาย`,
    connecting: 'กำลังโอนสายไปยังเจ้าหน้าที่ค่ะ',
    hold: 'กรุณาถือสายรอสักครู่ค่ะ เจ้าหน้าที่จะกลับมาในไม่ช้า',
    voicemail: 'ข้อความเสียง',
    transcription: (t: string) => `ถอดความข้อความเสียง: ${t}`,
    callback: (n: string) => `ขอให้โทรกลับที่ ${n}`,
    unavailable: 'ขออภัย หมายเลขนี้ไม่สามารถให้บริการได้ในขณะนี้ กรุณาโทรใหม่ภายหลัง',
  },
};
const textFor = (language: string | null | undefined) => (language?.startsWith('th') ? TEXT.th : TEXT.en);
const WAIT_PAUSE_SECONDS = 10;
/** A call's queue rules when its IVR node cannot be found (the flow changed mid-call): the node defaults. */
const DEFAULT_WAIT = {
  announce: 'position',
  announceEvery: 30,
  maxWaitSeconds: null,
  onTimeout: null,
  holdMusic: null,
  priority: 0,
} as const;

/** The Twilio Client identity of an agent's browser softphone. */
export const agentIdentity = (agentId: string) => `agent-${agentId}`;

export function makeVoiceCalls(deps: VoiceDeps) {
  const { store, render } = deps;

  const urls = (base: string): IvrUrls => ({
    step: (node) => `${base}/step/${encodeURIComponent(node)}`,
    recording: (node) => `${base}/recording/${encodeURIComponent(node)}`,
    transcription: (node) => `${base}/transcription/${encodeURIComponent(node)}`,
    wait: `${base}/wait`,
  });

  function settingsOf(account: ChannelAccount): VoiceAccountSettings {
    return account.settings as unknown as VoiceAccountSettings;
  }

  function flowOf(account: ChannelAccount): Flow {
    const flow = deps.flows.get(settingsOf(account).flow);
    if (!flow) throw new AppError('NOT_FOUND', `the IVR flow "${settingsOf(account).flow}" of this number is not loaded`);
    return flow;
  }

  function callerOf(customer: Customer, known: boolean, phone: string): IvrCaller {
    const name = customer.name;
    return {
      known,
      name,
      firstName: name ? name.split(/\s+/)[0]! : null,
      vip: customer.vip,
      valueTier: customer.valueTier,
      language: customer.locale,
      attributes: customer.attributes,
      phone,
    };
  }

  async function callOf(params: Record<string, string>): Promise<Call> {
    const sid = params.CallSid ?? '';
    const call = sid ? await store.calls.findBySid(sid) : undefined;
    if (!call) throw new AppError('NOT_FOUND', `no call ${sid.slice(0, 64)}`);
    return call;
  }

  /** Keeps the call's record on its timeline message current (the console re-renders it live). */
  async function publishRecord(call: Call): Promise<void> {
    if (!call.messageId) return;
    const message = await store.messages.findById(call.messageId);
    const conversation = await store.conversations.findById(call.conversationId);
    if (!message || !conversation) return;
    const updated = await store.messages.updateMeta(message.id, { ...(message.meta ?? {}), call: callRecord(call) }, deps.now());
    if (updated) deps.events.publish({ type: 'message.status', message: updated, conversation });
  }

  /** Carries out what the IVR step asked for, then stores its state. */
  /** Carries out the step's effects and stores the state; `broken` when the flow names a queue that does not exist. */
  async function apply(
    account: ChannelAccount,
    call: Call,
    state: IvrState,
    effects: IvrEffect[],
  ): Promise<{ call: Call; broken: boolean }> {
    const now = deps.now();
    let patch: Parameters<typeof store.calls.update>[1] = { ivrState: state };
    for (const effect of effects) {
      if (effect.type === 'enqueue' || effect.type === 'callback') {
        const queue = (await store.queues.list()).find((q) => q.name === effect.queue);
        if (!queue) {
          // The caller hears an apology rather than Twilio's error tone; the admin finds why in the log.
          deps.log.warn({ accountId: account.id, flow: call.flow, queue: effect.queue }, `the IVR flow names a queue that does not exist`);
          const ended = await store.calls.update(call.callSid, { ...patch, state: 'ended', outcome: 'failed', endedAt: now }, now);
          return { call: ended ?? call, broken: true };
        }
        if (effect.type === 'callback') {
          await noteOnCall(account, call, `${call.callSid}:callback`, textFor(state.language).callback(call.fromNumber));
          patch = { ...patch, outcome: 'callback', queueId: queue.id };
          await deps.enqueueInto(call.conversationId, queue.id, 0);
        } else {
          patch = { ...patch, state: 'queued', queueId: queue.id, enqueuedAt: now, announcedAt: null };
          await deps.enqueueInto(call.conversationId, queue.id, effect.priority);
        }
      } else if (effect.type === 'voicemail') {
        patch = { ...patch, state: 'voicemail' };
      } else if (effect.type === 'transfer') {
        patch = { ...patch, outcome: 'transferred' };
      }
    }
    return { call: (await store.calls.update(call.callSid, patch, now)) ?? call, broken: false };
  }

  /** A system line in the call's conversation (callback requested, voicemail), stored once by its key. */
  async function noteOnCall(account: ChannelAccount, call: Call, key: string, text: string, extra: MessagePart[] = []) {
    return deps.ingest({
      channelAccountId: account.id,
      channelKind: 'voice',
      providerMessageId: key,
      sender: { identity: { kind: 'phone', scope: '', value: call.fromNumber } },
      parts: [{ type: 'text', text }, ...extra],
      sentAt: deps.now(),
    });
  }

  async function step(req: VoiceRequest, call: Call, input: Parameters<typeof stepFlow>[2]): Promise<string> {
    const flow = flowOf(req.account);
    const customer = (await store.customers.findById(call.customerId))!;
    // Known: the customer existed before this call (a new one is created with the call's message, at the same instant).
    const first = call.messageId ? await store.messages.findById(call.messageId) : undefined;
    const known = customer.createdAt < (first?.createdAt ?? call.createdAt);
    const result = stepFlow(
      flow,
      call.ivrState as IvrState | null,
      input,
      callerOf(customer, known, call.fromNumber),
      urls(req.base),
      deps.now(),
      render.ivr,
    );
    const applied = await apply(req.account, call, result.state, result.effects);
    await publishRecord(applied.call);
    return applied.broken ? unavailable(req.account, result.state.language) : result.twiml;
  }

  return {
    /** A call arrives: the caller is found or created by number, the call recorded, the flow started. */
    async incoming(req: VoiceRequest): Promise<string> {
      const { account, params } = req;
      const sid = params.CallSid;
      const phone = phoneIdentity(params.From ?? '');
      if (!sid || !phone.ok) throw new AppError('VALIDATION', 'a call needs CallSid and a valid caller number (From)');
      const from = phone.identity.value;
      const flow = flowOf(account);
      const existing = await store.calls.findBySid(sid);
      if (existing) return step(req, existing, { kind: 'start' }); // Twilio retried the first request
      const known = await store.customers.findByIdentity(phone.identity);
      const language = (known && known.locale) || null;
      const ingested = await deps.ingest({
        channelAccountId: account.id,
        channelKind: 'voice',
        providerMessageId: sid,
        sender: { identity: { kind: 'phone', scope: '', value: from } },
        parts: [{ type: 'text', text: textFor(language).incoming(from) }],
        sentAt: deps.now(),
      });
      const call = await store.calls.insert(
        {
          channelAccountId: account.id,
          callSid: sid,
          direction: 'inbound',
          conversationId: ingested.conversation.id,
          customerId: ingested.customer.id,
          messageId: ingested.message.id,
          fromNumber: from,
          toNumber: params.To ?? '',
          flow: flow.name,
          webhookBase: req.base,
          state: 'ivr',
          ivrState: null,
        },
        deps.now(),
      );
      const customer = ingested.customer;
      const result = stepFlow(
        flow,
        null,
        { kind: 'start' },
        callerOf(customer, Boolean(known), from),
        urls(req.base),
        deps.now(),
        render.ivr,
      );
      const applied = await apply(account, call, result.state, result.effects);
      await publishRecord(applied.call);
      return applied.broken ? unavailable(req.account, result.state.language) : result.twiml;
    },

    /** The caller pressed keys or spoke at a gather (or said nothing: a timeout). */
    async gather(req: VoiceRequest, node: string): Promise<string> {
      const call = await callOf(req.params);
      if (call.state !== 'ivr') return render.empty();
      const digits = req.params.Digits || undefined;
      const speech = req.params.SpeechResult || undefined;
      return step(req, call, { kind: 'gather', node, ...(digits ? { digits } : {}), ...(speech ? { speech } : {}) });
    },

    /**
     * The wait loop: put through when an agent has the call; otherwise, as the call's enqueue node says,
     * an announcement now and then, music, and after the longest wait on to the node's `onTimeout`.
     */
    async wait(req: VoiceRequest): Promise<string> {
      const call = await callOf(req.params);
      const language = call.ivrState?.language ?? 'en-US';
      let conversation = await store.conversations.findById(call.conversationId);
      if (call.state === 'ended' || !conversation || conversation.status === 'resolved') return render.hangup({ goodbye: null, language });
      // Back in the IVR (its wait ran out) and the wait URL asked again: where the caller is, once more.
      const at = (call.ivrState as IvrState | null)?.node;
      if (call.state === 'ivr' && at !== undefined) return step(req, call, { kind: 'redirect', node: at });
      const node = queueNodeOf(req.account, call);
      const now = deps.now();
      const round = planWaitRound(call, node, now, WAIT_PAUSE_SECONDS);
      if (!conversation.assigneeId && call.state === 'queued' && round.timedOut) {
        // Routing decides between the timeout and an agent taking the call at that moment. Routing out of
        // reach (a new leader being chosen): the caller waits a round more, and the next round tries again.
        const left = await deps.leaveQueue(conversation.id).catch((err: unknown) => {
          deps.log.warn({ err, callSid: call.callSid }, 'could not take the call out of its queue; trying again next round');
          return undefined;
        });
        if (left && !left.assigneeId) {
          const back = await store.calls.update(call.callSid, { state: 'ivr' }, now, ['queued']);
          if (back) return step(req, back, { kind: 'redirect', node: node.onTimeout! });
        }
        conversation = (await store.conversations.findById(call.conversationId)) ?? conversation;
      }
      if (conversation.assigneeId) {
        const agent = await store.users.findById(conversation.assigneeId);
        const updated = await store.calls.update(call.callSid, { state: 'connecting', agentId: conversation.assigneeId }, deps.now(), [
          'queued',
          'connecting',
        ]);
        if (updated) await publishRecord(updated);
        return render.bridge({
          announce: textFor(language).connecting,
          language,
          voice: voiceOf(req.account, language),
          clientIdentity: agentIdentity(conversation.assigneeId),
          number: (agent as { phone?: string | null } | undefined)?.phone ?? null,
          callerId: call.fromNumber,
          action: `${req.base}/dial/${encodeURIComponent(conversation.assigneeId)}`,
          legStatus: `${req.base}/leg`,
          callId: call.id,
        });
      }
      const announce = round.announce && call.state === 'queued' ? await announcement(conversation, round.announce, language) : null;
      if (announce) await store.calls.update(call.callSid, { announcedAt: now }, now, ['queued']);
      return render.wait({
        announce,
        language,
        voice: voiceOf(req.account, language),
        holdMusicUrl: node.holdMusic ?? settingsOf(req.account).holdMusicUrl ?? null,
        pauseSeconds: round.pauseSeconds,
        redirectUrl: `${req.base}/wait`,
      });
    },

    /** The agent answered (their leg's status callback): the call is talking from now. */
    async legAnswered(req: VoiceRequest): Promise<void> {
      const parent = req.params.ParentCallSid ?? '';
      const call = parent ? await store.calls.findBySid(parent) : undefined;
      if (!call || !['in-progress', 'answered'].includes(req.params.CallStatus ?? '')) return;
      const now = deps.now();
      const updated = await store.calls.update(call.callSid, { state: 'talking', answeredAt: call.answeredAt ?? now }, now, ['connecting']);
      if (updated) await publishRecord(updated);
    },

    /** The hold loop: music while the agent has the caller on hold; back to the agent once resumed. */
    async held(req: VoiceRequest, again: boolean): Promise<string> {
      const call = await callOf(req.params);
      const language = call.ivrState?.language ?? 'en-US';
      if (call.state === 'ended') return render.hangup({ goodbye: null, language });
      if (call.state !== 'held') return this.wait(req);
      return render.wait({
        announce: again ? null : textFor(language).hold,
        language,
        voice: voiceOf(req.account, language),
        holdMusicUrl: settingsOf(req.account).holdMusicUrl ?? null,
        pauseSeconds: WAIT_PAUSE_SECONDS,
        redirectUrl: `${req.base}/hold?again=1`,
      });
    },

    /**
     * The agent puts the caller on hold (their leg ends; the caller hears music) or takes them back (the
     * agent's softphone and phone ring again, as when the call was first put through).
     */
    async setHold(callId: string, agentId: string, hold: boolean): Promise<Call> {
      const call = await store.calls.findById(callId);
      if (!call || call.agentId !== agentId) throw new AppError('NOT_FOUND', 'no call of yours with that id');
      const account = await store.channelAccounts.findById(call.channelAccountId);
      if (!account || !call.webhookBase) throw new AppError('NOT_FOUND', 'no call of yours with that id');
      const now = deps.now();
      const updated = hold
        ? await store.calls.update(call.callSid, { state: 'held', heldAt: now, holds: call.holds + 1 }, now, ['talking'])
        : await store.calls.update(call.callSid, { state: 'connecting', heldAt: null, holdSeconds: holdSecondsAt(call, now) }, now, [
            'held',
          ]);
      if (!updated) throw new AppError('CONFLICT', hold ? 'only a call in progress can be put on hold' : 'the call is not on hold');
      await deps.redirectCall(account, call.callSid, hold ? `${call.webhookBase}/hold` : `${call.webhookBase}/wait`);
      await publishRecord(updated);
      return updated;
    },

    /**
     * The agent's leg ended: the talk time (answered), or back to waiting when the agent did not pick
     * up. `rang`: the agent that leg rang (from the action URL of an inbound call's bridge).
     */
    async dialed(req: VoiceRequest, rang?: string): Promise<string> {
      const call = await callOf(req.params);
      const language = call.ivrState?.language ?? 'en-US';
      const status = req.params.DialCallStatus ?? '';
      const now = deps.now();
      // The agent put the caller on hold (their leg was cut by the redirect): the hold loop has the call.
      if (call.state === 'held') return this.held(req, false);
      if (status === 'completed' || status === 'answered') {
        await endTalking(call, now, Number(req.params.DialCallDuration ?? 0) || 0);
        return render.hangup({ goodbye: null, language });
      }
      // No answer from the agent (their softphone and phone rang out, or were busy): the caller waits
      // again in their place, for another agent, and the agent is set away. Not when the report is a
      // late or repeated one of an earlier ring (`rang` names whom that ring was for), nor when the
      // caller has hung up meanwhile (the status callback ends the call).
      if (call.direction === 'inbound') {
        if (rang !== undefined && rang !== call.agentId) return this.wait(req);
        if (['completed', 'canceled', 'busy', 'failed', 'no-answer'].includes(req.params.CallStatus ?? '')) return render.empty();
        const agentId = call.agentId;
        const back = agentId && (await store.calls.update(call.callSid, { state: 'queued', agentId: null }, now, ['connecting']));
        if (back) {
          await publishRecord(back);
          await deps.returnUnanswered(call.conversationId, agentId);
        }
        // Put through at once if another agent took it already; else the queue's wait loop.
        return this.wait(req);
      }
      // A callback the agent placed stays theirs: the customer did not answer it.
      const waiting = await store.calls.update(call.callSid, { state: 'queued' }, now, ['connecting']);
      if (waiting) await publishRecord(waiting);
      return render.wait({
        announce: null,
        language,
        voice: voiceOf(req.account, language),
        holdMusicUrl: settingsOf(req.account).holdMusicUrl ?? null,
        pauseSeconds: WAIT_PAUSE_SECONDS,
        redirectUrl: `${req.base}/wait`,
      });
    },

    /** Twilio's status callback: the call ended (or was answered by an agent leg); records the outcome. */
    async status(req: VoiceRequest): Promise<void> {
      const call = await store.calls.findBySid(req.params.CallSid ?? '');
      if (!call) return;
      const status = req.params.CallStatus ?? '';
      if (!['completed', 'busy', 'failed', 'no-answer', 'canceled'].includes(status)) return;
      const now = deps.now();
      // The caller hung up on hold: the agent's leg had already ended, so this is the end of the talk.
      if (call.state === 'held') return endTalking(call, now, 0);
      const outcome = outcomeAtHangup(call, status);
      // Hung up while the agent's phone rang: the agent never talked to them, and holds nothing.
      const ringing = call.state === 'connecting';
      const updated = await store.calls.update(call.callSid, { state: 'ended', outcome, endedAt: call.endedAt ?? now }, now, [
        'ivr',
        'queued',
        'connecting',
        'talking',
        'voicemail',
      ]);
      if (!updated) return;
      await publishRecord(updated);
      // A caller who hung up while waiting: the conversation leaves the queue (routing counts it abandoned).
      if (
        updated.direction === 'inbound' &&
        (outcome === 'abandoned' || outcome === 'ivr' || outcome === 'missed' || outcome === 'failed' || outcome === 'transferred')
      ) {
        await resolve(updated.conversationId, { evenAssigned: ringing });
      }
    },

    /** A voicemail's recording is ready: it becomes a message with the audio, routed to an agent. */
    async recording(req: VoiceRequest): Promise<string> {
      const call = await callOf(req.params);
      const { RecordingSid: recordingSid, RecordingUrl: url } = req.params;
      if (!recordingSid || !url) throw new AppError('VALIDATION', 'a recording needs RecordingSid and RecordingUrl');
      const language = call.ivrState?.language ?? null;
      const audio = await deps.storeRecording(req.account, url);
      await noteOnCall(req.account, call, recordingSid, textFor(language).voicemail, [audio]);
      const updated = await store.calls.update(
        call.callSid,
        { state: 'ended', outcome: 'voicemail', recordingSid, endedAt: deps.now() },
        deps.now(),
      );
      if (updated) await publishRecord(updated);
      const queueId = settingsOf(req.account).voicemailQueueId;
      if (queueId) await deps.enqueueInto(call.conversationId, queueId, 0);
      return render.empty();
    },

    /** Twilio's transcription of a voicemail (it may come minutes later, or fail). */
    async transcription(req: VoiceRequest): Promise<string> {
      const call = await callOf(req.params);
      const { RecordingSid: recordingSid, TranscriptionText: text, TranscriptionStatus: status } = req.params;
      if (!recordingSid) throw new AppError('VALIDATION', 'a transcription needs RecordingSid');
      const said = status === 'completed' && text ? text : '(no transcription)';
      await noteOnCall(req.account, call, `${recordingSid}:transcription`, textFor(call.ivrState?.language).transcription(said));
      return render.empty();
    },

    /**
     * An agent took a waiting call (routing assigned its conversation): the caller is sent to the wait
     * URL at once, where they are put through. Failing that, the wait loop does it at its next round.
     */
    async assigned(conversation: Conversation): Promise<void> {
      const call = await store.calls.liveForConversation(conversation.id);
      if (!call || call.state !== 'queued' || !call.webhookBase) return;
      const account = await store.channelAccounts.findById(call.channelAccountId);
      if (!account) return;
      await deps
        .redirectCall(account, call.callSid, `${call.webhookBase}/wait`)
        .catch((err: unknown) =>
          deps.log.warn({ err, callSid: call.callSid }, 'could not redirect the call to its agent; the wait loop will'),
        );
    },

    /** The agent answered a call they started (a callback): now the customer's phone rings. */
    async outboundAnswered(req: VoiceRequest, callId: string): Promise<string> {
      const call = await store.calls.findById(callId);
      if (!call || call.channelAccountId !== req.account.id || call.direction !== 'outbound')
        throw new AppError('NOT_FOUND', 'no such call');
      if (call.state === 'ended') return render.hangup({ goodbye: null, language: 'en-US' });
      const updated = await store.calls.update(call.callSid, { state: 'talking' }, deps.now(), ['connecting']);
      if (updated) await publishRecord(updated);
      return render.dialCustomer({ number: call.toNumber, callerId: call.fromNumber, action: `${req.base}/dial` });
    },

    empty: () => render.empty(),
  };

  /**
   * An answered call is over (the agent's leg ended, or the caller hung up on hold): talk time runs from
   * the agent's answer, holds excluded (the leg's own length without an answer time). Its conversation
   * resolves and the agent goes into the queue's wrap-up time (to write notes; a note reopens nothing);
   * a callback the agent placed is theirs to resolve.
   */
  async function endTalking(call: Call, now: number, legSeconds: number): Promise<void> {
    const talk = talkSecondsAt(call, now, legSeconds);
    const updated = await store.calls.update(
      call.callSid,
      {
        state: 'ended',
        outcome: 'answered',
        talkSeconds: talk,
        holdSeconds: holdSecondsAt(call, now),
        heldAt: null,
        answeredAt: call.answeredAt ?? now - talk * 1000,
        endedAt: now,
      },
      now,
    );
    if (updated) await publishRecord(updated);
    if (updated && updated.direction === 'inbound') await resolve(updated.conversationId, { evenAssigned: true });
  }

  /** The enqueue node the call waits at (its IVR state's node), or the defaults when the flow no longer has it. */
  function queueNodeOf(account: ChannelAccount, call: Call): Pick<EnqueueNode, keyof typeof DEFAULT_WAIT> {
    const id = (call.ivrState as IvrState | null)?.node;
    const node = id === undefined ? undefined : deps.flows.get(call.flow ?? settingsOf(account).flow)?.nodes.get(id);
    return node?.type === 'enqueue' ? node : DEFAULT_WAIT;
  }

  /** The caller's place in line, or their expected wait (their place when the queue cannot tell yet). */
  async function announcement(conversation: Conversation, kind: 'position' | 'expected_wait', language: string): Promise<string | null> {
    const position = await store.conversations.positionInQueue(conversation.id);
    if (!position) return null;
    if (kind === 'expected_wait' && conversation.queueId) {
      // Without the live statistics (routing out of reach for a moment) the caller hears their place.
      const stats = await deps.queueStats().catch(() => undefined);
      const queue = stats?.queues.find((q) => q.queueId === conversation.queueId);
      const staffed = queue ? queue.agents.available + queue.agents.busy + queue.agents.wrap_up : 0;
      const minutes = queue ? expectedWaitMinutes(position, queue.averageHandleMs, staffed) : null;
      if (minutes !== null) return textFor(language).expectedWait(minutes);
    }
    return textFor(language).position(position);
  }

  function unavailable(account: ChannelAccount, language: string | null): string {
    const spoken = language ?? 'en-US';
    return render.hangup({ goodbye: textFor(language).unavailable, language: spoken, voice: voiceOf(account, spoken) });
  }

  /** The flow's Twilio voice for `language` (none when the flow names none or is not loaded). */
  function voiceOf(account: ChannelAccount, language: string): string | null {
    return deps.flows.get(settingsOf(account).flow)?.voices[language] ?? null;
  }

  /** Resolves a call's conversation (routing then releases the agent into wrap-up, or counts an abandoned wait). */
  async function resolve(conversationId: string, opts: { evenAssigned: boolean }): Promise<void> {
    const now = deps.now();
    const previous = await store.conversations.findById(conversationId);
    if (!previous || previous.status === 'resolved' || (previous.assigneeId && !opts.evenAssigned)) return;
    const conversation = await store.conversations.update(conversationId, { status: 'resolved', resolvedAt: now }, now);
    if (conversation) deps.events.publish({ type: 'conversation.updated', conversation, previous });
  }
}

export type VoiceCalls = ReturnType<typeof makeVoiceCalls>;
