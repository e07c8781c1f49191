// Every Twilio webhook (SMS, status callbacks, voice) goes through here, in a fixed order: read the
// form body (size-capped), find the channel account the URL names, rebuild the URL Twilio signed,
// check X-Twilio-Signature with the account's auth token, and only then hand the parameters to the
// route. A request that fails any step is answered (404, 403, 413, 415) with nothing stored.
import express, { type Request, type RequestHandler, type Response } from 'express';
import { verifyTwilioSignature, type TwilioParams } from '../../channels/twilio/verify.js';
import type { TwilioCredentials } from '../../channels/twilio/account.js';
import { AppError } from '../domain/errors.js';
import type { ChannelAccount, ChannelKind } from '../domain/types.js';
import type { FindWebhookAccount } from '../usecases/webhook-account.js';

export interface TwilioWebhookDeps {
  findAccount: FindWebhookAccount;
  /** PUBLIC_URL: the address Twilio calls (behind a TLS-terminating proxy the request's own address differs). */
  publicUrl: string | undefined;
}

export interface TwilioWebhookOptions {
  /** The channel kind the URL's :accountId must be. */
  kind: ChannelKind;
  /** Largest form body (express size syntax); Twilio's are a few KB. */
  bodyLimit?: string;
}

/** A verified Twilio request. */
export interface TwilioWebhook {
  account: ChannelAccount;
  credentials: TwilioCredentials;
  /** The form parameters (a POST) or query parameters (a GET); a repeated name keeps its first value. */
  params: Record<string, string>;
  /** The URL Twilio signed. */
  url: string;
}

export type TwilioWebhookHandler = (hook: TwilioWebhook, req: Request, res: Response) => Promise<void>;

/**
 * The URL Twilio called, as it signed it: PUBLIC_URL (when set) with the request's original path and
 * query; otherwise the request's own protocol and host (X-Forwarded-* count only from a trusted proxy,
 * see the app's `trust proxy`).
 */
export function signedUrlOf(req: Request, publicUrl: string | undefined): string {
  const base = publicUrl ?? `${req.protocol}://${req.get('host') ?? ''}`;
  return `${base}${req.originalUrl}`;
}

/** Answers Twilio with TwiML. */
export function sendTwiml(res: Response, twiml: string, status = 200): void {
  res.status(status).type('text/xml').send(twiml);
}

const firstValues = (params: TwilioParams): Record<string, string> =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? (v[0] ?? '') : v]));

/** An express handler for one Twilio webhook route (its path has `:accountId`); see the file comment for the order. */
export function twilioWebhook(deps: TwilioWebhookDeps, options: TwilioWebhookOptions, handle: TwilioWebhookHandler): RequestHandler {
  const readForm = express.urlencoded({ extended: false, limit: options.bodyLimit ?? '64kb', parameterLimit: 200 });
  return async (req, res, next) => {
    try {
      let params: TwilioParams = {};
      if (req.method === 'POST') {
        if (!req.is('application/x-www-form-urlencoded')) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Twilio webhooks are sent as application/x-www-form-urlencoded');
        }
        await new Promise<void>((resolve, reject) => readForm(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
        params = (req.body ?? {}) as TwilioParams;
      }
      // A GET (voice can be set to use one) is signed over its URL alone, query included.
      const found = await deps.findAccount(String(req.params.accountId), options.kind);
      if (!found) throw new AppError('NOT_FOUND', 'no such webhook');
      const authToken = typeof found.credentials.authToken === 'string' ? found.credentials.authToken : '';
      const url = signedUrlOf(req, deps.publicUrl);
      if (!verifyTwilioSignature(authToken, req.get('x-twilio-signature'), url, params)) {
        req.log?.warn({ accountId: found.account.id, url }, 'Twilio webhook with a missing or wrong signature refused');
        throw new AppError('FORBIDDEN', 'the X-Twilio-Signature does not match this request');
      }
      const given = req.method === 'POST' ? params : (req.query as TwilioParams);
      try {
        await handle({ account: found.account, credentials: { authToken }, params: firstValues(given), url }, req, res);
      } catch (err) {
        // A genuine Twilio request we cannot take: say why in the log, where the admin will look.
        if (err instanceof AppError && err.code === 'VALIDATION')
          req.log?.warn({ accountId: found.account.id, reason: err.message }, 'Twilio webhook refused');
        throw err;
      }
    } catch (err) {
      next(err);
    }
  };
}
