// The 24-hour messaging window (pure) and Meta's error codes as ChannelError codes.
import { describe, expect, test } from 'vitest';
import { MESSENGER_WINDOW_MS, messengerWindowEndsAt, messengerWindowRefusal } from '../server/domain/messenger-window.js';
import { GraphError, GraphUnreachable, messengerChannelError } from '../channels/messenger/graph-client.js';
import { verifyMessengerSignature, verifyMessengerToken, messengerSignature } from '../channels/messenger/verify.js';
import { isMessengerMediaUrl } from '../channels/messenger/media.js';

const T = Date.UTC(2025, 0, 15, 9, 30);
const H = 3_600_000;

describe('the 24-hour window', () => {
  test.each([
    ['just written', T, T, true],
    ['23 h 59 m later', T, T + 24 * H - 60_000, true],
    ['exactly 24 h later', T, T + 24 * H, false],
    ['25 h later', T, T + 25 * H, false],
    ['the customer never wrote', null, T, false],
  ])('%s', (_what, last, now, allowed) => {
    expect(messengerWindowRefusal(last, now) === null).toBe(allowed);
  });

  test('the refusal names the last message time and what to do', () => {
    expect(messengerWindowRefusal(T, T + 30 * H)).toBe(
      "Messenger allows replies only within 24 hours of the customer's last message (last: 2025-01-15 09:30 UTC); ask them to write again, or reply on another channel",
    );
    expect(messengerWindowEndsAt(T)).toBe(T + MESSENGER_WINDOW_MS);
    expect(messengerWindowEndsAt(null)).toBeNull();
  });
});

describe("Meta's errors", () => {
  test.each([
    [new GraphError(400, 4, undefined, 'Application request limit reached'), 'RATE_LIMITED'],
    [new GraphError(400, 17, undefined, 'User request limit reached'), 'RATE_LIMITED'],
    [new GraphError(400, 32, undefined, 'Page request limit reached'), 'RATE_LIMITED'],
    [new GraphError(400, 613, undefined, 'Calls to this api have exceeded the rate limit'), 'RATE_LIMITED'],
    [new GraphError(500, 1, undefined, 'An unknown error occurred'), 'TEMPORARY'],
    [new GraphError(503, 2, undefined, 'Service temporarily unavailable'), 'TEMPORARY'],
    [new GraphError(502, undefined, undefined, 'HTTP 502'), 'TEMPORARY'],
    [new GraphUnreachable('ECONNREFUSED'), 'TEMPORARY'],
    [new GraphError(400, 190, undefined, 'Error validating access token'), 'AUTH'],
    [new GraphError(400, 100, undefined, 'Invalid parameter'), 'INVALID_PAYLOAD'],
    [new GraphError(400, 551, undefined, "This person isn't available right now"), 'INVALID_PAYLOAD'],
    [new GraphError(400, 10, 2018278, 'This message is sent outside of allowed window.'), 'PERMANENT'],
    [new GraphError(400, 200, undefined, 'Permissions error'), 'PERMANENT'],
  ])('%s → %s', (err, code) => {
    expect(messengerChannelError(err).code).toBe(code);
  });

  test('the message keeps the code', () => {
    expect(messengerChannelError(new GraphError(400, 551, 1545041, "This person isn't available right now")).message).toBe(
      "Messenger 551: This person isn't available right now",
    );
  });
});

describe('webhook authenticity and media hosts', () => {
  const secret = 'a'.repeat(32);
  const body = Buffer.from('{"object":"page","entry":[{"id":"1","messaging":[]}],"t":"สวัสดี 🙏"}');
  test.each([
    ['the right signature', messengerSignature(secret, body), true],
    ['upper-case hex', messengerSignature(secret, body).toUpperCase().replace('SHA256=', 'sha256='), true],
    ['another secret', messengerSignature('b'.repeat(32), body), false],
    ['no header', undefined, false],
    ['a prefix only', 'sha256=', false],
  ])('%s', (_what, header, ok) => {
    expect(verifyMessengerSignature(secret, header, body)).toBe(ok);
  });
  test('no secret fails closed', () => {
    expect(verifyMessengerSignature('', messengerSignature('', body), body)).toBe(false);
    expect(verifyMessengerToken('', '')).toBe(false);
    expect(verifyMessengerToken('verify-token-1234', 'verify-token-1234')).toBe(true);
    expect(verifyMessengerToken('verify-token-1234', 'verify-token-123')).toBe(false);
  });
  test.each([
    ['https://scontent.xx.fbcdn.net/v/t1/p.jpg?oh=1', true],
    ['https://cdn.fbsbx.com/v/t59/file.pdf', true],
    ['https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1', true],
    ['http://scontent.xx.fbcdn.net/p.jpg', false],
    ['https://scontent.xx.fbcdn.net:8443/p.jpg', false],
    ['https://fbcdn.net.evil.example/p.jpg', false],
    ['https://evilfbcdn.net/p.jpg', false],
    ['https://user:pw@scontent.xx.fbcdn.net/p.jpg', false],
    ['http://127.0.0.1:9/p.jpg', false],
  ])('%s', (url, ok) => {
    expect(isMessengerMediaUrl(new URL(url), {})).toBe(ok);
  });
});

describe('the adapter, as the last guard', () => {
  test('outside the window it refuses without calling Meta', async () => {
    const { createMessengerChannel } = await import('../channels/messenger/messenger.channel.js');
    const adapter = createMessengerChannel({ now: () => T + 25 * H });
    const ctx = {
      account: {
        id: 'a',
        kind: 'messenger',
        name: 'page',
        settings: { pageId: '123456789', graphBaseUrl: 'http://127.0.0.1:9/v21.0' },
        active: true,
        queueId: null,
        createdAt: T,
        updatedAt: T,
      },
      credentials: { appSecret: 'a'.repeat(32), pageAccessToken: 'EAAG'.padEnd(40, 'x'), verifyToken: 'verify-token-1234' },
      conversation: { lastCustomerMessageAt: T },
      message: { parts: [{ type: 'text', text: 'hi' }] },
      recipients: [{ kind: 'messenger', scope: '123456789', value: '42' }],
      attachments: [],
    } as unknown as Parameters<typeof adapter.send>[0];
    await expect(adapter.send(ctx)).rejects.toMatchObject({ code: 'PERMANENT', message: expect.stringMatching(/only within 24 hours/) });
  });
});
