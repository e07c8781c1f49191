// Reply or internal note. The draft lives outside React (see session.ts), so switching conversations,
// a reconnect or a reload keeps what the agent was typing.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Message } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import { draftOf, saveDraft, type ComposeMode } from '../session';
import type { AgentSocket } from '../socket';

interface Props {
  api: Api;
  socket: AgentSocket | null;
  conversationId: string;
  onSent: (messages: Message[]) => void;
}

// Say "typing" at most this often while keys are pressed, and "stopped" after this much quiet.
const TYPING_REPEAT_MS = 3_000;
const TYPING_IDLE_MS = 4_000;

export function Composer({ api, socket, conversationId, onSent }: Props) {
  const { t } = useI18n();
  const [text, setText] = useState(() => draftOf(conversationId).text);
  const [mode, setMode] = useState<ComposeMode>(() => draftOf(conversationId).mode);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const typing = useTypingSignal(socket, conversationId);

  useEffect(() => saveDraft(conversationId, { text, mode }), [conversationId, text, mode]);

  const changeMode = (next: ComposeMode) => {
    if (next === 'note') typing.stop(); // notes are private: the customer must not see "typing"
    setMode(next);
  };

  const send = async () => {
    if (!text.trim() || sending) return;
    setSending(true);
    setError(null);
    typing.stop();
    try {
      const { message } = await api.compose(conversationId, mode, text);
      onSent([message]);
      setText('');
    } catch (err) {
      setError(t('sendFailed', { error: err instanceof Error ? err.message : String(err) }));
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms a Thai or other IME candidate must not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  return (
    <form
      className={`composer composer-${mode}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div className="composer-modes" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'reply'} onClick={() => changeMode('reply')}>
          {t('reply')}
        </button>
        <button type="button" role="tab" aria-selected={mode === 'note'} onClick={() => changeMode('note')}>
          {t('note')}
        </button>
        {mode === 'note' && <span className="composer-hint">{t('noteHint')}</span>}
      </div>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <div className="composer-row">
        <textarea
          value={text}
          rows={3}
          placeholder={mode === 'reply' ? t('replyPlaceholder') : t('notePlaceholder')}
          aria-label={mode === 'reply' ? t('reply') : t('note')}
          onChange={(e) => {
            setText(e.target.value);
            if (mode === 'reply') typing.keystroke();
          }}
          onKeyDown={onKeyDown}
          onBlur={typing.stop}
        />
        <button type="submit" className="btn btn-primary" disabled={sending || !text.trim()}>
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

  return { keystroke, stop };
}
