// What an inbox list shows, as data: the tab (whose conversations), the filters and the searches.
// Pure: the same predicate decides what the REST query asks for and whether a live event keeps a
// conversation in the list, so a conversation that stops matching leaves it.
import type { ChannelKind, Conversation, ConversationStatus, Role } from '../../../server/domain/types.js';

/** Mine: assigned to me. Queues: unassigned, waiting in a queue I work. Unassigned: anyone's to take. All: supervisors. */
export type InboxTab = 'mine' | 'queues' | 'unassigned' | 'all';

/** `active` is open and pending (what needs work); `any` asks for every status. */
export type StatusFilter = 'active' | ConversationStatus | 'any';

export interface InboxFilters {
  status: StatusFilter;
  channel: ChannelKind | null;
  queueId: string | null;
  tag: string | null;
  minPriority: number | null;
}

export interface InboxQuery {
  tab: InboxTab;
  filters: InboxFilters;
  /** Text to find in messages (the server's `q`); '' for none. */
  text: string;
  /** Only this customer's conversations (picked from the customer search). */
  customerId: string | null;
}

export interface Viewer {
  id: string;
  role: Role;
  /** The queues I work; null until read. */
  queueIds: readonly string[] | null;
}

export const NO_FILTERS: InboxFilters = { status: 'active', channel: null, queueId: null, tag: null, minPriority: null };

export const tabsFor = (role: Role): InboxTab[] =>
  role === 'agent' ? ['mine', 'queues', 'unassigned'] : ['mine', 'queues', 'unassigned', 'all'];

/** Agents start where new work shows up; supervisors on everything. */
export const defaultTab = (role: Role): InboxTab => (role === 'agent' ? 'unassigned' : 'all');

const ACTIVE: ReadonlySet<ConversationStatus> = new Set(['open', 'pending']);

export function statusMatches(status: ConversationStatus, filter: StatusFilter): boolean {
  if (filter === 'any') return true;
  if (filter === 'active') return ACTIVE.has(status);
  return status === filter;
}

/** Whether a conversation is in a tab, whatever the filters (also used for the tabs' unread counts). */
export function belongsToTab(c: Conversation, tab: InboxTab, viewer: Viewer): boolean {
  switch (tab) {
    case 'mine':
      return c.assigneeId === viewer.id;
    case 'queues':
      return c.assigneeId === null && c.queueId !== null && (viewer.queueIds ?? []).includes(c.queueId);
    case 'unassigned':
      return c.assigneeId === null;
    case 'all':
      return viewer.role !== 'agent' || c.assigneeId === null || c.assigneeId === viewer.id;
  }
}

/**
 * Whether a conversation belongs in the list. Message text cannot be checked from a conversation, so
 * a text search keeps what the server found and only drops what stops matching the rest.
 */
export function matches(c: Conversation, query: InboxQuery, viewer: Viewer): boolean {
  const f = query.filters;
  return (
    belongsToTab(c, query.tab, viewer) &&
    statusMatches(c.status, f.status) &&
    (f.channel === null || c.channelKind === f.channel) &&
    (f.queueId === null || c.queueId === f.queueId) &&
    (f.tag === null || c.tags.includes(f.tag)) &&
    (f.minPriority === null || c.priority >= f.minPriority) &&
    (query.customerId === null || c.customerId === query.customerId)
  );
}

/** Whether the list shows work waiting (counts as unread) rather than a search over history. */
export const isUnreadCounted = (c: Conversation): boolean => ACTIVE.has(c.status);

export const PAGE_SIZE = 25;

/**
 * The REST queries that together make the list: one, or for "My queues" one per queue I work
 * (the API filters by a single queue). Empty when nothing can match (no queues, or a queue filter
 * outside mine).
 */
export function requestsFor(query: InboxQuery, viewer: Viewer, limit = PAGE_SIZE): URLSearchParams[] {
  const f = query.filters;
  const base = new URLSearchParams({ limit: String(limit) });
  if (f.status === 'active') base.set('status', 'open,pending');
  else if (f.status !== 'any') base.set('status', f.status);
  if (f.channel) base.set('channel', f.channel);
  if (f.tag) base.set('tag', f.tag);
  if (f.minPriority !== null) base.set('minPriority', String(f.minPriority));
  if (query.text.trim()) base.set('q', query.text.trim());
  if (query.customerId) base.set('customerId', query.customerId);

  if (query.tab === 'queues') {
    const mine = viewer.queueIds ?? [];
    const queues = f.queueId === null ? mine : mine.filter((q) => q === f.queueId);
    return queues.map((queueId) => {
      const params = new URLSearchParams(base);
      params.set('assignee', 'none');
      params.set('queueId', queueId);
      return params;
    });
  }
  if (f.queueId) base.set('queueId', f.queueId);
  if (query.tab === 'mine') base.set('assignee', 'me');
  else if (query.tab === 'unassigned') base.set('assignee', 'none');
  // 'all': no assignee filter (agents get their own and unassigned ones from the server).
  return [base];
}

/** Newest activity first, then id (the server's order, so cursors and live items agree). */
export const byActivity = (a: Conversation, b: Conversation): number =>
  b.lastMessageAt - a.lastMessageAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** How many filters differ from none (the filter button's badge). */
export function activeFilterCount(f: InboxFilters): number {
  return (f.status !== 'active' ? 1 : 0) + (f.channel ? 1 : 0) + (f.queueId ? 1 : 0) + (f.tag ? 1 : 0) + (f.minPriority !== null ? 1 : 0);
}

/** A stable key for a query: the list refetches when it changes. */
export const queryKey = (query: InboxQuery, viewer: Viewer): string =>
  JSON.stringify([query, viewer.id, viewer.role, viewer.queueIds === null ? null : [...viewer.queueIds].sort()]);
