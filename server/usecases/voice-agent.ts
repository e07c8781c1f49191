// The agent's side of calls: a softphone token for the console, calling a customer back (Twilio
// rings the agent first, then dials the customer from the desk's number), and a conversation's calls.
import { AppError, forbidden, notFound } from '../domain/errors.js';
import { canViewConversation, type Actor } from '../domain/policy.js';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { callRecord, type Call } from '../domain/voice.js';
import type { ChannelAccount } from '../domain/types.js';
import type { Flow } from '../ivr/flow.js';
import type { Deps } from './deps.js';
import { agentIdentity } from './voice-calls.js';

export interface VoiceAgentDeps extends Deps {
  /** The IVR flows loaded at start-up. */
  flows: ReadonlyMap<string, Flow>;
  /** PUBLIC_URL: Twilio must reach this desk to run a call it places. */
  publicUrl: string | undefined;
  /** Opens an account's sealed credentials. */
  credentialsOf: (account: ChannelAccount) => Promise<Record<string, unknown>>;
  token: (
    account: ChannelAccount,
    credentials: Record<string, unknown>,
    identity: string,
  ) => { token: string; identity: string; expiresAt: number } | null;
  placeCall: (
    account: ChannelAccount,
    credentials: Record<string, unknown>,
    call: { to: string; url: string; statusCallback: string },
  ) => Promise<{ callSid: string }>;
}

/** The CallSid of a call we are placing, until Twilio gives its own (never a real SID: those start with CA). */
const newCallPlaceholder = () => `pending-${randomUUID()}`;

export function makeVoiceAgent(deps: VoiceAgentDeps) {
  const { store } = deps;

  const voiceAccounts = async () => (await store.channelAccounts.list()).filter((a) => a.kind === 'voice' && a.active);

  return {
    /** The flows a voice number may play, with the queues each names (they must exist). */
    flows() {
      return [...deps.flows.values()].map((f) => ({
        name: f.name,
        file: path.basename(f.file),
        languages: f.languages,
        queues: [...new Set([...f.nodes.values()].flatMap((n) => (n.type === 'enqueue' || n.type === 'callback' ? [n.queue] : [])))],
      }));
    },

    /** A token for the agent's browser softphone, from the first voice number with an API key; null when none has one. */
    async token(userId: string) {
      for (const account of await voiceAccounts()) {
        const minted = deps.token(account, await deps.credentialsOf(account), agentIdentity(userId));
        if (minted) return minted;
      }
      return null;
    },

    async callsOf(conversationId: string, actor: Actor) {
      const conversation = await store.conversations.findById(conversationId);
      if (!conversation) throw notFound('conversation');
      if (!canViewConversation(actor, conversation)) throw forbidden('this conversation is assigned to another agent');
      return (await store.calls.forConversation(conversationId)).map((c) => ({ id: c.id, ...callRecord(c) }));
    },

    /** Calls the customer of a conversation back; the call goes on the conversation's timeline. */
    async callBack(conversationId: string, actor: Actor, accountId?: string) {
      const conversation = await store.conversations.findById(conversationId);
      if (!conversation) throw notFound('conversation');
      if (!canViewConversation(actor, conversation)) throw forbidden('this conversation is assigned to another agent');
      const phone = (await store.customers.identities(conversation.customerId)).find((i) => i.kind === 'phone');
      if (!phone) throw new AppError('CONFLICT', 'the customer has no phone number: add one on their profile first');
      const accounts = await voiceAccounts();
      const account = accounts.find((a) => a.id === (accountId ?? conversation.channelAccountId)) ?? (accountId ? undefined : accounts[0]);
      if (!account)
        throw new AppError('CONFLICT', accountId ? 'no active voice number with that id' : 'there is no active voice number to call from');
      if (!deps.publicUrl) throw new AppError('CONFLICT', 'set PUBLIC_URL (the address Twilio reaches this desk at) to place calls');
      const agent = await store.users.findById(actor.id);
      const credentials = await deps.credentialsOf(account);
      const softphone = deps.token(account, credentials, agentIdentity(actor.id)) !== null;
      if (!agent?.phone && !softphone) {
        throw new AppError('CONFLICT', 'set your phone number on your profile (or ask an admin for a softphone API key) to place calls');
      }
      const settings = account.settings as { phoneNumber: string };
      const now = deps.now();
      const base = `${deps.publicUrl}/webhooks/voice/${account.id}`;
      const { call, message } = await store.transaction(async (tx) => {
        const message = await tx.messages.insert(
          {
            conversationId: conversation.id,
            channelAccountId: account.id,
            direction: 'outbound',
            senderType: 'agent',
            senderId: actor.id,
            parts: [{ type: 'text', text: `Calling ${phone.value}` }],
            text: `Calling ${phone.value}`,
            private: false,
            providerMessageId: null,
            status: 'sent',
            meta: null,
          },
          now,
        );
        const call = await tx.calls.insert(
          {
            channelAccountId: account.id,
            callSid: newCallPlaceholder(),
            direction: 'outbound',
            conversationId: conversation.id,
            customerId: conversation.customerId,
            messageId: message.id,
            fromNumber: settings.phoneNumber,
            toNumber: phone.value,
            flow: null,
            webhookBase: base,
            state: 'connecting',
            ivrState: null,
            agentId: actor.id,
          },
          now,
        );
        return { call, message };
      });
      deps.events.publish({ type: 'message.created', message, conversation });
      let placed: Call;
      try {
        const { callSid } = await deps.placeCall(account, credentials, {
          to: agent?.phone ?? `client:${agentIdentity(actor.id)}`,
          url: `${base}/outbound/${call.id}`,
          statusCallback: `${base}/status`,
        });
        await store.calls.setSid(call.id, callSid, deps.now());
        placed = (await store.calls.findById(call.id))!;
      } catch (err) {
        await store.calls.update(call.callSid, { state: 'ended', outcome: 'failed', endedAt: deps.now() }, deps.now());
        throw new AppError('UNAVAILABLE', `Twilio did not place the call: ${err instanceof Error ? err.message : String(err)}`);
      }
      const updated = await store.messages.updateMeta(message.id, { call: callRecord(placed) }, deps.now());
      if (updated) deps.events.publish({ type: 'message.status', message: updated, conversation });
      return { id: placed.id, ...callRecord(placed) };
    },
  };
}

export type VoiceAgent = ReturnType<typeof makeVoiceAgent>;
