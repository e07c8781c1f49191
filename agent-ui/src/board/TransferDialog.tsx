// Reassigning one conversation: to another agent (it stays assigned; the note is stored as a private
// note) or back to a queue that serves its channel (unassigned, offered afresh, not to this agent).
// A modal <dialog>: focus stays inside, Escape cancels. A refusal from the API stays on screen.
import { useEffect, useId, useRef, useState } from 'react';
import { capacityClassOf, PRESENCES } from '../../../server/domain/routing/types.js';
import type { ChannelKind, Conversation } from '../../../server/domain/types.js';
import { useI18n, useStrings, type MessageKey } from '../i18n';
import { BOARD_STRINGS } from './strings';
import type { BoardAgent } from './useAgentBoard';

export interface QueueChoice {
  id: string;
  name: string;
  channels: ChannelKind[];
}

interface Props {
  conversation: Conversation;
  customerName: string;
  from: BoardAgent;
  agents: BoardAgent[];
  queues: QueueChoice[];
  onTransfer: (to: { toAgentId: string } | { toQueueId: string }, note: string | undefined) => Promise<void>;
  onClose: () => void;
}

export function TransferDialog({ conversation, customerName, from, agents, queues, onTransfer, onClose }: Props) {
  const s = useStrings(BOARD_STRINGS);
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const ids = useId();
  const cls = capacityClassOf(conversation.channelKind);
  const rank = (a: BoardAgent) => PRESENCES.indexOf(a.routing?.presence ?? 'offline');
  const others = agents.filter((a) => a.id !== from.id).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const serving = queues.filter((q) => q.channels.includes(conversation.channelKind));
  const [mode, setMode] = useState<'agent' | 'queue'>('agent');
  const [agentId, setAgentId] = useState(others[0]?.id ?? '');
  const [queueId, setQueueId] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Opened once; leaving the page removes it (closing it here would report a close to the parent).
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  // The queue list arrives after the dialog opened: until one is chosen, the conversation's own queue.
  const queueChoice = queueId || (serving.find((q) => q.id === conversation.queueId) ?? serving[0])?.id || '';
  const target = mode === 'agent' ? agentId : queueChoice;

  const submit = async () => {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      await onTransfer(mode === 'agent' ? { toAgentId: target } : { toQueueId: target }, note.trim() || undefined);
      ref.current?.close();
    } catch (err) {
      setError(s('reassignFailed', { error: err instanceof Error ? err.message : String(err) }));
      setBusy(false);
    }
  };

  const agentOption = (a: BoardAgent) =>
    s('agentOption', {
      name: a.name,
      state: t(`presence_${a.routing?.presence ?? 'offline'}` as MessageKey),
      load: `${s(`class_${cls}`)} ${a.routing?.load[cls] ?? 0}/${a.routing?.capacity[cls] ?? 0}`,
    });

  return (
    <dialog ref={ref} className="board-dialog" aria-labelledby={`${ids}-title`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id={`${ids}-title`}>{s('reassignTitle')}</h2>
        <p className="dialog-subject">
          <strong>{customerName}</strong> <span className="chip">{t(`channel_${conversation.channelKind}` as MessageKey)}</span>
        </p>
        <p className="muted">{s('currentlyWith', { name: from.name })}</p>

        <fieldset className="dialog-choice">
          <legend className="visually-hidden">{s('reassignTitle')}</legend>
          <label className="radio">
            <input type="radio" name="mode" checked={mode === 'agent'} onChange={() => setMode('agent')} />
            {s('toAgent')}
          </label>
          <select
            aria-label={s('targetAgent')}
            value={agentId}
            disabled={mode !== 'agent' || others.length === 0}
            onChange={(e) => setAgentId(e.target.value)}
          >
            {others.length === 0 && <option value="">{s('noOtherAgents')}</option>}
            {others.map((a) => (
              <option key={a.id} value={a.id}>
                {agentOption(a)}
              </option>
            ))}
          </select>
          <label className="radio">
            <input type="radio" name="mode" checked={mode === 'queue'} onChange={() => setMode('queue')} />
            {s('toQueue')}
          </label>
          <select
            aria-label={s('targetQueue')}
            value={queueChoice}
            disabled={mode !== 'queue' || serving.length === 0}
            onChange={(e) => setQueueId(e.target.value)}
          >
            {serving.length === 0 && <option value="">{s('noQueueServes')}</option>}
            {serving.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
        </fieldset>

        <label className="field">
          {s('note')}
          <textarea rows={2} maxLength={5000} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>

        {error && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn btn-quiet" onClick={() => ref.current?.close()}>
            {s('cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !target}>
            {busy ? s('reassigning') : s('confirmReassign')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
