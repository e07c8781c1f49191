// The REST calls of the conversation view that the console's Api does not have, built on api.json.
import type { Presence } from '../../../server/domain/routing/types.js';
import type { Attachment, ChannelKind, Conversation, Message, User } from '../../../server/domain/types.js';
import { ApiError, type Api } from '../api';
import { loadSession, type ComposeMode } from '../session';

type ConversationAnswer = { conversation: Conversation };
const path = (id: string, tail = '') => `/conversations/${encodeURIComponent(id)}${tail}`;

/** The server's largest page of messages. */
export const MESSAGE_PAGE = 500;

/** Every message after `after` (all of them without it), read page by page in id order. */
export async function messagesAfter(api: Api, id: string, after: string | undefined): Promise<Message[]> {
  const all: Message[] = [];
  for (let cursor = after; ;) {
    const query = new URLSearchParams({ ...(cursor ? { after: cursor } : {}), limit: String(MESSAGE_PAGE) });
    const { messages } = await api.json<{ messages: Message[] }>('GET', path(id, `/messages?${query}`));
    all.push(...messages);
    if (messages.length < MESSAGE_PAGE) return all;
    cursor = messages.at(-1)!.id;
  }
}

export const compose = (api: Api, id: string, mode: ComposeMode, text: string, attachmentIds: string[]) =>
  api.json<{ message: Message; conversation: Conversation }>('POST', path(id, mode === 'reply' ? '/messages' : '/notes'), {
    ...(text.trim() ? { text } : {}),
    ...(attachmentIds.length ? { attachmentIds } : {}),
  });

export const setStatus = (api: Api, id: string, status: Conversation['status']) =>
  api.json<ConversationAnswer>('POST', path(id, '/status'), { status });
export const assign = (api: Api, id: string, assigneeId: string | null) =>
  api.json<ConversationAnswer>('POST', path(id, '/assign'), { assigneeId });
export const pick = (api: Api, id: string) => api.json<ConversationAnswer>('POST', path(id, '/pick'), {});
export const setTags = (api: Api, id: string, tags: string[]) => api.json<ConversationAnswer>('POST', path(id, '/tags'), { tags });
export const setPriority = (api: Api, id: string, priority: number) =>
  api.json<ConversationAnswer>('POST', path(id, '/priority'), { priority });

export type TransferTarget = { toAgentId: string } | { toQueueId: string };
export const transfer = (api: Api, id: string, to: TransferTarget, note: string | undefined) =>
  api.json<ConversationAnswer>('POST', path(id, '/transfer'), { ...to, ...(note ? { note } : {}) });

export interface QueueChoice {
  id: string;
  name: string;
  channels: ChannelKind[];
}
export const queues = (api: Api) => api.json<{ queues: QueueChoice[] }>('GET', '/queues').then((r) => r.queues);

/** Colleagues to transfer to, or null when this user may not list them (agents: GET /users is for supervisors). */
export async function colleagues(api: Api): Promise<User[] | null> {
  try {
    return (await api.json<{ users: User[] }>('GET', '/users')).users.filter((u) => u.active);
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return null;
    throw err;
  }
}

/** Presence of agents in routing, by user id (supervisors; anyone else gets an empty map). */
export async function presences(api: Api): Promise<ReadonlyMap<string, Presence>> {
  try {
    const { agents } = await api.json<{ agents: { id: string; presence: Presence }[] }>('GET', '/agents');
    return new Map(agents.map((a) => [a.id, a.presence]));
  } catch {
    return new Map(); // only a nicety in the transfer list
  }
}

export interface CannedResponse {
  id: string;
  title: string;
  shortcut: string;
  body: string;
  locale: 'en' | 'th' | null;
}
export const cannedResponses = (api: Api, q: string) =>
  api
    .json<{ cannedResponses: CannedResponse[] }>('GET', `/canned-responses${q ? `?${new URLSearchParams({ q })}` : ''}`)
    .then((r) => r.cannedResponses);
export const renderCanned = (api: Api, cannedId: string, conversationId: string) =>
  api.json<{ text: string }>('POST', `/canned-responses/${encodeURIComponent(cannedId)}/render`, { conversationId }).then((r) => r.text);

/**
 * Uploads one file to attach to a reply or note. Multipart, so not through api.json; the bearer token
 * is the session's. Refusals come back as ApiError with the server's code (PAYLOAD_TOO_LARGE,
 * UNSUPPORTED_MEDIA_TYPE); a lost connection is a TypeError, as with fetch.
 */
export async function uploadAttachment(api: Api, conversationId: string, file: File): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await fetch(`/api/v1${path(conversationId, '/attachments')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${loadSession()?.token ?? ''}` },
    body: form,
  });
  if (res.status === 401) void api.me().catch(() => undefined); // the Api ends the session on its own 401
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
  }
  return ((await res.json()) as { attachment: Attachment }).attachment;
}

/** Whether a failed call never reached an answer (offline, connection reset), as opposed to a refusal. */
export const isNetworkError = (err: unknown): boolean => !(err instanceof ApiError);
