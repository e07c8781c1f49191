// The admin screens' calls, typed, on top of Api.json. Shapes follow the route schemas in
// server/http/routes (queue-schemas.ts, users, channel accounts, email imports, canned responses).
import type { CapacityClass, QueueConfig } from '../../../server/domain/routing/types.js';
import type { ChannelAccount, ChannelKind, Role, User } from '../../../server/domain/types.js';
import type { Api } from '../api';

export interface Queue extends QueueConfig {
  memberIds: string[];
  createdAt: number;
  updatedAt: number;
}

/** Everything a queue takes but its id (the API fills defaults for what is left out). */
export type QueueBody = Omit<QueueConfig, 'id' | 'sla' | 'businessHours'> & {
  sla: Partial<Record<'0' | '1' | '2' | '3', { firstResponseMs: number; resolutionMs: number }>> | null;
  businessHours: QueueConfig['businessHours'];
};

export interface RoutingProfile {
  userId: string;
  presence: string;
  presenceReason: string | null;
  skills: Record<string, number>;
  capacity: Record<CapacityClass, number>;
  queueIds: string[];
  load: Record<CapacityClass, number>;
}

export interface RoutingProfilePatch {
  skills?: Record<string, number>;
  capacity?: Partial<Record<CapacityClass, number>>;
  queueIds?: string[];
}

/**
 * Webhook and embed URLs by name (web chat: widgetScript, embedSnippet, demoPage, sessions, uploads;
 * email: supportAddress, imap; SMS: inbound, status; voice: incoming, status).
 */
export type AccountUrls = Record<string, string>;

export type TlsMode = 'implicit' | 'starttls' | 'none';
export type AfterImport = 'seen' | 'move' | 'leave';

/** An email account's settings, as channels/email/account.ts (EmailSettings) takes and returns them. */
export type EmailSettings = {
  imap: {
    host: string;
    port: number;
    tls: TlsMode;
    user: string;
    mailbox: string;
    afterImport: AfterImport;
    moveTo?: string;
    syncDays: number;
    maxBytes: number;
  };
  smtp: { host: string; port: number; tls: TlsMode; user?: string };
  fromAddress: string;
  fromName: string;
  signature: string;
  acknowledge: { enabled: boolean; text?: string };
};

/** Write-only: sealed by the server, never returned. Without smtpPassword, SMTP uses the IMAP one. */
export type EmailCredentials = { imapPassword: string; smtpPassword?: string };

/** Which check refused an email account on save (the VALIDATION error's details). */
export interface EmailCheckFailure {
  service: 'imap' | 'smtp';
  step: 'host' | 'tls' | 'login' | 'mailbox' | 'other';
}

export type EmailImportStatus = 'imported' | 'duplicate' | 'unprocessable' | 'too_large' | 'own' | 'failed_delivery';

/** One mail fetched from a mailbox and what became of it (db/stores/email.store.ts). */
export interface EmailImport {
  id: string;
  channelAccountId: string;
  status: EmailImportStatus;
  error: string | null;
  subject: string | null;
  fromAddress: string | null;
  size: number;
  conversationId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewAccountBody {
  kind: ChannelKind;
  name: string;
  queueId: string | null;
  settings?: Record<string, unknown>;
  credentials?: Record<string, string>;
}

/** An IVR flow a voice number may play (GET /voice/flows): its languages and the queue names it sends callers to. */
export interface VoiceFlow {
  name: string;
  file: string;
  languages: string[];
  queues: string[];
}

export type AccountPatch = Partial<Omit<NewAccountBody, 'kind'> & { active: boolean }>;

export interface CannedResponse {
  id: string;
  title: string;
  shortcut: string;
  body: string;
  locale: 'en' | 'th' | null;
  createdAt: number;
  updatedAt: number;
}

export type CannedResponseBody = Pick<CannedResponse, 'title' | 'shortcut' | 'body' | 'locale'>;

const at = (id: string) => encodeURIComponent(id);

export const adminApi = (api: Api) => ({
  users: () => api.json<{ users: User[] }>('GET', '/users'),
  createUser: (body: { email: string; name: string; role: Role; password: string }) => api.json<{ user: User }>('POST', '/users', body),
  updateUser: (id: string, patch: Partial<{ name: string; role: Role; active: boolean; password: string; phone: string | null }>) =>
    api.json<{ user: User }>('PATCH', `/users/${at(id)}`, patch),
  routing: (userId: string) => api.json<{ routing: RoutingProfile }>('GET', `/users/${at(userId)}/routing`),
  updateRouting: (userId: string, patch: RoutingProfilePatch) =>
    api.json<{ routing: RoutingProfile }>('PATCH', `/users/${at(userId)}/routing`, patch),

  queues: () => api.json<{ queues: Queue[] }>('GET', '/queues'),
  createQueue: (body: QueueBody) => api.json<{ queue: Queue }>('POST', '/queues', body),
  updateQueue: (id: string, body: QueueBody) => api.json<{ queue: Queue }>('PATCH', `/queues/${at(id)}`, body),
  deleteQueue: (id: string) => api.json<void>('DELETE', `/queues/${at(id)}`),
  setQueueMembers: (id: string, userIds: string[]) => api.json<{ queue: Queue }>('PUT', `/queues/${at(id)}/members`, { userIds }),

  accounts: () => api.json<{ accounts: ChannelAccount[] }>('GET', '/channel-accounts'),
  account: (id: string) => api.json<{ account: ChannelAccount; urls: AccountUrls }>('GET', `/channel-accounts/${at(id)}`),
  createAccount: (body: NewAccountBody) => api.json<{ account: ChannelAccount; urls: AccountUrls }>('POST', '/channel-accounts', body),
  updateAccount: (id: string, patch: AccountPatch) =>
    api.json<{ account: ChannelAccount; urls: AccountUrls }>('PATCH', `/channel-accounts/${at(id)}`, patch),
  deleteAccount: (id: string) => api.json<void>('DELETE', `/channel-accounts/${at(id)}`),
  voiceFlows: () => api.json<{ flows: VoiceFlow[] }>('GET', '/voice/flows'),

  emailImports: (accountId: string, statuses: EmailImportStatus[]) =>
    api.json<{ imports: EmailImport[] }>('GET', `/email/imports?accountId=${at(accountId)}&status=${statuses.join(',')}`),
  reprocessImport: (id: string) => api.json<{ import: EmailImport }>('POST', `/email/imports/${at(id)}/reprocess`),

  cannedResponses: () => api.json<{ cannedResponses: CannedResponse[]; placeholders?: string[] }>('GET', '/canned-responses'),
  createCannedResponse: (body: CannedResponseBody) => api.json<{ cannedResponse: CannedResponse }>('POST', '/canned-responses', body),
  updateCannedResponse: (id: string, patch: Partial<CannedResponseBody>) =>
    api.json<{ cannedResponse: CannedResponse }>('PATCH', `/canned-responses/${at(id)}`, patch),
  deleteCannedResponse: (id: string) => api.json<void>('DELETE', `/canned-responses/${at(id)}`),
});

export type AdminApi = ReturnType<typeof adminApi>;

/** Puts `item` in place of the one with its id, or at the end. */
export const upsert = <T extends { id: string }>(items: T[], item: T): T[] =>
  items.some((i) => i.id === item.id) ? items.map((i) => (i.id === item.id ? item : i)) : [...items, item];
