// Meta's Graph API for one page, over plain HTTPS JSON (no SDK needed), and what its failures mean to
// Omnidesk. `baseUrl` carries the API version (https://graph.facebook.com/v21.0) and is the seam tests
// point at a local fake. The page access token goes in the Authorization header, never in a URL.
import { AppError } from '../../server/domain/errors.js';
import { ChannelError } from '../types.js';
import { graphBaseOf, type MessengerCredentials, type MessengerSettings } from './account.js';

/** Requests time out well inside the outbox's lease, so a slow send is never sent twice at once. */
export const GRAPH_TIMEOUT_MS = 20_000;

/** Meta answered with an error object ({error: {code, error_subcode, message}}). */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    readonly subcode: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

/** Meta could not be reached (DNS, refused, reset, timeout). */
export class GraphUnreachable extends Error {
  constructor(readonly reason: string) {
    super(`could not reach the Graph API (${reason})`);
    this.name = 'GraphUnreachable';
  }
}

export class GraphClient {
  constructor(
    readonly baseUrl: string,
    private readonly accessToken: string,
    private readonly timeoutMs = GRAPH_TIMEOUT_MS,
  ) {}

  static forAccount(settings: MessengerSettings, credentials: Pick<MessengerCredentials, 'pageAccessToken'>): GraphClient {
    return new GraphClient(graphBaseOf(settings), credentials.pageAccessToken);
  }

  get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const qs = new URLSearchParams(query).toString();
    return this.call<T>('GET', `${path}${qs ? `?${qs}` : ''}`);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.accessToken}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string } };
      throw new GraphUnreachable(e.cause?.code ?? e.name ?? String(err));
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      json = undefined;
    }
    if (res.ok && json !== undefined) return json as T;
    const error = (json as { error?: { code?: unknown; error_subcode?: unknown; message?: unknown } } | undefined)?.error;
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const said = typeof error?.message === 'string' ? error.message.slice(0, 300) : `HTTP ${res.status}`;
    throw new GraphError(res.status, num(error?.code), num(error?.error_subcode), said);
  }
}

/** Meta's throttling codes: application, user, API-version and page-level rate limits. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
/** Meta's "unknown error" and "service temporarily unavailable". */
const TEMPORARY_CODES = new Set([1, 2]);
/** A bad parameter (100) or a recipient who cannot be written to now (551): sending it again cannot help. */
const INVALID_PAYLOAD_CODES = new Set([100, 551]);
/** Code 10 with this subcode: the message falls outside the 24-hour messaging window. */
export const OUTSIDE_WINDOW_SUBCODE = 2018278;

/**
 * A Graph failure as a ChannelError the outbox acts on: rate limits RATE_LIMITED, unknown/unavailable
 * (1, 2), 5xx and network trouble TEMPORARY, an expired or revoked token (190) AUTH, a bad parameter
 * or unavailable person (100, 551) INVALID_PAYLOAD, outside the window and the rest PERMANENT. The
 * message keeps Meta's code: "Messenger 551: This person isn't available right now".
 */
export function messengerChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  if (err instanceof GraphUnreachable) return new ChannelError('TEMPORARY', err.message);
  if (!(err instanceof GraphError)) return new ChannelError('TEMPORARY', `Messenger: ${(err as Error)?.message ?? String(err)}`);
  const text = err.code !== undefined ? `Messenger ${err.code}: ${err.message}` : `Messenger HTTP ${err.status}: ${err.message}`;
  if ((err.code !== undefined && RATE_LIMIT_CODES.has(err.code)) || err.status === 429) return new ChannelError('RATE_LIMITED', text);
  if ((err.code !== undefined && TEMPORARY_CODES.has(err.code)) || err.status >= 500) return new ChannelError('TEMPORARY', text);
  if (err.code === 190 || err.status === 401)
    return new ChannelError('AUTH', `${text} (the page access token expired or was revoked; set a new one in Admin)`);
  if (err.code === 10 && err.subcode === OUTSIDE_WINDOW_SUBCODE) {
    return new ChannelError(
      'PERMANENT',
      `Messenger 10/${OUTSIDE_WINDOW_SUBCODE}: the customer's last message is more than 24 hours old, so Meta refuses replies until they write again`,
    );
  }
  if (err.code !== undefined && INVALID_PAYLOAD_CODES.has(err.code)) return new ChannelError('INVALID_PAYLOAD', text);
  return new ChannelError('PERMANENT', text);
}

/**
 * Reads the page with the token (GET /<page-id>?fields=name), as sends will; throws a VALIDATION
 * AppError that says what failed (details: {service: 'messenger', step: host|token|page}).
 */
export async function checkMessengerAccount(settings: MessengerSettings, credentials: MessengerCredentials): Promise<void> {
  const fail = (step: 'host' | 'token' | 'page', message: string) => new AppError('VALIDATION', message, { service: 'messenger', step });
  const client = GraphClient.forAccount(settings, credentials);
  let page: { id?: unknown; name?: unknown };
  try {
    page = await client.get(`/${settings.pageId}`, { fields: 'name' });
  } catch (err) {
    if (err instanceof GraphUnreachable) throw fail('host', `Messenger: could not reach ${client.baseUrl} (${err.reason})`);
    if (err instanceof GraphError && (err.code === 190 || err.status === 401)) {
      throw fail(
        'token',
        `Meta refused the page access token (Messenger ${err.code ?? err.status}: ${err.message}); generate a new one for the page`,
      );
    }
    if (err instanceof GraphError && (err.code === 100 || err.status === 404)) {
      throw fail('page', `Meta has no page ${settings.pageId} for this token (Messenger ${err.code ?? err.status}: ${err.message})`);
    }
    throw fail('page', `Messenger: reading page ${settings.pageId} failed: ${messengerChannelError(err).message}`);
  }
  if (String(page.id ?? settings.pageId) !== settings.pageId) {
    throw fail('page', `the page access token belongs to page ${String(page.id)}, not ${settings.pageId}`);
  }
}
