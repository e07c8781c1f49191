// Phone calls over Twilio: the number's voice webhook (a call arrives), each IVR step's answer, the
// queue's wait loop, the agent's leg ending, recordings, transcriptions and the call's status. Every
// request is signature-checked (twilio-webhook.ts) before anything is read or stored, and answered
// with TwiML. Agents' side: a softphone token, and calling a customer back.
import type { Request, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { route, type RouteDef } from '../route-kit.js';
import { sendTwiml, twilioWebhook, type TwilioWebhook } from '../twilio-webhook.js';
import type { HttpOptions, Services } from '../services.js';

const accountParam = { name: 'accountId', in: 'path', required: true, schema: { type: 'string' } };
const signed = {
  parameters: [accountParam, { name: 'X-Twilio-Signature', in: 'header', required: true, schema: { type: 'string' } }],
  requestBody: {
    required: true,
    content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', additionalProperties: { type: 'string' } } } },
  },
};
const twiml = (summary: string) => ({
  post: {
    summary,
    tags: ['voice'],
    ...signed,
    responses: {
      200: { description: 'TwiML' },
      403: { description: 'the signature does not match (nothing stored)' },
      404: { $ref: '#/components/responses/Error' },
    },
  },
});

/** The base every URL of this call's TwiML hangs off: what Twilio signed, up to the account. */
function baseOf(hook: TwilioWebhook): string {
  const at = hook.url.indexOf('/webhooks/voice/');
  return `${hook.url.slice(0, at)}/webhooks/voice/${hook.account.id}`;
}

export const voiceRoutes = {
  openApi: {
    '/webhooks/voice/{accountId}': twiml('Twilio: a call to the number (CallSid, From, To): the caller is looked up and the IVR starts'),
    '/webhooks/voice/{accountId}/step/{node}': twiml("Twilio: the caller's answer at an IVR node (Digits, SpeechResult; none = timeout)"),
    '/webhooks/voice/{accountId}/wait': twiml('Twilio: the queue wait loop; put through as soon as an agent has the call'),
    '/webhooks/voice/{accountId}/dial': twiml("Twilio: the agent's leg ended (DialCallStatus, DialCallDuration)"),
    '/webhooks/voice/{accountId}/dial/{agentId}': twiml(
      "Twilio: the leg that rang this agent ended (DialCallStatus, DialCallDuration); a report of an earlier agent's ring changes nothing",
    ),
    '/webhooks/voice/{accountId}/leg': twiml("Twilio: the agent's leg answered (ParentCallSid): the call is talking"),
    '/webhooks/voice/{accountId}/hold': twiml('Twilio: the hold loop while the agent has the caller on hold'),
    '/webhooks/voice/{accountId}/recording/{node}': twiml('Twilio: a voicemail recording is ready (RecordingSid, RecordingUrl)'),
    '/webhooks/voice/{accountId}/transcription/{node}': twiml("Twilio: a voicemail's transcription (TranscriptionText)"),
    '/webhooks/voice/{accountId}/status': twiml('Twilio: call status callback (CallStatus): the outcome is recorded'),
    '/webhooks/voice/{accountId}/outbound/{callId}': twiml('Twilio: an agent answered a callback they started; the customer is dialled'),
  },

  mount(router: Router, s: Services, options: Pick<HttpOptions, 'publicUrl'>): void {
    const deps = { findAccount: s.webhookAccount, publicUrl: options.publicUrl };
    const voice = (path: string, answer: (hook: TwilioWebhook, req: Request) => Promise<string>) =>
      router.post(
        `/voice/:accountId${path}`,
        twilioWebhook(deps, { kind: 'voice' }, async (hook, req, res) => {
          sendTwiml(res, await answer(hook, req));
        }),
      );
    const request = (hook: TwilioWebhook) => ({ account: hook.account, params: hook.params, base: baseOf(hook) });
    voice('', (hook) => s.voice.incoming(request(hook)));
    voice('/step/:node', (hook, req) => s.voice.gather(request(hook), String(req.params.node)));
    voice('/wait', (hook) => s.voice.wait(request(hook)));
    voice('/dial', (hook) => s.voice.dialed(request(hook)));
    voice('/dial/:agent', (hook, req) => s.voice.dialed(request(hook), String(req.params.agent)));
    voice('/hold', (hook, req) => s.voice.held(request(hook), req.query.again === '1'));
    voice('/leg', async (hook) => {
      await s.voice.legAnswered(request(hook));
      return s.voice.empty();
    });
    voice('/recording/:node', (hook) => s.voice.recording(request(hook)));
    voice('/transcription/:node', (hook) => s.voice.transcription(request(hook)));
    voice('/outbound/:callId', (hook, req) => s.voice.outboundAnswered(request(hook), String(req.params.callId)));
    voice('/status', async (hook) => {
      await s.voice.status(request(hook));
      return s.voice.empty();
    });
  },
};

const CallBack = z.object({ channelAccountId: z.string().max(36).optional() }).strict();
const Hold = z.object({ hold: z.boolean() }).strict();

/** Agents' side of calls (under /api/v1). */
export function voiceApiRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/voice/flows',
      summary: 'The IVR flows loaded from ivr-flows/ (a voice number plays one), with their languages and the queues they name',
      tag: 'voice',
      role: 'supervisor',
      handler: async () => ({ flows: s.voiceAgent.flows() }),
    }),
    route({
      method: 'get',
      path: '/voice/token',
      summary: "A Twilio Voice access token for the signed-in agent's browser softphone (null when no voice number has an API key)",
      tag: 'voice',
      role: 'agent',
      handler: async ({ user }) => ({ token: await s.voiceAgent.token(user.id) }),
    }),
    route<z.infer<typeof CallBack>>({
      method: 'post',
      path: '/conversations/:id/call',
      summary:
        "Call the customer back: Twilio rings the agent's softphone or phone, then dials the customer's number from the conversation's voice number (or `channelAccountId`)",
      tag: 'voice',
      role: 'agent',
      body: CallBack,
      status: 201,
      handler: async ({ user, params, body }) => {
        if (!params.id) throw new AppError('VALIDATION', 'conversation id missing');
        return { call: await s.voiceAgent.callBack(params.id, { id: user.id, role: user.role }, body.channelAccountId) };
      },
    }),
    route<z.infer<typeof Hold>>({
      method: 'post',
      path: '/calls/:id/hold',
      summary:
        'Put your call on hold (`hold: true`: the caller hears music, your leg ends) or take it back (`false`: your softphone and phone ring again)',
      tag: 'voice',
      role: 'agent',
      body: Hold,
      handler: async ({ user, params, body }) => {
        const call = await s.voice.setHold(params.id!, user.id, body.hold);
        return { call: { id: call.id, state: call.state } };
      },
    }),
    route({
      method: 'get',
      path: '/conversations/:id/calls',
      summary: "A conversation's phone calls: IVR path, queue wait, talk time, outcome",
      tag: 'voice',
      role: 'agent',
      handler: async ({ user, params }) => ({ calls: await s.voiceAgent.callsOf(params.id!, { id: user.id, role: user.role }) }),
    }),
  ];
}
