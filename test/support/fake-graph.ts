// A local stand-in for Meta's Graph API on port 0, answering the way Meta does for what Omnidesk uses:
// the Send API (POST /<version>/me/messages → {recipient_id, message_id}), a page read (GET
// /<version>/<page-id>?fields=name), a person's profile (GET /<version>/<psid>?fields=…), and files on
// a "CDN" path (the attachments of customers' messages). It records every request: method, path, the
// access token (Authorization: Bearer, or ?access_token=), query and JSON body. Failures can be queued
// for the next sends: a 500, a rate limit (code 4), a person unavailable (551), outside the window (10/2018278).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { FakeApi } from './fake-api.js';

export const GRAPH_VERSION = 'v21.0';

export interface GraphRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  accessToken: string | null;
  body: any;
}

export type GraphFailure = '500' | 'rate_limit' | 'unavailable' | 'outside_window' | 'expired_token';

const FAILURES: Record<GraphFailure, { status: number; error: Record<string, unknown> }> = {
  '500': {
    status: 500,
    error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2 },
  },
  rate_limit: { status: 400, error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4 } },
  unavailable: {
    status: 400,
    error: { message: "This person isn't available right now", type: 'OAuthException', code: 551, error_subcode: 1545041 },
  },
  outside_window: {
    status: 400,
    error: {
      message: '(#10) This message is sent outside of allowed window.',
      type: 'OAuthException',
      code: 10,
      error_subcode: 2018278,
    },
  },
  expired_token: {
    status: 400,
    error: { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190 },
  },
};

export class FakeGraph extends FakeApi<GraphRequest> {
  protected readonly provider = 'Graph API';
  /** Page id → its access token and name. */
  readonly pages = new Map<string, { token: string; name: string }>();
  readonly profiles = new Map<string, { first_name: string; last_name: string; profile_pic: string }>();
  private readonly failures: GraphFailure[] = [];
  private readonly files = new Map<string, { bytes: Buffer; contentType: string }>();

  static async start(): Promise<FakeGraph> {
    const fake = new FakeGraph();
    await fake.listen();
    return fake;
  }

  /** The Graph base an account points at (with the version). */
  get baseUrl(): string {
    return `${this.url}/${GRAPH_VERSION}`;
  }

  /** A new page with its access token. */
  page(name = 'Omnidesk test page'): { pageId: string; token: string } {
    const pageId = String(100_000_000_000_000 + Math.floor(Math.random() * 1e14));
    const token = `EAAG${randomBytes(24).toString('hex')}`;
    this.pages.set(pageId, { token, name });
    return { pageId, token };
  }

  /** The next `times` sends fail as `failure` says. */
  failNext(failure: GraphFailure, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(failure);
  }

  /** Serves `bytes` at `path` (no credentials needed: Meta's CDN URLs are signed). Returns the full URL. */
  serveFile(path: string, bytes: Buffer, contentType: string): string {
    this.files.set(path, { bytes, contentType });
    return `${this.url}${path}`;
  }

  sends(): GraphRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === `/${GRAPH_VERSION}/me/messages`);
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.url);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const record: GraphRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        accessToken: bearer ?? url.searchParams.get('access_token'),
        body,
      };
      this.record(record);
      this.answer(record, res);
    });
  }

  private answer(r: GraphRequest, res: http.ServerResponse): void {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const file = this.files.get(r.path);
    if (r.method === 'GET' && file) {
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
      res.end(file.bytes);
      return;
    }
    const tokenOk = [...this.pages.values()].some((p) => p.token === r.accessToken);
    const denied = () =>
      json(400, { error: { ...FAILURES.expired_token.error, message: 'Invalid OAuth access token - Cannot parse access token' } });
    const prefix = `/${GRAPH_VERSION}/`;
    if (!r.path.startsWith(prefix)) return json(404, { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } });
    const rest = r.path.slice(prefix.length);
    if (r.method === 'POST' && rest === 'me/messages') {
      if (!tokenOk) return denied();
      const failure = this.failures.shift();
      if (failure) return json(FAILURES[failure].status, { error: { ...FAILURES[failure].error, fbtrace_id: 'Afake' } });
      return json(200, { recipient_id: r.body?.recipient?.id, message_id: `m_${randomBytes(18).toString('base64url')}` });
    }
    if (r.method === 'GET' && /^\d+$/.test(rest)) {
      if (!tokenOk) return denied();
      const page = this.pages.get(rest);
      if (page) return json(200, { name: page.name, id: rest });
      const profile = this.profiles.get(rest);
      if (profile) return json(200, { ...profile, id: rest });
      return json(400, {
        error: {
          message: `Unsupported get request. Object with ID '${rest}' does not exist`,
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
        },
      });
    }
    json(404, { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } });
  }
}
