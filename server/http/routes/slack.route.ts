// Slack for agents: the Events API request URL of each Slack account (verified over its raw bytes
// here, before anything is read).
//
// The order is fixed: the raw body (JSON only, size-capped; 415, 413), the account the URL names (404),
// X-Slack-Signature over the timestamp and those exact bytes with the signing secret (403, constant
// time, stale or future timestamps refused, fail closed), JSON and the event's shape (400), then the
// reply is written (or refused, told to the agent in Slack) and 200 answers. Slack retries what gets
// no 200 within 3 seconds; a retry finds the event already handled.
import express, { type Router } from 'express';
import { SlackCredentials, SlackSettings } from '../../../channels/slack/account.js';
import { verifySlackSignature } from '../../../channels/slack/verify.js';
import { AppError } from '../../domain/errors.js';
import { validationError } from '../route-kit.js';
import type { Services } from '../services.js';
import { z } from 'zod';

const BODY_LIMIT = '1mb';

export const slackRoutes = {
  openApi: {
    '/webhooks/slack/{accountId}/events': {
      post: {
        summary:
          'Slack Events API: url_verification (answers the challenge) and message events; an agent’s message in a conversation’s thread is sent to the customer as that agent (Slack user matched by email); signed with X-Slack-Signature over the raw body; each event acted on once',
        tags: ['slack'],
        parameters: [
          { name: 'accountId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'X-Slack-Signature', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'X-Slack-Request-Timestamp', in: 'header', required: true, schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['type'] } } } },
        responses: {
          200: { description: 'handled (or a retry of what was handled); a url_verification gets {challenge}' },
          400: { $ref: '#/components/responses/Error' },
          403: { description: 'the signature does not match, or the timestamp is stale (nothing stored)' },
          404: { $ref: '#/components/responses/Error' },
          413: { $ref: '#/components/responses/Error' },
          415: { $ref: '#/components/responses/Error' },
          503: { description: 'Slack could not be asked who wrote the message; Slack retries' },
        },
      },
    },
  },

  mount(router: Router, s: Services): void {
    const readRaw = express.raw({ type: 'application/json', limit: BODY_LIMIT });
    router.post('/slack/:accountId/events', readRaw, async (req, res, next) => {
      try {
        if (!Buffer.isBuffer(req.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Slack events are sent as application/json');
        const found = await s.webhookAccount(String(req.params.accountId), 'slack');
        if (!found) throw new AppError('NOT_FOUND', 'no such webhook');
        const credentials = SlackCredentials.safeParse(found.credentials);
        const headers = { signature: req.get('x-slack-signature'), timestamp: req.get('x-slack-request-timestamp') };
        if (!verifySlackSignature(credentials.success ? credentials.data.signingSecret : '', headers, req.body, s.now())) {
          req.log?.warn({ accountId: found.account.id }, 'Slack request with a missing, wrong or stale signature refused');
          throw new AppError('FORBIDDEN', 'the X-Slack-Signature does not match this request (or its timestamp is stale)');
        }
        const settings = SlackSettings.safeParse(found.account.settings);
        if (!settings.success || !credentials.success)
          throw new AppError('CONFLICT', 'this Slack account’s settings are incomplete; save it again in Admin');
        let body: unknown;
        try {
          body = JSON.parse(req.body.toString('utf8'));
        } catch {
          throw new AppError('VALIDATION', 'Slack event: the body is not JSON');
        }
        let receipt;
        try {
          receipt = await s.slack.receive(found.account, settings.data, credentials.data, body);
        } catch (err) {
          if (err instanceof z.ZodError) {
            req.log?.warn({ accountId: found.account.id }, 'Slack event with an unexpected shape refused');
            throw validationError(err, 'body');
          }
          throw err;
        }
        if (receipt.outcome === 'challenge') {
          res.status(200).json({ challenge: receipt.challenge });
          return;
        }
        res.status(200).json({ ok: true, outcome: receipt.outcome });
      } catch (err) {
        next(err);
      }
    });
  },
};
