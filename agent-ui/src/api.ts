// The REST client for /api/v1. Every call carries the bearer token; a 401 anywhere ends the session
// through one callback, so no screen has to handle it on its own.
import type { Presence } from '../../server/domain/routing/types.js';
import type { Conversation, Customer, CustomerIdentity, Message, User } from '../../server/domain/types.js';

export interface Session {
  token: string;
  expiresAt: number;
  user: User;
}

export interface CustomerWithIdentities extends Customer {
  identities: CustomerIdentity[];
}

export interface ConversationDetail {
  conversation: Conversation;
  customer: CustomerWithIdentities | null;
  messages: Message[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What the API added to explain the error (e.g. who already has an identity). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string; details?: unknown } } | undefined;
  return new ApiError(res.status, body?.error?.code ?? 'HTTP_' + res.status, body?.error?.message ?? res.statusText, body?.error?.details);
}

/** Logs in; a wrong password is an ApiError, not an expired session. */
export async function login(email: string, password: string): Promise<Session> {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as Session;
}

/** Revokes a token. Called after the console has already signed out locally, so no answer is awaited by the UI. */
export async function logout(token: string): Promise<void> {
  await fetch('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
}

export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401) this.onUnauthorized();
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  /** Any /api/v1 call as JSON (feature modules such as board/ and admin/ build their calls on it). */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  me = () => this.json<{ user: User }>('GET', '/auth/me');
  setLocale = (locale: 'en' | 'th') => this.json<{ user: User }>('PATCH', '/auth/me', { locale });

  conversation = (id: string) => this.json<ConversationDetail>('GET', `/conversations/${encodeURIComponent(id)}`);

  messagesAfter = (id: string, after: string | undefined) =>
    this.json<{ messages: Message[] }>(
      'GET',
      `/conversations/${encodeURIComponent(id)}/messages${after ? `?after=${encodeURIComponent(after)}` : ''}`,
    );

  compose = (id: string, kind: 'reply' | 'note', text: string) =>
    this.json<{ message: Message; conversation: Conversation }>(
      'POST',
      `/conversations/${encodeURIComponent(id)}/${kind === 'reply' ? 'messages' : 'notes'}`,
      { text },
    );

  assign = (id: string, assigneeId: string | null) =>
    this.json<{ conversation: Conversation }>('POST', `/conversations/${encodeURIComponent(id)}/assign`, { assigneeId });

  setStatus = (id: string, status: Conversation['status']) =>
    this.json<{ conversation: Conversation }>('POST', `/conversations/${encodeURIComponent(id)}/status`, { status });

  routing = (userId: string) =>
    this.json<{ routing: { presence: Presence; presenceReason: string | null } }>('GET', `/users/${encodeURIComponent(userId)}/routing`);
  queues = () => this.json<{ queues: { id: string; name: string }[] }>('GET', '/queues');
  customer = (id: string) => this.json<{ customer: CustomerWithIdentities }>('GET', `/customers/${encodeURIComponent(id)}`);

  /** A file from /api/v1 (a report's CSV), fetched with the bearer header. */
  file = async (path: string): Promise<Blob> => (await this.request('GET', path)).blob();

  /** An attachment's bytes, fetched with the bearer header (an <img src> could not send it). */
  attachment = async (id: string): Promise<Blob> => (await this.request('GET', `/attachments/${encodeURIComponent(id)}`)).blob();
}
