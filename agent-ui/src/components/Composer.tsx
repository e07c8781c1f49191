// Reply or internal note, with canned responses ("/" at the start), attachments and the send keys.
// The draft (text, mode, uploaded files) lives outside React (see session.ts), so switching
// conversations, a reconnect or a reload keeps what the agent was writing. Sending hands the message
// to the unsent queue (conversation/unsent.ts) and clears the box: from then on the timeline shows it.
import { useCallback, useEffect, useId, useImperativeHandle, useMemo, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { draftOf, saveDraft, type ComposeMode, type DraftAttachment } from '../session';
import type { AgentSocket } from '../socket';
import { CannedPicker, optionId, useCannedSearch } from '../conversation/CannedPicker';
import { renderCanned, type CannedResponse } from '../conversation/conversation-api';
import { CONVERSATION_STRINGS } from '../conversation/strings';
import { ACCEPTED_FILES, useUploads } from '../conversation/useUploads';
import { formatSize } from './Attachment';

export interface ComposerControls {
  focus: () => void;
  toggleMode: () => void;
  attach: () => void;
  /** Puts an unsent message back for editing (added to whatever is being written). */
  restore: (message: { mode: ComposeMode; text: string; attachments: DraftAttachment[] }) => void;
}

export interface OutgoingDraft {
  mode: ComposeMode;
  text: string;
  attachments: DraftAttachment[];
}

interface Props {
  api: Api;
  socket: AgentSocket | null;
  conversationId: string;
  customerLocale: string | null;
  onSend: (draft: OutgoingDraft) => void;
  controls?: Ref<ComposerControls>;
}

// Say "typing" at most this often while keys are pressed, and "stopped" after this much quiet.
const TYPING_REPEAT_MS = 3_000;
const TYPING_IDLE_MS = 4_000;

/** "/gre" at the very start of the message, with no space yet: the canned response search. */
const cannedQueryOf = (text: string): string | null => /^\/([^\s/]*)$/.exec(text)?.[1] ?? null;

export function Composer({ api, socket, conversationId, customerLocale, onSend, controls }: Props) {
  const { t } = useI18n();
  const s = useStrings(CONVERSATION_STRINGS);
  const ids = useId();
  const [text, setText] = useState(() => draftOf(conversationId).text);
  const [mode, setMode] = useState<ComposeMode>(() => draftOf(conversationId).mode);
  const [canned, setCanned] = useState<string | undefined>(() => draftOf(conversationId).canned);
  const uploads = useUploads(api, conversationId, draftOf(conversationId).attachments ?? []);
  const typing = useTypingSignal(socket, conversationId);
  const box = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // The canned response picker.
  const query = cannedQueryOf(text);
  const [dismissed, setDismissed] = useState(false);
  const [active, setActive] = useState(0);
  const [filling, setFilling] = useState<string | null>(null);
  const [cannedError, setCannedError] = useState<string | null>(null);
  const pickerOpen = query !== null && !dismissed && filling === null;
  const search = useCannedSearch(api, pickerOpen, query ?? '', customerLocale);
  const listId = `${ids}-canned`;
  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    if (query === null) setDismissed(false);
  }, [query]);

  const { attachments } = uploads;
  useEffect(
    () => saveDraft(conversationId, { text, mode, attachments, ...(canned ? { canned } : {}) }),
    [conversationId, text, mode, attachments, canned],
  );

  const changeMode = useCallback(
    (next: ComposeMode) => {
      if (next === 'note') typing.stop(); // notes are private: the customer must not see "typing"
      setMode(next);
    },
    [typing],
  );

  useImperativeHandle(
    controls,
    () => ({
      focus: () => box.current?.focus(),
      toggleMode: () => {
        changeMode(mode === 'reply' ? 'note' : 'reply');
        box.current?.focus();
      },
      attach: () => fileInput.current?.click(),
      restore: (m) => {
        setMode(m.mode);
        setText((current) => (current.trim() ? `${current}\n${m.text}` : m.text));
        uploads.reset([...attachments, ...m.attachments]);
        box.current?.focus();
      },
    }),
    [changeMode, mode, uploads, attachments],
  );

  const choose = async (c: CannedResponse) => {
    setFilling(c.title);
    setCannedError(null);
    try {
      const filled = await renderCanned(api, c.id, conversationId);
      setText(filled);
      setCanned(c.title);
      requestAnimationFrame(() => box.current?.setSelectionRange(filled.length, filled.length));
    } catch (err) {
      setCannedError(s('cannedFailed', { error: err instanceof Error ? err.message : String(err) }));
    } finally {
      setFilling(null);
      box.current?.focus();
    }
  };

  const hasContent = text.trim() !== '' || attachments.length > 0 || uploads.uploading.length > 0;
  // Sending while files still upload waits for them (and is called off if one is refused).
  const [waitingForUploads, setWaitingForUploads] = useState<number | null>(null); // errors shown when asked
  const send = () => {
    if (!hasContent || filling !== null) return;
    if (uploads.uploading.length > 0) return setWaitingForUploads(uploads.errors.length);
    typing.stop();
    onSend({ mode, text, attachments });
    setText('');
    setCanned(undefined);
    uploads.reset();
  };
  const latestSend = useRef(send);
  latestSend.current = send;
  useEffect(() => {
    if (waitingForUploads === null || uploads.uploading.length > 0) return;
    setWaitingForUploads(null);
    if (uploads.errors.length === waitingForUploads) latestSend.current();
  }, [waitingForUploads, uploads.uploading.length, uploads.errors.length]);

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return; // Enter that confirms a Thai or other IME candidate must not send
    if (pickerOpen) {
      const n = search.results.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (n) setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        const chosen = search.results[active];
        // Enter never sends "/gre" to the customer while the list is open (results may still be coming).
        if (chosen || e.key === 'Enter') e.preventDefault();
        if (chosen) void choose(chosen);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setDismissed(true);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      send();
    }
  };

  const placeholder = mode === 'reply' ? t('replyPlaceholder') : t('notePlaceholder');
  return (
    <form
      className={`composer composer-${mode}`}
      aria-label={s('composer')}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        if (!e.dataTransfer.files.length) return;
        e.preventDefault();
        uploads.add(e.dataTransfer.files);
      }}
    >
      <div className="composer-modes" role="tablist" aria-label={s('composeMode')}>
        <button type="button" role="tab" aria-selected={mode === 'reply'} onClick={() => changeMode('reply')}>
          {t('reply')}
        </button>
        <button type="button" role="tab" aria-selected={mode === 'note'} onClick={() => changeMode('note')}>
          <span aria-hidden="true">🔒 </span>
          {t('note')}
        </button>
        {mode === 'note' && <span className="composer-hint">{t('noteHint')}</span>}
      </div>

      {[...uploads.errors, ...(cannedError ? [{ key: 'canned', text: cannedError }] : [])].map((err) => (
        <p key={err.key} className="banner banner-error composer-error" role="alert">
          <span>{err.text}</span>
          <button
            type="button"
            className="conv-link"
            onClick={() => (err.key === 'canned' ? setCannedError(null) : uploads.dismissError(err.key))}
          >
            {s('dismiss')}
          </button>
        </p>
      ))}
      {(canned || filling) && text.trim() !== '' && (
        <p className="canned-preview" role="status">
          <span>{filling ? s('cannedInserting', { title: filling }) : s('cannedPreview', { title: canned ?? '' })}</span>
          {canned && (
            <button
              type="button"
              className="conv-link"
              onClick={() => {
                setText('');
                setCanned(undefined);
                box.current?.focus();
              }}
            >
              {s('cannedClear')}
            </button>
          )}
        </p>
      )}

      {pickerOpen && (
        <CannedPicker
          id={listId}
          query={query ?? ''}
          search={search}
          active={active}
          onHover={setActive}
          onChoose={(c) => void choose(c)}
        />
      )}
      <div className="composer-input">
        <textarea
          ref={box}
          value={text}
          rows={3}
          placeholder={placeholder}
          aria-label={mode === 'reply' ? t('reply') : t('note')}
          aria-describedby={`${ids}-hint`}
          aria-controls={pickerOpen ? listId : undefined}
          aria-activedescendant={pickerOpen && search.results.length ? optionId(listId, active) : undefined}
          aria-autocomplete="list"
          onChange={(e) => {
            setText(e.target.value);
            if (!e.target.value.trim()) setCanned(undefined);
            if (mode === 'reply') typing.keystroke();
          }}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            if (e.clipboardData.files.length === 0) return;
            e.preventDefault();
            uploads.add(e.clipboardData.files);
          }}
          onBlur={typing.stop}
        />
      </div>

      {(attachments.length > 0 || uploads.uploading.length > 0) && (
        <ul className="composer-files" aria-label={s('attachments')}>
          {attachments.map((a) => (
            <li key={a.id} className="composer-file">
              <span className="composer-file-name">{a.filename}</span>
              <span className="muted">{formatSize(a.size)}</span>
              <button
                type="button"
                className="composer-file-remove"
                aria-label={s('removeAttachment', { name: a.filename })}
                onClick={() => uploads.remove(a.id)}
              >
                ×
              </button>
            </li>
          ))}
          {uploads.uploading.map((u) => (
            <li key={u.key} className="composer-file composer-file-uploading" aria-busy="true">
              <span className="composer-file-name">{u.filename}</span>
              <span className="muted">{s('uploading')}</span>
            </li>
          ))}
        </ul>
      )}

      <div className="composer-footer">
        <button
          type="button"
          className="btn btn-quiet composer-attach"
          onClick={() => fileInput.current?.click()}
          title={`${s('attach')} (Alt+U)`}
        >
          <span aria-hidden="true">📎</span>
          <span className="visually-hidden">{s('attach')}</span>
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          accept={ACCEPTED_FILES}
          aria-label={s('attach')}
          onChange={(e) => {
            if (e.target.files) uploads.add(e.target.files);
            e.target.value = ''; // choosing the same file again must fire again
          }}
        />
        <span id={`${ids}-hint`} className="composer-keys" aria-live="polite">
          {waitingForUploads !== null ? s('sendsAfterUpload') : s('sendShortcut')}
        </span>
        <button type="submit" className="btn btn-primary" disabled={!hasContent || filling !== null || waitingForUploads !== null}>
          {mode === 'reply' ? t('send') : t('addNote')}
        </button>
      </div>
    </form>
  );
}

/** Tells the customer an agent is typing, without an event per key. */
function useTypingSignal(socket: AgentSocket | null, conversationId: string) {
  const state = useRef({ typing: false, lastSent: 0, idle: undefined as ReturnType<typeof setTimeout> | undefined });
  const emit = useRef((_typing: boolean) => {});
  useEffect(() => {
    emit.current = (typing) => socket?.emit('agent:typing', { conversationId, typing });
  }, [socket, conversationId]);

  const stop = useCallback(() => {
    const s = state.current;
    clearTimeout(s.idle);
    if (s.typing) emit.current(false);
    s.typing = false;
  }, []);

  const keystroke = useCallback(() => {
    const s = state.current;
    const now = Date.now();
    if (!s.typing || now - s.lastSent > TYPING_REPEAT_MS) {
      emit.current(true);
      s.typing = true;
      s.lastSent = now;
    }
    clearTimeout(s.idle);
    s.idle = setTimeout(stop, TYPING_IDLE_MS);
  }, [stop]);

  useEffect(() => stop, [stop]); // leaving the conversation ends "typing"

  return useMemo(() => ({ keystroke, stop }), [keystroke, stop]);
}
