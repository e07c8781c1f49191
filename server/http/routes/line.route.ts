// LINE: the webhook of each LINE account (verified over its raw bytes here, before anything is read),
// and the signed, expiring links LINE fetches the pictures of our replies from.
//
// The order is fixed: the raw body (JSON only, size-capped; 415, 413), the account the URL names (404),
// X-Line-Signature over those exact bytes with the channel secret (403, constant time, fail closed),
// JSON (400), the events (validated one by one), stored, then 200. Slow work comes after the answer.
import express, { type Router } from 'express';
import { LineCredentials } from '../../../channels/line/account.js';
import { verifyLineSignature } from '../../../channels/line/verify.js';
import { AppError } from '../../domain/errors.js';
import type { Services } from '../services.js';
import { sendAttachment } from './send-attachment.js';

const accountParam = { name: 'accountId', in: 'path', required: true, schema: { type: 'string' } };

/** LINE's webhook bodies are a few KB (at most 100 events). */
const BODY_LIMIT = '1mb';

export const lineRoutes = {
  openApi: {
    '/webhooks/line/{accountId}': {
      post: {
        summary:
          'LINE: webhook events (message: text, sticker, image, video, audio, file, location; follow, unfollow, postback); signed with X-Line-Signature over the raw body; each message stored once',
        tags: ['line'],
        parameters: [accountParam, { name: 'X-Line-Signature', in: 'header', required: true, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['destination', 'events'],
                properties: { destination: { type: 'string' }, events: { type: 'array', items: { type: 'object' } } },
              },
            },
          },
        },
        responses: {
          200: { description: 'stored (or a redelivery of what is stored)' },
          400: { $ref: '#/components/responses/Error' },
          403: { description: 'the signature does not match (nothing stored)' },
          404: { $ref: '#/components/responses/Error' },
          413: { $ref: '#/components/responses/Error' },
          415: { $ref: '#/components/responses/Error' },
        },
      },
    },
    '/webhooks/line/{accountId}/media/{attachmentId}': {
      get: {
        summary: 'An attachment of a reply, for LINE to fetch (signed, expiring link made when the message is sent)',
        tags: ['line'],
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

  mount(router: Router, s: Services): void {
    const readRaw = express.raw({ type: 'application/json', limit: BODY_LIMIT });
    router.post('/line/:accountId', readRaw, async (req, res, next) => {
      try {
        if (!Buffer.isBuffer(req.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'LINE webhooks are sent as application/json');
        const found = await s.webhookAccount(String(req.params.accountId), 'line');
        if (!found) throw new AppError('NOT_FOUND', 'no such webhook');
        const credentials = LineCredentials.safeParse(found.credentials);
        const secret = credentials.success ? credentials.data.channelSecret : '';
        if (!verifyLineSignature(secret, req.get('x-line-signature'), req.body)) {
          req.log?.warn({ accountId: found.account.id }, 'LINE webhook with a missing or wrong signature refused');
          throw new AppError('FORBIDDEN', 'the X-Line-Signature does not match this request');
        }
        let body: unknown;
        try {
          body = JSON.parse(req.body.toString('utf8'));
        } catch {
          throw new AppError('VALIDATION', 'LINE webhook: the body is not JSON');
        }
        try {
          await s.line.receive(found.account, credentials.data!, body);
        } catch (err) {
          // A genuine LINE request we cannot take: say why in the log, where the admin will look.
          if (err instanceof AppError && err.code === 'VALIDATION')
            req.log?.warn({ accountId: found.account.id, reason: err.message }, 'LINE webhook refused');
          throw err;
        }
        res.status(200).json({});
      } catch (err) {
        next(err);
      }
    });
    router.get('/line/:accountId/media/:attachmentId', async (req, res, next) => {
      try {
        const attachment = await s.publicMedia.open(req.params.accountId!, req.params.attachmentId!, req.query);
        sendAttachment(res, s.files, attachment, next);
      } catch (err) {
        next(err);
      }
    });
  },
};
