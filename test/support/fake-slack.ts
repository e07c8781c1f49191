// A local stand-in for Slack's Web API on port 0, answering the way Slack does for what Omnidesk uses:
// auth.test, conversations.info, chat.postMessage (a unique ts per post), chat.postEphemeral and
// users.info (users with emails, set by the test). Every method is POST /api/<method>, as WebClient
// calls it (point an account's apiBaseUrl at `apiBaseUrl`); the body is form-encoded or JSON, the
// token a bearer header (or a `token` field). Slack answers HTTP 200 with {ok:false, error} for a
// refusal: an unknown token is invalid_auth, an unknown channel channel_not_found. Failures can be
// queued per method: HTTP 429 with Retry-After, HTTP 5xx, or a platform error.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { FakeApi } from './fake-api.js';

export interface SlackRequest {
  /** HTTP method and path as received. */
  method: string;
  path: string;
  /** The Web API method: `chat.postMessage`, ... */
  apiMethod: string;
  /** The bearer token (or the body's `token`), or null. */
  token: string | null;
  contentType: string;
  /** The arguments, form or JSON, as an object (form values are strings). */
  body: Record<string, any>;
  /** What the fake answered. */
  status: number;
  answer: Record<string, any>;
}

/** A queued failure: an HTTP status (429 with its Retry-After seconds), or a platform error code. */
export type SlackFailure = { status: 429; retryAfter?: number } | { status: 500 | 502 | 503 } | { error: string };

export interface FakeSlackUser {
  name: string;
  realName?: string;
  email?: string;
  isBot?: boolean;
}

/** Slack's limit on a message's text. */
const MAX_TEXT = 40_000;

export class FakeSlack extends FakeApi<SlackRequest> {
  protected readonly provider = 'Slack';
  readonly tokens = new Set<string>();
  /** Channel id → name (and archived). */
  readonly channels = new Map<string, { name: string; archived: boolean }>();
  readonly users = new Map<string, FakeSlackUser>();
  private readonly failures = new Map<string, SlackFailure[]>();
  private readonly epoch = Math.floor(Date.now() / 1000);
  private seq = 0;

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    await fake.listen();
    return fake;
  }

  /** What an account's `apiBaseUrl` is set to. */
  get apiBaseUrl(): string {
    return `${this.url}/api/`;
  }

  /** A new bot token Slack accepts. */
  token(): string {
    const token = `xoxb-${1000 + this.seq++}-${randomBytes(5).readUIntBE(0, 5)}-${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
    this.tokens.add(token);
    return token;
  }

  /** A channel the bot is a member of; returns its id. */
  channel(name: string, id = `C0${randomBytes(5).toString('hex').toUpperCase()}`): string {
    this.channels.set(id, { name, archived: false });
    return id;
  }

  /** A workspace member; returns their user id. */
  user(user: FakeSlackUser, id = `U0${randomBytes(5).toString('hex').toUpperCase()}`): string {
    this.users.set(id, user);
    return id;
  }

  /** A message ts as Slack makes them ("1733400000.000100"), unique across this fake. */
  nextTs(): string {
    const n = ++this.seq;
    return `${this.epoch + Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, '0')}`;
  }

  /** The next `times` calls of `apiMethod` fail as `failure` says. */
  failNext(apiMethod: string, failure: SlackFailure, times = 1): void {
    const queue = this.failures.get(apiMethod) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    this.failures.set(apiMethod, queue);
  }

  /** Calls of one Web API method recorded so far. */
  calls(apiMethod: string): SlackRequest[] {
    return this.requests.filter((r) => r.apiMethod === apiMethod);
  }

  /** Messages Slack accepted (chat.postMessage answered ok), optionally in one channel. */
  posts(channel?: string): { channel: string; ts: string; threadTs: string | null; text: string; token: string | null }[] {
    return this.calls('chat.postMessage')
      .filter((r) => r.answer.ok === true && (channel === undefined || r.answer.channel === channel))
      .map((r) => ({
        channel: String(r.answer.channel),
        ts: String(r.answer.ts),
        threadTs: typeof r.body.thread_ts === 'string' ? r.body.thread_ts : null,
        text: String(r.body.text ?? ''),
        token: r.token,
      }));
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.url);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const text = Buffer.concat(chunks).toString('utf8');
      const body: Record<string, any> = Object.fromEntries(url.searchParams);
      if (contentType === 'application/json' && text) {
        try {
          Object.assign(body, JSON.parse(text));
        } catch {
          // Slack answers invalid_json; the recorded body stays as the query gave it
          body.__unparsed = text;
        }
      } else if (text) {
        Object.assign(body, Object.fromEntries(new URLSearchParams(text)));
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
      const apiMethod = url.pathname.startsWith('/api/') ? url.pathname.slice('/api/'.length) : '';
      const recorded: SlackRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        apiMethod,
        token: bearer ?? (typeof body.token === 'string' ? body.token : null),
        contentType,
        body,
        status: 200,
        answer: {},
      };
      const { status, answer, headers } = this.answer(recorded);
      recorded.status = status;
      recorded.answer = answer;
      this.record(recorded);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(answer));
    });
  }

  private answer(r: SlackRequest): { status: number; answer: Record<string, any>; headers?: Record<string, string> } {
    const ok = (answer: Record<string, unknown>) => ({ status: 200, answer: { ok: true, ...answer } });
    const refuse = (error: string) => ({ status: 200, answer: { ok: false, error } });
    if (!r.apiMethod) return { status: 404, answer: { ok: false, error: 'unknown_method' } };
    if (r.body.__unparsed !== undefined) return refuse('invalid_json');
    if (!r.token) return refuse('not_authed');
    if (!this.tokens.has(r.token)) return refuse('invalid_auth');
    const failure = this.failures.get(r.apiMethod)?.shift();
    if (failure) {
      if ('error' in failure) return refuse(failure.error);
      if (failure.status === 429) {
        return { status: 429, answer: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(failure.retryAfter ?? 0) } };
      }
      return { status: failure.status, answer: { ok: false, error: 'fatal_error' } };
    }
    const channelOf = () => {
      const id = String(r.body.channel ?? '');
      const channel = this.channels.get(id);
      return channel && { id, ...channel };
    };
    switch (r.apiMethod) {
      case 'auth.test':
        return ok({
          url: 'https://omnidesk-test.slack.com/',
          team: 'Omnidesk Test',
          user: 'omnidesk',
          team_id: 'T0TEAM0001',
          user_id: 'U0BOT00001',
          bot_id: 'B0BOT00001',
        });
      case 'conversations.info': {
        const c = channelOf();
        if (!c) return refuse('channel_not_found');
        return ok({ channel: { id: c.id, name: c.name, is_channel: true, is_private: false, is_archived: c.archived, is_member: true } });
      }
      case 'chat.postMessage': {
        const c = channelOf();
        if (!c) return refuse('channel_not_found');
        if (c.archived) return refuse('is_archived');
        const text = typeof r.body.text === 'string' ? r.body.text : '';
        if (!text && !r.body.blocks) return refuse('no_text');
        if (text.length > MAX_TEXT) return refuse('msg_too_long');
        const ts = this.nextTs();
        const threadTs = typeof r.body.thread_ts === 'string' ? r.body.thread_ts : undefined;
        return ok({
          channel: c.id,
          ts,
          message: { type: 'message', bot_id: 'B0BOT00001', text, ts, ...(threadTs && { thread_ts: threadTs }) },
        });
      }
      case 'chat.postEphemeral': {
        if (!channelOf()) return refuse('channel_not_found');
        if (!this.users.has(String(r.body.user ?? ''))) return refuse('user_not_found');
        return ok({ message_ts: this.nextTs() });
      }
      case 'users.info': {
        const id = String(r.body.user ?? '');
        const u = this.users.get(id);
        if (!u) return refuse('user_not_found');
        return ok({
          user: {
            id,
            team_id: 'T0TEAM0001',
            name: u.name,
            real_name: u.realName ?? u.name,
            is_bot: u.isBot ?? false,
            deleted: false,
            profile: { real_name: u.realName ?? u.name, display_name: u.name, ...(u.email && !u.isBot && { email: u.email }) },
          },
        });
      }
      default:
        return refuse('unknown_method');
    }
  }
}
