// Keyboard shortcuts of the open conversation. The list is data, so the console's `?` help overlay
// can show it: `keys` as written, `label` a key of CONVERSATION_STRINGS (read with useStrings).
// Alt shortcuts match the physical key (KeyboardEvent.code): on a Mac, Option+R types "®".
import type { ConversationKey } from './strings';

export type ConversationAction =
  'send' | 'toggleNote' | 'resolve' | 'snooze' | 'transfer' | 'take' | 'tags' | 'attach' | 'focus' | 'latest';

export interface ConversationShortcut {
  keys: string;
  label: ConversationKey;
  /** Set for the shortcuts the pane handles itself; the others are handled inside the composer. */
  action?: ConversationAction;
  /** The physical key pressed with Alt. */
  code?: string;
}

export const CONVERSATION_SHORTCUTS: readonly ConversationShortcut[] = [
  { keys: 'Ctrl+Enter', label: 'shortcutSend' },
  { keys: 'Shift+Enter', label: 'shortcutNewline' },
  { keys: '/', label: 'shortcutCanned' },
  { keys: 'Alt+N', label: 'shortcutToggleNote', action: 'toggleNote', code: 'KeyN' },
  { keys: 'Alt+R', label: 'shortcutResolve', action: 'resolve', code: 'KeyR' },
  { keys: 'Alt+S', label: 'shortcutSnooze', action: 'snooze', code: 'KeyS' },
  { keys: 'Alt+T', label: 'shortcutTransfer', action: 'transfer', code: 'KeyT' },
  { keys: 'Alt+A', label: 'shortcutTake', action: 'take', code: 'KeyA' },
  { keys: 'Alt+G', label: 'shortcutTags', action: 'tags', code: 'KeyG' },
  { keys: 'Alt+U', label: 'shortcutAttach', action: 'attach', code: 'KeyU' },
  { keys: 'Alt+C', label: 'shortcutFocus', action: 'focus', code: 'KeyC' },
  { keys: 'Alt+End', label: 'shortcutLatest', action: 'latest', code: 'End' },
];

/** The pane action an Alt shortcut stands for, if the key event is one. */
export function actionOf(e: Pick<KeyboardEvent, 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'code'>): ConversationAction | null {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return null;
  return CONVERSATION_SHORTCUTS.find((s) => s.code === e.code)?.action ?? null;
}
