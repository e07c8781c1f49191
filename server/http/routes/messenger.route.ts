// Facebook Messenger: Meta's webhook subscription check (GET) and its event webhook (POST), signed with
// the app secret over the raw body; and the signed, expiring links Meta fetches our reply attachments from.
// The POST runs in a fixed order: raw body (size-capped, JSON only), the account the URL names, the
// X-Hub-Signature-256 check (constant time; missing or wrong: 403, nothing stored), parse and validate,
// store, answer 200; attachments and profile names are fetched after the answer.
import express, { type Request, type Router } from 'express';
import { MessengerCredentials } from '../../../channels/messenger/account.js';
import { verifyMessengerSignature, verifyMessengerToken } from '../../../channels/messenger/verify.js';
import { AppError } from '../../domain/errors.js';
import type { Services } from '../services.js';
import { sendAttachment } from './send-attachment.js';

const accountParam = { name: 'accountId', in: 'path', required: true, schema: { type: 'string' } };
const error = { $ref: '#/components/responses/Error' };

export const messengerRoutes = {
  openApi: {
    '/webhooks/messenger/{accountId}': {
      get: {
        summary: "Meta: the webhook subscription check; answers hub.challenge when hub.verify_token is the account's verify token",
        tags: ['messenger'],
        parameters: [
          accountParam,
          { name: 'hub.mode', in: 'query', required: true, schema: { type: 'string', enum: ['subscribe'] } },
          { name: 'hub.verify_token', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'hub.challenge', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'the challenge, as text' }, 403: { description: 'not the verify token' }, 404: error },
      },
      post: {
        summary:
          'Meta: Messenger events of the page (messages, postbacks, echoes ignored, delivery and read receipts); signed with X-Hub-Signature-256; stored once per mid',
        tags: ['messenger'],
        parameters: [accountParam, { name: 'X-Hub-Signature-256', in: 'header', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: {
          200: { description: 'stored (attachments and names are fetched afterwards)' },
          400: error,
          403: { description: 'the signature does not match (nothing stored)' },
          404: error,
          413: error,
          415: error,
        },
      },
    },
    '/webhooks/messenger/{accountId}/media/{attachmentId}': {
      get: {
        summary: 'An attachment of a reply, for Meta to fetch (signed, expiring link made when the reply is sent)',
        tags: ['messenger'],
        parameters: [
          accountParam,
          { name: 'attachmentId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'expires', in: 'query', required: true, schema: { type: 'integer' } },
          { name: 'signature', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'the file' }, 404: error },
      },
    },
  },

  mount(router: Router, s: Services, options: { bodyLimit?: string } = {}): void {
    // The raw bytes are what Meta signed: no JSON parser may touch them first, and only here.
    const readRaw = express.raw({ type: 'application/json', limit: options.bodyLimit ?? '1mb' });
    const credentialsOf = async (req: Request) => {
      const found = await s.webhookAccount(String(req.params.accountId), 'messenger');
      if (!found) throw new AppError('NOT_FOUND', 'no such webhook');
      const credentials = MessengerCredentials.safeParse(found.credentials);
      if (!credentials.success) throw new AppError('FORBIDDEN', 'this Messenger account has no app secret and verify token yet');
      return { account: found.account, credentials: credentials.data };
    };

    router.get('/messenger/:accountId', async (req, res, next) => {
      try {
        const query = new URL(req.originalUrl, 'http://omnidesk.invalid').searchParams;
        const { credentials } = await credentialsOf(req);
        const challenge = query.get('hub.challenge') ?? '';
        const genuine = verifyMessengerToken(credentials.verifyToken, query.get('hub.verify_token'));
        if (query.get('hub.mode') !== 'subscribe' || !genuine || !/^[\x21-\x7e]{1,200}$/.test(challenge)) {
          throw new AppError('FORBIDDEN', 'hub.verify_token is not the verify token of this account');
        }
        res.status(200).type('text/plain').set('x-content-type-options', 'nosniff').send(challenge);
      } catch (err) {
        next(err);
      }
    });

    router.post('/messenger/:accountId', readRaw, async (req, res, next) => {
      try {
        if (!Buffer.isBuffer(req.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Meta sends webhooks as application/json');
        const raw = req.body;
        const { account, credentials } = await credentialsOf(req);
        if (!verifyMessengerSignature(credentials.appSecret, req.get('x-hub-signature-256'), raw)) {
          req.log?.warn({ accountId: account.id }, 'Messenger webhook with a missing or wrong signature refused');
          throw new AppError('FORBIDDEN', 'the X-Hub-Signature-256 does not match this body and the app secret');
        }
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new AppError('VALIDATION', 'the request body is not valid JSON');
        }
        try {
          await s.messenger.receive(account, credentials, body);
        } catch (err) {
          // A genuine Meta request we cannot take: say why in the log, where the admin will look.
          if (err instanceof AppError && err.code === 'VALIDATION')
            req.log?.warn({ accountId: account.id, reason: err.message }, 'Messenger webhook refused');
          throw err;
        }
        res.status(200).type('text/plain').send('EVENT_RECEIVED');
      } catch (err) {
        next(err);
      }
    });

    router.get('/messenger/:accountId/media/:attachmentId', async (req, res, next) => {
      try {
        const attachment = await s.publicMedia.open(req.params.accountId!, req.params.attachmentId!, req.query);
        sendAttachment(res, s.files, attachment, next);
      } catch (err) {
        next(err);
      }
    });
  },
};
