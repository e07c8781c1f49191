// A local stand-in for LINE's Messaging API and data API on port 0, answering the way LINE does for
// what Omnidesk uses: the bot's info (GET /v2/bot/info), reply (POST /v2/bot/message/reply: a reply
// token works once), push (POST /v2/bot/message/push: an X-Line-Retry-Key already accepted answers
// 409), a user's profile (GET /v2/bot/profile/:userId) and message content (GET
// /v2/bot/message/:id/content). Every call needs `Authorization: Bearer <token>` of a known token
// (else 401). It records every request: method, path, headers and JSON body. Failures can be queued:
// the next N sends (reply or push) answer 500, 429 or 400.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { FakeApi } from './fake-api.js';

export interface LineRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The bearer token, or null. */
  token: string | null;
  body: any;
}

interface Failure {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export class FakeLine extends FakeApi<LineRequest> {
  protected readonly provider = 'LINE';
  readonly tokens = new Set<string>();
  readonly profiles = new Map<string, { displayName: string; pictureUrl?: string; language?: string }>();
  readonly contents = new Map<string, { bytes: Buffer; contentType: string }>();
  /** Reply tokens LINE handed out in webhooks (valid until used). */
  readonly replyTokens = new Set<string>();
  private readonly usedReplyTokens = new Set<string>();
  private readonly acceptedRetryKeys = new Map<string, string>();
  private readonly failures: Failure[] = [];
  private lostAnswers = 0;
  /** Pushes LINE accepted (delivered to the user), by retry key or request. */
  readonly delivered: LineRequest[] = [];
  private seq = 0;

  static async start(): Promise<FakeLine> {
    const fake = new FakeLine();
    await fake.listen();
    return fake;
  }

  /** A new channel access token LINE accepts. */
  token(): string {
    const token = randomBytes(40).toString('base64url');
    this.tokens.add(token);
    return token;
  }

  /** A reply token, as a webhook would carry. */
  replyToken(): string {
    const token = randomBytes(16).toString('hex');
    this.replyTokens.add(token);
    return token;
  }

  /** The next `times` sends (reply or push) answer `status`. */
  failNext(times: number, status: number, message?: string, headers: Record<string, string> = {}): void {
    for (let i = 0; i < times; i++) {
      const said =
        message ??
        (status === 429
          ? 'The API rate limit has been exceeded.'
          : status >= 500
            ? 'Internal server error'
            : 'The request body has 1 error(s)');
      this.failures.push({
        status,
        headers,
        body:
          status === 400 && !message
            ? { message: said, details: [{ message: 'May not be empty', property: 'messages[0].text' }] }
            : { message: said },
      });
    }
  }

  /** The next `times` pushes are accepted (delivered) but answered 500, as when the answer is lost on the way. */
  loseNextAnswers(times: number): void {
    this.lostAnswers += times;
  }

  /** Sends (reply and push) recorded so far. */
  sends(): LineRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && (r.path === '/v2/bot/message/reply' || r.path === '/v2/bot/message/push'));
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const recorded: LineRequest = { method: req.method ?? 'GET', path, headers: req.headers, token: auth?.[1] ?? null, body };
      this.record(recorded);
      this.answer(recorded, res);
    });
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'x-line-request-id': randomBytes(8).toString('hex'), ...headers });
    res.end(JSON.stringify(body));
  }

  private answer(r: LineRequest, res: http.ServerResponse): void {
    if (!r.token || !this.tokens.has(r.token)) {
      this.json(res, 401, { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' });
      return;
    }
    const sent = () => ({
      sentMessages: (r.body?.messages ?? []).map(() => ({ id: String(600_000_000_000_000 + ++this.seq), quoteToken: 'q' })),
    });
    if (r.method === 'GET' && r.path === '/v2/bot/info') {
      this.json(res, 200, {
        userId: `U${'0'.repeat(32)}`,
        basicId: '@omnidesk',
        displayName: 'Omnidesk Shop',
        chatMode: 'chat',
        markAsReadMode: 'manual',
      });
      return;
    }
    const profile = /^\/v2\/bot\/profile\/([^/]+)$/.exec(r.path);
    if (r.method === 'GET' && profile) {
      const p = this.profiles.get(profile[1]!);
      if (p) this.json(res, 200, { userId: profile[1], ...p });
      else this.json(res, 404, { message: 'Not found' });
      return;
    }
    const content = /^\/v2\/bot\/message\/(\d+)\/content$/.exec(r.path);
    if (r.method === 'GET' && content) {
      const c = this.contents.get(content[1]!);
      if (!c) {
        this.json(res, 404, { message: 'Not found' });
        return;
      }
      res.writeHead(200, { 'content-type': c.contentType, 'content-length': String(c.bytes.length) });
      res.end(c.bytes);
      return;
    }
    if (r.method === 'POST' && (r.path === '/v2/bot/message/reply' || r.path === '/v2/bot/message/push')) {
      const failure = this.failures.shift();
      if (failure) {
        this.json(res, failure.status, failure.body, failure.headers);
        return;
      }
      if (r.path === '/v2/bot/message/reply') {
        const token = String(r.body?.replyToken ?? '');
        if (!this.replyTokens.has(token) || this.usedReplyTokens.has(token)) {
          this.json(res, 400, { message: 'Invalid reply token' });
          return;
        }
        this.usedReplyTokens.add(token);
        this.delivered.push(r);
        this.json(res, 200, sent());
        return;
      }
      const key = r.headers['x-line-retry-key'];
      if (typeof key === 'string') {
        const accepted = this.acceptedRetryKeys.get(key);
        if (accepted) {
          this.json(res, 409, { message: 'The retry key is already accepted' }, { 'x-line-accepted-request-id': accepted });
          return;
        }
        this.acceptedRetryKeys.set(key, randomBytes(8).toString('hex'));
      }
      this.delivered.push(r);
      if (this.lostAnswers > 0) {
        this.lostAnswers--;
        this.json(res, 500, { message: 'Internal server error' });
        return;
      }
      this.json(res, 200, sent());
      return;
    }
    this.json(res, 404, { message: 'Not found' });
  }
}
