// The pure parts of Slack for agents: the request signature (Bolt's check, wrapped to fail closed),
// reading Events API bodies, text both ways between mrkdwn and plain text, and Web API failures as
// coded errors the post worker acts on.
import { describe, expect, test } from 'vitest';
import { createHmac } from 'node:crypto';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { verifySlackSignature } from '../channels/slack/verify.js';
import { parseSlackEvent } from '../channels/slack/events.js';
import { escapeMrkdwn, mrkdwnToPlain } from '../channels/slack/format.js';
import { messagePost, queueAlertPost } from '../channels/slack/posts.js';
import { slackChannelError } from '../channels/slack/client.js';
import { SlackCredentials, SlackSettings } from '../channels/slack/account.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'.replace(/[yz]/g, 'e');
const NOW = 1_765_000_000_000;
const sign = (ts: number, raw: Buffer, secret = SECRET) =>
  `v0=${createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`v0:${ts}:`), raw]))
    .digest('hex')}`;

describe('the Slack request signature', () => {
  const raw = Buffer.from(JSON.stringify({ type: 'event_callback', event: { text: 'สวัสดีค่ะ 🙏' } }), 'utf8');
  const ts = Math.floor(NOW / 1000);

  test('a request signed over its exact bytes, Thai and emoji included, passes', () => {
    expect(verifySlackSignature(SECRET, { signature: sign(ts, raw), timestamp: String(ts) }, raw, NOW)).toBe(true);
  });

  test.each([
    ['a changed byte', () => ({ body: Buffer.from(raw.toString().replace('🙏', '🙂')) })],
    ['another secret', () => ({ signature: sign(ts, raw, 'f'.repeat(32)) })],
    ['no signature', () => ({ signature: undefined })],
    ['no timestamp', () => ({ timestamp: undefined })],
    ['a timestamp not a number', () => ({ timestamp: '12a' })],
    ['a signature of another version', () => ({ signature: sign(ts, raw).replace('v0=', 'v1=') })],
    ['a stale timestamp (6 minutes old)', () => ({ timestamp: String(ts - 360), signature: sign(ts - 360, raw) })],
    ['a timestamp from the future (6 minutes ahead)', () => ({ timestamp: String(ts + 360), signature: sign(ts + 360, raw) })],
    ['a body that is not bytes', () => ({ body: raw.toString() as unknown as Buffer })],
    ['a body that is not UTF-8', () => ({ body: Buffer.from([0xff, 0xfe, 0x41]), signature: sign(ts, Buffer.from([0xff, 0xfe, 0x41])) })],
    ['no secret configured', () => ({ secret: '' })],
  ])('%s: refused', (_what, change) => {
    const c: { body?: Buffer; signature?: string; timestamp?: string; secret?: string } = {
      body: raw,
      signature: sign(ts, raw),
      timestamp: String(ts),
      secret: SECRET,
      ...change(),
    };
    expect(verifySlackSignature(c.secret!, { signature: c.signature, timestamp: c.timestamp }, c.body, NOW)).toBe(false);
  });

  test('a body starting with a byte-order mark is checked over its bytes, mark included', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), raw]);
    expect(verifySlackSignature(SECRET, { signature: sign(ts, withBom), timestamp: String(ts) }, withBom, NOW)).toBe(true);
    expect(verifySlackSignature(SECRET, { signature: sign(ts, raw), timestamp: String(ts) }, withBom, NOW)).toBe(false);
  });
});

describe('Events API bodies', () => {
  const callback = (event: Record<string, unknown>) => ({
    type: 'event_callback',
    team_id: 'T0001',
    event_id: 'Ev0001',
    event_time: 1,
    event: { type: 'message', channel: 'C0123ABCD', user: 'U0001', ts: '1765000001.000200', ...event },
  });

  test('the URL check gives its challenge', () => {
    expect(parseSlackEvent({ type: 'url_verification', token: 'x', challenge: 'abc123' })).toEqual({
      kind: 'challenge',
      challenge: 'abc123',
    });
  });

  test('an agent writing in a thread is a thread reply; with files it says so', () => {
    expect(parseSlackEvent(callback({ text: 'ok', thread_ts: '1765000000.000100' }))).toEqual({
      kind: 'thread_reply',
      eventId: 'Ev0001',
      channel: 'C0123ABCD',
      threadTs: '1765000000.000100',
      ts: '1765000001.000200',
      user: 'U0001',
      text: 'ok',
      hasFiles: false,
    });
    expect(parseSlackEvent(callback({ subtype: 'file_share', text: '', thread_ts: '1765000000.000100', files: [{}] }))).toMatchObject({
      kind: 'thread_reply',
      hasFiles: true,
    });
  });

  test.each([
    ['a top-level message', {}],
    ['the thread parent itself', { thread_ts: '1765000001.000200' }],
    ['a bot (our own posts)', { thread_ts: '1765000000.000100', bot_id: 'B1' }],
    ['an edit', { thread_ts: '1765000000.000100', subtype: 'message_changed' }],
    ['a join', { subtype: 'channel_join' }],
  ])('%s is ignored', (_what, event) => {
    expect(parseSlackEvent(callback(event)).kind).toBe('ignored');
  });

  test('other events and envelopes are ignored; a body Slack never sends is refused', () => {
    expect(parseSlackEvent({ ...callback({}), event: { type: 'reaction_added' } }).kind).toBe('ignored');
    expect(parseSlackEvent({ type: 'app_rate_limited', minute_rate_limited: 1 }).kind).toBe('ignored');
    expect(() => parseSlackEvent({ hello: 1 })).toThrow();
    expect(() => parseSlackEvent(callback({ ts: 'not a ts', thread_ts: '1.1' }))).toThrow();
    expect(() => parseSlackEvent({ type: 'url_verification' })).toThrow();
  });
});

describe('text between Slack and the desk', () => {
  test.each([
    ['plain Thai', 'สวัสดีค่ะ 🙏', 'สวัสดีค่ะ 🙏'],
    ['entities', 'a &lt; b &amp;&amp; c &gt; d', 'a < b && c > d'],
    ['a labelled link', 'see <https://shop.example/track?id=1|tracking>', 'see tracking (https://shop.example/track?id=1)'],
    ['a bare link', 'see <https://shop.example/x>', 'see https://shop.example/x'],
    ['a link labelled with itself', '<https://a.example|https://a.example>', 'https://a.example'],
    ['a mail link', '<mailto:help@shop.example|help@shop.example>', 'help@shop.example'],
    ['a channel', 'ask <#C0123ABCD|orders>', 'ask #orders'],
    ['a mention', 'thanks <@U0001>', 'thanks @U0001'],
    ['a special mention', '<!here> look', '@here look'],
  ])('%s', (_what, mrkdwn, plain) => {
    expect(mrkdwnToPlain(mrkdwn)).toBe(plain);
  });

  test('customer text is escaped: it shows as written and pings nobody', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil.example|bank>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil.example|bank&gt;');
    const post = messagePost({ author: 'สมชาย <!here>', from: 'customer', text: 'line 1\n<!channel>', files: ['ใบเสร็จ.pdf'] });
    expect(post).toBe('*สมชาย &lt;!here&gt;*\n> line 1\n> &lt;!channel&gt;\n:paperclip: ใบเสร็จ.pdf');
    expect(mrkdwnToPlain(escapeMrkdwn('a < b & <c>'))).toBe('a < b & <c>');
  });

  test('a queue alert gives the figures', () => {
    expect(
      queueAlertPost({
        queueName: 'Orders',
        condition: 'longest_wait',
        waiting: 3,
        longestWaitSeconds: 312,
        serviceLevel: 0.8,
        serviceLevelTarget: 0.9,
        threshold: 300,
      }),
    ).toBe(':warning: Queue *Orders*: a customer has waited 5:12 (alert at 5:00). 3 waiting, longest 5:12, service level 80%.');
  });
});

describe('Web API failures as coded errors', () => {
  const platform = (error: string) => Object.assign(new WebAPIPlatformError({ ok: false, error }), {});
  test.each([
    ['a 429', new WebAPIRateLimitedError(7), 'RATE_LIMITED', true],
    ['a 503', new WebAPIHTTPError(503, 'Service Unavailable', {}), 'TEMPORARY', true],
    ['a 400', new WebAPIHTTPError(400, 'Bad Request', {}), 'PERMANENT', false],
    ['no connection', new WebAPIRequestError(new Error('ECONNREFUSED')), 'TEMPORARY', true],
    ['internal_error', platform('internal_error'), 'TEMPORARY', true],
    ['invalid_auth', platform('invalid_auth'), 'AUTH', false],
    ['channel_not_found', platform('channel_not_found'), 'PERMANENT', false],
    ['msg_too_long', platform('msg_too_long'), 'INVALID_PAYLOAD', false],
  ])('%s', (_what, err, code, retryable) => {
    const coded = slackChannelError(err);
    expect(coded.code).toBe(code);
    expect(coded.retryable).toBe(retryable);
  });

  test('a rate limit waits as long as Slack asks', () => {
    expect(slackChannelError(new WebAPIRateLimitedError(7)).retryAfterMs).toBe(7_000);
  });
});

describe('account settings', () => {
  test('ids, tokens and secrets in the shapes Slack gives them; clear words otherwise', () => {
    expect(SlackSettings.parse({ channelId: 'C0123ABCD', apiBaseUrl: 'http://127.0.0.1:9/api' })).toMatchObject({
      queueIds: [],
      apiBaseUrl: 'http://127.0.0.1:9/api/',
      alerts: { serviceLevelBelowTarget: false },
    });
    expect(() => SlackSettings.parse({ channelId: '#support' })).toThrow(/C0123ABCD/);
    expect(() => SlackCredentials.parse({ botToken: 'xoxp-123', signingSecret: SECRET })).toThrow(/xoxb-/);
    expect(() => SlackCredentials.parse({ botToken: 'xoxb-1234567890-abc', signingSecret: 'short' })).toThrow(/32 hex/);
  });
});
