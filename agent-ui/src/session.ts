// What this browser tab remembers: the session (token and user) and each conversation's unsent draft.
// sessionStorage is per tab and is gone when the tab closes, which suits shared call-center desks.
import type { Session } from './api';

const SESSION_KEY = 'omnidesk.session';
const DRAFTS_KEY = 'omnidesk.drafts';

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
export interface Draft {
  text: string;
  mode: ComposeMode;
}

const EMPTY_DRAFT: Draft = { text: '', mode: 'reply' };

function readDrafts(): Record<string, Draft> {
  try {
    return (JSON.parse(sessionStorage.getItem(DRAFTS_KEY) ?? '{}') as Record<string, Draft>) ?? {};
  } catch {
    return {};
  }
}

// Kept in memory and mirrored to sessionStorage, so neither a reconnect nor a reload loses a draft.
let drafts: Record<string, Draft> = readDrafts();

export const draftOf = (conversationId: string): Draft => drafts[conversationId] ?? EMPTY_DRAFT;

export function saveDraft(conversationId: string, draft: Draft): void {
  const { [conversationId]: _old, ...rest } = drafts;
  drafts = draft.text === '' && draft.mode === 'reply' ? rest : { ...rest, [conversationId]: draft };
  sessionStorage.setItem(DRAFTS_KEY, JSON.stringify(drafts));
}

/** On an explicit sign-out only: an expired session keeps drafts for the next login. */
export function clearDrafts(): void {
  drafts = {};
  sessionStorage.removeItem(DRAFTS_KEY);
}
