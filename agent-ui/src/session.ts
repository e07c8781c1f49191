// What this browser tab remembers: the session (token and user), each conversation's draft, and the
// messages sent but not yet confirmed by the server.
// sessionStorage is per tab and is gone when the tab closes, which suits shared call-center desks.
import type { Session } from './api';

const SESSION_KEY = 'omnidesk.session';
const DRAFTS_KEY = 'omnidesk.drafts';
const UNSENT_KEY = 'omnidesk.unsent';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    const session = raw ? (JSON.parse(raw) as Session) : null;
    return session && typeof session.token === 'string' && session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

export type ComposeMode = 'reply' | 'note';

/** A file already uploaded for the message being written. */
export interface DraftAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface Draft {
  text: string;
  mode: ComposeMode;
  attachments?: DraftAttachment[];
  /** The title of the canned response the text was filled from, while it is being previewed. */
  canned?: string;
}

const EMPTY_DRAFT: Draft = { text: '', mode: 'reply' };

function read<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(sessionStorage.getItem(key) ?? 'null') as T) ?? fallback;
  } catch {
    return fallback;
  }
}

// Kept in memory and mirrored to sessionStorage, so neither a reconnect nor a reload loses a draft.
let drafts: Record<string, Draft> = read<Record<string, Draft>>(DRAFTS_KEY, {});

export const draftOf = (conversationId: string): Draft => drafts[conversationId] ?? EMPTY_DRAFT;

const isEmpty = (d: Draft) => d.text === '' && d.mode === 'reply' && !d.attachments?.length;

export function saveDraft(conversationId: string, draft: Draft): void {
  const { [conversationId]: _old, ...rest } = drafts;
  drafts = isEmpty(draft) ? rest : { ...rest, [conversationId]: draft };
  sessionStorage.setItem(DRAFTS_KEY, JSON.stringify(drafts));
}

/**
 * A reply or note the agent sent that the server has not confirmed: on screen as "sending" or "not
 * sent" with a retry, and kept here so that neither a lost connection nor a reload drops it.
 */
export interface UnsentMessage {
  clientId: string;
  /** Who wrote it: after a session expires, another agent may sign in at this desk. */
  userId: string;
  conversationId: string;
  mode: ComposeMode;
  text: string;
  attachments: DraftAttachment[];
  /** The newest stored message when it was first sent: a retry looks after it for a copy that did arrive. */
  after: string | undefined;
  firstTriedAt: number;
  state: 'sending' | 'failed';
  /** Why it failed; null when no answer came (offline): then it may or may not have arrived. */
  error: string | null;
}

/** Unsent messages from before a reload; one that was still sending then has an unknown fate: failed. */
export const loadUnsent = (): UnsentMessage[] =>
  read<UnsentMessage[]>(UNSENT_KEY, []).map((m) => (m.state === 'sending' ? { ...m, state: 'failed', error: null } : m));

export function saveUnsent(unsent: UnsentMessage[]): void {
  if (unsent.length) sessionStorage.setItem(UNSENT_KEY, JSON.stringify(unsent));
  else sessionStorage.removeItem(UNSENT_KEY);
}

/** On an explicit sign-out only: an expired session keeps drafts (and unsent messages) for the next login. */
export function clearDrafts(): void {
  drafts = {};
  sessionStorage.removeItem(DRAFTS_KEY);
  sessionStorage.removeItem(UNSENT_KEY);
}
