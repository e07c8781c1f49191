// A local stand-in for Twilio's REST API on port 0, answering the way Twilio does for what Omnidesk
// uses: send a message (POST /2010-04-01/Accounts/:sid/Messages.json → 201 with a SID), read the
// account (GET /2010-04-01/Accounts/:sid.json), and serve media (with HTTP basic auth, optionally
// through a redirect, as Twilio's media URLs do). It records every request: method, path, basic-auth
// user, headers and form body. Failures can be queued: the next N sends answer 500, 429 or a 400
// with a Twilio error code. Also: `startRecorder`, a server that only counts what reaches it (the
// "attacker" host a forged MediaUrl points at).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FakeApi } from './fake-api.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The basic-auth user name (the Account SID), or null. */
  user: string | null;
  password: string | null;
  headers: http.IncomingHttpHeaders;
  /** The form body, a repeated name (MediaUrl) as an array. */
  form: Record<string, string | string[]>;
}

interface Failure {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

function formOf(text: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const had = form[k];
    form[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return form;
}

function basicAuth(header: string | undefined): { user: string | null; password: string | null } {
  const m = header && /^Basic (.+)$/.exec(header);
  if (!m) return { user: null, password: null };
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  return { user: decoded.slice(0, at), password: decoded.slice(at + 1) };
}

export class FakeTwilio extends FakeApi<RecordedRequest> {
  protected readonly provider = 'Twilio';
  /** Account SID → auth token. */
  readonly accounts = new Map<string, string>();
  private readonly failures: Failure[] = [];
  private readonly media = new Map<string, { bytes: Buffer; contentType: string } | { redirect: string } | { held: true }>();

  static async start(): Promise<FakeTwilio> {
    const fake = new FakeTwilio();
    await fake.listen();
    return fake;
  }

  /** A new account with its auth token. */
  account(): { accountSid: string; authToken: string } {
    const accountSid = sid('AC');
    const authToken = randomBytes(16).toString('hex');
    this.accounts.set(accountSid, authToken);
    return { accountSid, authToken };
  }

  /** The next `times` sends fail with `status` (and a Twilio error body). */
  failNext(times: number, status: number, body: { code?: number; message?: string } = {}, headers: Record<string, string> = {}): void {
    for (let i = 0; i < times; i++) {
      this.failures.push({
        status,
        headers,
        body: {
          code: body.code ?? (status === 429 ? 20429 : status >= 500 ? 20500 : 21211),
          message: body.message ?? (status === 429 ? 'Too Many Requests' : status >= 500 ? 'Internal Server Error' : 'Bad request'),
          more_info: `https://www.twilio.com/docs/errors/${body.code ?? status}`,
          status,
        },
      });
    }
  }

  /** Serves `bytes` at `path` (to callers with the account's credentials), or redirects `path` to `location`. */
  serveMedia(path: string, bytes: Buffer, contentType: string): void {
    this.media.set(path, { bytes, contentType });
  }
  redirectMedia(path: string, location: string): void {
    this.media.set(path, { redirect: location });
  }
  /** Requests for `path` are recorded and never answered (a server killed mid-download), until it is served. */
  holdMedia(path: string): void {
    this.media.set(path, { held: true });
  }

  /** The sends (message creations) recorded so far. */
  sends(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && /\/Messages\.json$/.test(r.path));
  }

  private authorized(r: RecordedRequest, accountSid: string): boolean {
    return r.user === accountSid && this.accounts.get(accountSid) === r.password;
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.url);
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        ...basicAuth(req.headers.authorization),
        headers: req.headers,
        form: formOf(Buffer.concat(chunks).toString('utf8')),
      };
      this.record(record);
      this.answer(record, res);
    });
  }

  private answer(r: RecordedRequest, res: http.ServerResponse): void {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const denied = () =>
      json(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    const media = this.media.get(r.path);
    if (r.method === 'GET' && media) {
      if ('held' in media) return;
      if ('redirect' in media) {
        res.writeHead(307, { location: media.redirect });
        res.end();
        return;
      }
      const account = /^\/2010-04-01\/Accounts\/(AC\w+)\//.exec(r.path)?.[1];
      if (account && !this.authorized(r, account)) return denied();
      res.writeHead(200, { 'content-type': media.contentType, 'content-length': String(media.bytes.length) });
      res.end(media.bytes);
      return;
    }
    const fetchAccount = /^\/2010-04-01\/Accounts\/(AC\w+)\.json$/.exec(r.path);
    if (r.method === 'GET' && fetchAccount) {
      const accountSid = fetchAccount[1]!;
      if (!this.authorized(r, accountSid)) return denied();
      return json(200, { sid: accountSid, status: 'active', friendly_name: 'Omnidesk test', type: 'Full' });
    }
    const send = /^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\.json$/.exec(r.path);
    if (r.method === 'POST' && send) {
      const accountSid = send[1]!;
      if (!this.authorized(r, accountSid)) return denied();
      const failure = this.failures.shift();
      if (failure) return json(failure.status, failure.body, failure.headers);
      const now = new Date().toUTCString();
      return json(201, {
        sid: sid('SM'),
        account_sid: accountSid,
        from: r.form.From,
        to: r.form.To,
        body: r.form.Body ?? '',
        status: 'queued',
        num_media: String([r.form.MediaUrl ?? []].flat().length),
        num_segments: '1',
        direction: 'outbound-api',
        date_created: now,
        date_updated: now,
        api_version: '2010-04-01',
      });
    }
    // Calls: place one (an agent's callback), or send a live one to new TwiML (put a caller through).
    const placeCall = /^\/2010-04-01\/Accounts\/(AC\w+)\/Calls\.json$/.exec(r.path);
    const updateCall = /^\/2010-04-01\/Accounts\/(AC\w+)\/Calls\/(CA\w+)\.json$/.exec(r.path);
    const call = placeCall ?? updateCall;
    if (r.method === 'POST' && call) {
      if (!this.authorized(r, call[1]!)) return denied();
      const failure = this.failures.shift();
      if (failure) return json(failure.status, failure.body, failure.headers);
      const now = new Date().toUTCString();
      return json(placeCall ? 201 : 200, {
        sid: updateCall ? updateCall[2] : sid('CA'),
        account_sid: call[1],
        from: r.form.From ?? null,
        to: r.form.To ?? null,
        status: placeCall ? 'queued' : 'in-progress',
        direction: placeCall ? 'outbound-api' : 'inbound',
        date_created: now,
        date_updated: now,
        api_version: '2010-04-01',
      });
    }
    json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
  }
}

/** A server that answers 200 to anything and counts what reached it. */
export async function startRecorder(): Promise<{ url: string; host: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.alloc(16));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
