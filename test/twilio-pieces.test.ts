// The pure parts of the Twilio channels, table-tested: signature checks (fail closed), URL rewriting
// for apiBaseUrl, the media host allow-list, Twilio's errors as ChannelError codes, the SMS webhook
// and status parsers, keywords, the delivery-state rule and the opt-out rule. Then the SMS adapter's
// last guard, against the local fake of Twilio: an opted-out customer gets nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import twilio from 'twilio';
import { verifyTwilioSignature } from '../channels/twilio/verify.js';
import { retryAfterMs, rewriteTwilioUrl, twilioChannelError, twilioClient } from '../channels/twilio/client.js';
import { fetchTwilioMedia, twilioMediaHost } from '../channels/twilio/media.js';
import { parseIncomingSms, parseSmsStatus } from '../channels/sms/inbound.js';
import { smsKeyword } from '../channels/sms/keywords.js';
import { createSmsChannel } from '../channels/sms/sms.channel.js';
import type { OutboundContext } from '../channels/types.js';
import { advancesDelivery } from '../server/domain/delivery.js';
import { optOutRefusal } from '../server/domain/consent.js';
import type { Consent } from '../server/domain/customer-merge.js';
import type { MessageStatus } from '../server/domain/types.js';
import { FakeTwilio, startRecorder } from './support/fake-twilio.js';

const TOKEN = '0123456789abcdef0123456789abcdef';
const URL_SIGNED = 'https://desk.example.test/webhooks/sms/abc?x=1';
const PARAMS = { Body: 'สวัสดี 👋', From: '+66812345678', MessageSid: 'SM' + 'a'.repeat(32) };
const SIGNATURE = twilio.getExpectedTwilioSignature(TOKEN, URL_SIGNED, PARAMS);
const SID = 'AC' + '0'.repeat(32);

describe('verifyTwilioSignature', () => {
  test.each([
    ['the genuine signature', TOKEN, SIGNATURE, URL_SIGNED, PARAMS, true],
    ['the URL with its default port', TOKEN, SIGNATURE, 'https://desk.example.test:443/webhooks/sms/abc?x=1', PARAMS, true],
    ['no header', TOKEN, undefined, URL_SIGNED, PARAMS, false],
    ['an empty header', TOKEN, '', URL_SIGNED, PARAMS, false],
    ['another token', 'f'.repeat(32), SIGNATURE, URL_SIGNED, PARAMS, false],
    ['http instead of https', TOKEN, SIGNATURE, URL_SIGNED.replace('https:', 'http:'), PARAMS, false],
    ['another query', TOKEN, SIGNATURE, URL_SIGNED.replace('x=1', 'x=2'), PARAMS, false],
    ['a changed parameter', TOKEN, SIGNATURE, URL_SIGNED, { ...PARAMS, Body: 'สวัสดี' }, false],
    ['an added parameter', TOKEN, SIGNATURE, URL_SIGNED, { ...PARAMS, NumMedia: '1' }, false],
    ['a truncated signature', TOKEN, SIGNATURE.slice(0, 10), URL_SIGNED, PARAMS, false],
    ['an unparseable URL', TOKEN, SIGNATURE, 'not a url', PARAMS, false],
  ])('%s', (_what, token, header, url, params, valid) => {
    expect(verifyTwilioSignature(token, header, url, params)).toBe(valid);
  });

  test('an empty auth token fails even with a signature made with the empty key', () => {
    const forged = twilio.getExpectedTwilioSignature('', URL_SIGNED, PARAMS);
    expect(verifyTwilioSignature('', forged, URL_SIGNED, PARAMS)).toBe(false);
  });
});

describe('rewriteTwilioUrl', () => {
  test.each([
    ['https://api.twilio.com/2010-04-01/Accounts/AC1.json', undefined, 'https://api.twilio.com/2010-04-01/Accounts/AC1.json'],
    ['https://api.twilio.com/2010-04-01/Accounts/AC1.json', 'http://127.0.0.1:9', 'http://127.0.0.1:9/2010-04-01/Accounts/AC1.json'],
    [
      'https://api.sydney.au1.twilio.com/2010-04-01/x?a=b',
      'https://egress.internal/twilio/',
      'https://egress.internal/twilio/2010-04-01/x?a=b',
    ],
    ['https://messaging.twilio.com/v1/Services', 'http://127.0.0.1:9', 'http://127.0.0.1:9/v1/Services'],
    ['https://evil.example/2010-04-01/x', 'http://127.0.0.1:9', 'https://evil.example/2010-04-01/x'],
    ['https://twilio.com.evil.example/x', 'http://127.0.0.1:9', 'https://twilio.com.evil.example/x'],
    ['http://api.twilio.com/x', 'http://127.0.0.1:9', 'http://api.twilio.com/x'],
  ])('%s with base %s', (uri, base, expected) => {
    expect(rewriteTwilioUrl(uri, base)).toBe(expected);
  });
});

describe('twilioMediaHost', () => {
  const none = {};
  const local = { apiBaseUrl: 'http://127.0.0.1:4000' };
  test.each([
    ['https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', none, false, 'api'],
    ['https://api.dublin.ie1.twilio.com/2010-04-01/x', none, false, 'api'],
    ['https://mms.twiliocdn.com/AC1/abc?Expires=1', none, false, 'cdn'],
    ['https://media.twiliocdn.com/AC1/abc', none, false, 'cdn'],
    ['https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/abc', none, true, 'cdn'],
    ['https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/abc', none, false, null],
    ['https://s3-external-1.amazonaws.com/someone-else/abc', none, true, null],
    ['http://api.twilio.com/x', none, false, null],
    ['https://api.twilio.com:8443/x', none, false, null],
    ['https://user:pw@api.twilio.com/x', none, false, null],
    ['https://twiliocdn.com.evil.example/x', none, false, null],
    ['https://evil-twilio.com/x', none, false, null],
    ['https://www.twilio.com/x', none, false, null],
    ['http://127.0.0.1:4000/media/1', local, false, 'api'],
    ['http://127.0.0.1:4001/media/1', local, false, null],
    ['http://169.254.169.254/latest/meta-data', none, false, null],
  ] as const)('%s', (url, settings, redirected, kind) => {
    expect(twilioMediaHost(new URL(url), settings, redirected)).toBe(kind);
  });
});

describe('twilioChannelError', () => {
  const rest = (statusCode: number, body: Record<string, unknown> = {}) => new twilio.RestException({ statusCode, body });
  test.each([
    [rest(429, { code: 20429, message: 'Too Many Requests' }), 'RATE_LIMITED', 'Twilio 20429: Too Many Requests'],
    [rest(500, { code: 20500, message: 'Internal Server Error' }), 'TEMPORARY', 'Twilio 20500: Internal Server Error'],
    [rest(503), 'TEMPORARY', 'Twilio HTTP 503'],
    [rest(401, { code: 20003, message: 'Authenticate' }), 'AUTH', 'Twilio 20003: Authenticate'],
    [rest(400, { code: 21211, message: "Invalid 'To' Phone Number" }), 'INVALID_PAYLOAD', "Twilio 21211: Invalid 'To' Phone Number"],
    [rest(400, { code: 21614, message: "'To' number is not a valid mobile number" }), 'INVALID_PAYLOAD', 'Twilio 21614'],
    [
      rest(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient' }),
      'PERMANENT',
      'Twilio 21610: the recipient replied STOP',
    ],
    [rest(400, { code: 21408, message: 'Permission to send an SMS has not been enabled for the region' }), 'PERMANENT', 'Twilio 21408'],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'TEMPORARY',
      'could not reach Twilio: ECONNREFUSED',
    ],
  ])('%#: %s', (err, code, message) => {
    const mapped = twilioChannelError(err);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain(message);
  });

  test.each([
    ['2', 2000],
    ['0', undefined],
    ['junk', undefined],
    [new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), 30_000],
    ['999999', 3_600_000],
  ])('Retry-After %s', (header, ms) => {
    expect(retryAfterMs(header, Date.UTC(2030, 0, 1))).toBe(ms);
  });
});

describe('SMS webhooks', () => {
  const base = { MessageSid: 'SM' + 'b'.repeat(32), AccountSid: SID, From: '+66812345678', To: '+6621234567', Body: 'hi' };
  test('an SMS: the sender in E.164, the text, no media', () => {
    expect(parseIncomingSms({ ...base, Body: 'สวัสดีค่ะ 🙏' }, SID)).toEqual({
      ok: true,
      value: { messageSid: base.MessageSid, from: '+66812345678', to: '+6621234567', body: 'สวัสดีค่ะ 🙏', media: [], keyword: null },
    });
  });
  test('an MMS lists its media', () => {
    const parsed = parseIncomingSms(
      { ...base, NumMedia: '2', MediaUrl0: 'https://a', MediaContentType0: 'image/jpeg', MediaUrl1: 'https://b' },
      SID,
    );
    expect(parsed.ok && parsed.value.media).toEqual([
      { url: 'https://a', declaredType: 'image/jpeg' },
      { url: 'https://b', declaredType: 'application/octet-stream' },
    ]);
  });
  test.each([
    [{ ...base, AccountSid: 'AC' + '1'.repeat(32) }, /AccountSid/],
    [{ ...base, From: 'VERIFY' }, /From: not a valid phone number/],
    [{ ...base, MessageSid: 'nope' }, /MessageSid/],
    [{ ...base, NumMedia: '1' }, /MediaUrl0: missing/],
    [{ ...base, NumMedia: '11' }, /NumMedia/],
  ])('refused: %o', (params, reason) => {
    const parsed = parseIncomingSms(params as Record<string, string>, SID);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });

  test.each([
    ['STOP', 'STOP', 'opt_out'],
    [' stop. ', 'STOP', 'opt_out'],
    ['Unsubscribe', 'UNSUBSCRIBE', 'opt_out'],
    ['cancel', 'CANCEL', 'opt_out'],
    ['END', 'END', 'opt_out'],
    ['quit!', 'QUIT', 'opt_out'],
    ['stopall', 'STOPALL', 'opt_out'],
    ['Start', 'START', 'opt_in'],
    ['yes', 'YES', 'opt_in'],
    ['UNSTOP', 'UNSTOP', 'opt_in'],
    ['help', 'HELP', 'help'],
    ['Info?', 'INFO', 'help'],
  ])('keyword %j', (body, word, action) => {
    expect(smsKeyword(body)).toEqual({ word, action });
  });
  test.each(['stop sending me this', 'please stop', 'หยุด', '', 'constructor', 'STOP STOP'])('not a keyword: %j', (body) => {
    expect(smsKeyword(body)).toBeNull();
  });

  test.each([
    [{ MessageStatus: 'queued' }, null, null, null],
    [{ MessageStatus: 'sending' }, null, null, null],
    [{ MessageStatus: 'sent' }, 'sent', null, null],
    [{ MessageStatus: 'delivered' }, 'delivered', null, null],
    [{ MessageStatus: 'read' }, 'read', null, null],
    [
      { MessageStatus: 'undelivered', ErrorCode: '30003' },
      'failed',
      'UNDELIVERED',
      'Twilio 30003: unreachable destination handset (off, or out of coverage)',
    ],
    [{ MessageStatus: 'failed', ErrorCode: '30008', ErrorMessage: 'Unknown error' }, 'failed', 'FAILED', 'Twilio 30008: Unknown error'],
    [{ MessageStatus: 'failed' }, 'failed', 'FAILED', 'Twilio: the message was failed'],
  ])('status %o', (report, status, errorCode, errorMessage) => {
    const parsed = parseSmsStatus({ MessageSid: base.MessageSid, ...report });
    expect(parsed).toEqual({ ok: true, value: { messageSid: base.MessageSid, status, errorCode, errorMessage } });
  });
});

describe('delivery and consent rules', () => {
  test.each([
    ['queued', 'sent', true],
    ['sent', 'delivered', true],
    ['sent', 'failed', true],
    ['delivered', 'sent', false],
    ['delivered', 'failed', false],
    ['delivered', 'delivered', false],
    ['delivered', 'read', true],
    ['failed', 'sent', false],
    ['sent', 'received', false],
  ] as [MessageStatus, MessageStatus, boolean][])('%s then %s', (current, incoming, moves) => {
    expect(advancesDelivery(current, incoming)).toBe(moves);
  });

  const consent = (over: Partial<Consent>): Consent => ({
    id: 'c',
    customerId: 'u',
    channel: 'sms',
    status: 'opted_out',
    source: 'sms keyword STOP',
    recordedBy: null,
    createdAt: 0,
    updatedAt: Date.UTC(2025, 0, 6, 2, 30),
    ...over,
  });
  test.each([
    [
      'sms',
      consent({}),
      'the customer opted out of SMS (replied STOP on 2025-01-06 02:30 UTC); nothing can be sent to them until they opt in again',
    ],
    [
      'sms',
      consent({ source: 'told the agent on the phone' }),
      'the customer opted out of SMS (told the agent on the phone, 2025-01-06 02:30 UTC); nothing can be sent to them until they opt in again',
    ],
    ['sms', consent({ status: 'opted_in' }), null],
    ['sms', undefined, null],
    ['email', consent({ channel: 'email' }), null],
  ] as const)('%s %o', (kind, c, refusal) => {
    expect(optOutRefusal(kind, c)).toBe(refusal);
  });
});

describe('the SMS adapter and media fetching against the fake Twilio', () => {
  let fake: FakeTwilio;
  let other: Awaited<ReturnType<typeof startRecorder>>;
  let account: { accountSid: string; authToken: string };
  beforeAll(async () => {
    [fake, other] = await Promise.all([FakeTwilio.start(), startRecorder()]);
    account = fake.account();
  });
  afterAll(async () => {
    await Promise.all([fake.close(), other.close()]);
  });

  const context = (over: Partial<OutboundContext>): OutboundContext => ({
    account: {
      id: 'acc',
      kind: 'sms',
      name: 'SMS',
      settings: { accountSid: account.accountSid, phoneNumber: '+6621234567', apiBaseUrl: fake.url },
      active: true,
      queueId: null,
      createdAt: 0,
      updatedAt: 0,
    },
    credentials: { authToken: account.authToken },
    conversation: { id: 'conv', customerId: 'cust' } as OutboundContext['conversation'],
    message: { id: 'm', text: 'hello', parts: [{ type: 'text', text: 'hello' }], meta: null } as unknown as OutboundContext['message'],
    recipients: [{ id: 'i', customerId: 'cust', kind: 'phone', scope: '', value: '+66812345678', createdAt: 0 }],
    attachments: [],
    ...over,
  });

  test('the last guard: nothing is sent to an opted-out customer, but the answer to their keyword', async () => {
    const adapter = createSmsChannel({ publicUrl: undefined });
    const optedOut: Consent = {
      id: 'c',
      customerId: 'cust',
      channel: 'sms',
      status: 'opted_out',
      source: 'sms keyword STOP',
      recordedBy: null,
      createdAt: 0,
      updatedAt: 0,
    };
    const before = fake.sends().length;
    await expect(adapter.send(context({ consent: optedOut }))).rejects.toMatchObject({
      code: 'PERMANENT',
      message: expect.stringContaining('opted out of SMS (replied STOP'),
    });
    expect(fake.sends().length).toBe(before);
    const confirmation = context({
      consent: optedOut,
      message: {
        id: 'm2',
        text: 'unsubscribed',
        parts: [{ type: 'text', text: 'unsubscribed' }],
        meta: { sms: { keywordReply: 'opt_out' } },
      } as unknown as OutboundContext['message'],
    });
    await expect(adapter.send(confirmation)).resolves.toMatchObject({ status: 'sent', providerMessageId: expect.stringMatching(/^SM/) });
    // Without PUBLIC_URL no status callback is asked for.
    expect(fake.sends().at(-1)!.form).toEqual({ From: '+6621234567', To: '+66812345678', Body: 'unsubscribed' });
  });

  test('a 429 carries Twilio’s Retry-After', async () => {
    fake.failNext(1, 429, {}, { 'retry-after': '7' });
    const adapter = createSmsChannel({ publicUrl: undefined });
    await expect(adapter.send(context({}))).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 7000 });
  });

  test('media: the account’s credentials go to Twilio only; a redirect off Twilio’s hosts is refused; the size is capped', async () => {
    const settings = { accountSid: account.accountSid, phoneNumber: '+6621234567', apiBaseUrl: fake.url };
    const path = `/2010-04-01/Accounts/${account.accountSid}/Messages/MM1/Media/ME1`;
    fake.serveMedia(path, Buffer.alloc(2048, 1), 'image/jpeg');
    const ok = await fetchTwilioMedia(settings, account, `https://api.twilio.com${path}`, { maxBytes: 4096 });
    expect(ok).toMatchObject({ ok: true, contentType: 'image/jpeg' });
    expect(await fetchTwilioMedia(settings, account, `https://api.twilio.com${path}`, { maxBytes: 1024 })).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
    fake.redirectMedia('/2010-04-01/away', `${other.url}/x`);
    expect(await fetchTwilioMedia(settings, account, `https://api.twilio.com/2010-04-01/away`, { maxBytes: 4096 })).toMatchObject({
      ok: false,
      reason: 'refused',
    });
    expect(await fetchTwilioMedia(settings, account, `${other.url}/y`, { maxBytes: 4096 })).toMatchObject({ ok: false, reason: 'refused' });
    expect(other.hits).toEqual([]);
    const wrong = await fetchTwilioMedia(settings, { authToken: 'f'.repeat(32) }, `https://api.twilio.com${path}`, { maxBytes: 4096 });
    expect(wrong).toMatchObject({ ok: false, reason: 'failed', temporary: false });
  });

  test('the client sends Twilio’s hosts to apiBaseUrl through the SDK’s own request client', async () => {
    const client = twilioClient({ accountSid: account.accountSid, phoneNumber: '+6621234567', apiBaseUrl: fake.url }, account);
    const fetched = await client.api.v2010.accounts(account.accountSid).fetch();
    expect(fetched.status).toBe('active');
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: `/2010-04-01/Accounts/${account.accountSid}.json`,
      user: account.accountSid,
    });
  });
});
