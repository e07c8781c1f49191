// What the channel tests send a real server: a provider's webhook (each test signs it the provider's
// way; Twilio's form posts are signed here with the twilio package's own getExpectedTwilioSignature),
// the message an inbound webhook becomes, a channel account an admin creates, and an agent's reply
// from the console.
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { expect } from 'vitest';
import type { Message } from '../../server/domain/types.js';
import type { RunningServer } from '../../server/server.js';
import { nextDomainEvent, type Api, type ApiResponse } from './harness.js';

/** POSTs `body` to `url` as given; a header whose value is null is left out (an unsigned request). */
function postRaw(url: string, body: string | Buffer<ArrayBuffer>, headers: Record<string, string | null>): Promise<Response> {
  const sent = Object.fromEntries(Object.entries(headers).filter((h): h is [string, string] => h[1] !== null));
  return fetch(url, { method: 'POST', headers: sent, body });
}

/** Posts a webhook as a provider does (see `postRaw`): the answer's status and text. */
export async function postWebhook(
  url: string,
  body: string | Buffer<ArrayBuffer>,
  headers: Record<string, string | null>,
): Promise<{ status: number; text: string }> {
  const res = await postRaw(url, body, headers);
  return { status: res.status, text: await res.text() };
}

export interface TwilioPostOptions {
  /** The account's auth token, which signs the request. */
  authToken: string;
  /** PUBLIC_URL: the address Twilio calls, which it signs. */
  publicUrl: string;
  /** The URL signed; by default publicUrl + path. */
  signedUrl?: string;
  /** The X-Twilio-Signature sent instead of the right one; null sends none. */
  signature?: string | null;
  headers?: Record<string, string>;
}

/** Posts a form to `baseUrl` + `path` as Twilio does, signed for publicUrl + path unless the options say otherwise. */
export async function postTwilioForm(
  baseUrl: string,
  path: string,
  params: Record<string, string>,
  opts: TwilioPostOptions,
): Promise<{ status: number; type: string | null; text: string }> {
  const signature =
    opts.signature === undefined
      ? twilio.getExpectedTwilioSignature(opts.authToken, opts.signedUrl ?? `${opts.publicUrl}${path}`, params)
      : opts.signature;
  const res = await postRaw(`${baseUrl}${path}`, new URLSearchParams(params).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': signature,
    ...opts.headers,
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The form Twilio posts for an SMS from `from` to our number `to`, with a fresh MessageSid. */
export const inboundSms = (accountSid: string, to: string, from: string, body: string, extra: Record<string, string> = {}) => ({
  MessageSid: `SM${randomBytes(16).toString('hex')}`,
  AccountSid: accountSid,
  From: from,
  To: to,
  Body: body,
  NumMedia: '0',
  ...extra,
});

/** Resolves with the message stored under the provider's `providerMessageId` once `post` delivered it with a 200. */
export async function deliveredMessage(
  server: Pick<RunningServer, 'events'>,
  providerMessageId: string,
  post: () => Promise<{ status: number }>,
): Promise<Message> {
  const created = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === providerMessageId);
  const res = await post();
  expect(res.status).toBe(200);
  return (await created).message;
}

/** A channel account an admin creates (POST /channel-accounts, 201): its id. */
export async function createChannelAccount(api: Api, admin: string, account: Record<string, unknown>): Promise<string> {
  const created = await api.request('POST', '/api/v1/channel-accounts', { token: admin, body: account });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.account.id as string;
}

/** An agent's reply from the console, with attachments when given. */
export const replyFromConsole = (
  api: Api,
  token: string,
  conversationId: string,
  text: string,
  attachmentIds?: string[],
): Promise<ApiResponse> =>
  api.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
    token,
    body: { text, ...(attachmentIds && { attachmentIds }) },
  });
