// SMS over Twilio: the incoming-message webhook, the status callback (both signed by Twilio, checked
// in twilio-webhook.ts), and the signed, expiring links Twilio fetches the pictures of our MMS from.
import type { Router } from 'express';
import { EMPTY_MESSAGING_TWIML } from '../../../channels/twilio/twiml.js';
import { sendTwiml, twilioWebhook } from '../twilio-webhook.js';
import type { HttpOptions, Services } from '../services.js';
import { sendAttachment } from './send-attachment.js';

const accountParam = { name: 'accountId', in: 'path', required: true, schema: { type: 'string' } };
const signed = {
  parameters: [accountParam, { name: 'X-Twilio-Signature', in: 'header', required: true, schema: { type: 'string' } }],
  requestBody: {
    required: true,
    content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', additionalProperties: { type: 'string' } } } },
  },
};
const refusals = {
  403: { description: 'the signature does not match (nothing stored)' },
  404: { $ref: '#/components/responses/Error' },
  413: { $ref: '#/components/responses/Error' },
  415: { $ref: '#/components/responses/Error' },
};

export const smsRoutes = {
  openApi: {
    '/webhooks/sms/{accountId}': {
      post: {
        summary:
          'Twilio: an incoming SMS/MMS (MessageSid, From, To, Body, NumMedia, MediaUrl{i}, MediaContentType{i}); stored once per MessageSid; answers empty TwiML',
        tags: ['sms'],
        ...signed,
        responses: { 200: { description: 'empty TwiML <Response/>' }, 400: { $ref: '#/components/responses/Error' }, ...refusals },
      },
    },
    '/webhooks/sms/{accountId}/status': {
      post: {
        summary: 'Twilio: a status callback (MessageSid, MessageStatus, ErrorCode) for a message Omnidesk sent',
        tags: ['sms'],
        ...signed,
        responses: { 200: { description: 'recorded (or an unknown MessageSid, ignored)' }, ...refusals },
      },
    },
    '/webhooks/sms/{accountId}/media/{attachmentId}': {
      get: {
        summary: 'An attachment of a reply, for Twilio to fetch (signed, expiring link made when the MMS is sent)',
        tags: ['sms'],
        parameters: [
          accountParam,
          { name: 'attachmentId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'expires', in: 'query', required: true, schema: { type: 'integer' } },
          { name: 'signature', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'the file' }, 404: { $ref: '#/components/responses/Error' } },
      },
    },
  },

  mount(router: Router, s: Services, options: Pick<HttpOptions, 'publicUrl'>): void {
    const deps = { findAccount: s.webhookAccount, publicUrl: options.publicUrl };
    router.post(
      '/sms/:accountId',
      twilioWebhook(deps, { kind: 'sms' }, async (hook, _req, res) => {
        // Stored (and any keyword acted on) before Twilio hears back; MMS media are fetched after.
        await s.sms.receive(hook.account, hook.credentials, hook.params);
        sendTwiml(res, EMPTY_MESSAGING_TWIML);
      }),
    );
    router.post(
      '/sms/:accountId/status',
      twilioWebhook(deps, { kind: 'sms' }, async (hook, _req, res) => {
        await s.sms.recordStatus(hook.account, hook.params);
        sendTwiml(res, EMPTY_MESSAGING_TWIML);
      }),
    );
    router.get('/sms/:accountId/media/:attachmentId', async (req, res, next) => {
      try {
        const attachment = await s.publicMedia.open(req.params.accountId!, req.params.attachmentId!, req.query);
        sendAttachment(res, s.files, attachment, next);
      } catch (err) {
        next(err);
      }
    });
  },
};
