// The modal <dialog> both transfer dialogs share (the board's reassign and the conversation's
// transfer): to an agent (chosen from a list) or to a queue, with an optional note. It opens itself
// once, keeps focus inside, and Escape cancels; a refusal from the API stays on screen. Each caller
// keeps its own strings, classes and lists; the choice itself lives in useTransferState, so a caller
// can set it as its lists arrive.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export type TransferMode = 'agent' | 'queue';
export type TransferTarget = { toAgentId: string } | { toQueueId: string };

/** One agent to offer, with the text of its option. */
export interface TransferAgentChoice {
  id: string;
  label: string;
}

export interface TransferLabels {
  title: string;
  toAgent: string;
  targetAgent: string;
  noAgents: string;
  toQueue: string;
  targetQueue: string;
  noQueues: string;
  note: string;
  cancel: string;
  confirm: string;
  busy: string;
  /** The banner for a refused transfer, given the API's reason. */
  failed: (error: string) => string;
}

export interface TransferClasses {
  dialog: string;
  choice: string;
  radio: string;
  field: string;
  actions: string;
}

/** What is chosen, and the error on screen. `fallbackQueueId` stands until a queue is picked. */
export function useTransferState(initialMode: TransferMode, initialAgentId = '', fallbackQueueId = '') {
  const [mode, setMode] = useState<TransferMode>(initialMode);
  const [agentId, setAgentId] = useState(initialAgentId);
  const [pickedQueueId, setQueueId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const queueId = pickedQueueId || fallbackQueueId;
  return { mode, setMode, agentId, setAgentId, queueId, setQueueId, error, setError };
}

export type TransferState = ReturnType<typeof useTransferState>;

interface Props {
  state: TransferState;
  labels: TransferLabels;
  classes: TransferClasses;
  /** The name of the agent/queue radio group. */
  radioName: string;
  /** Who the conversation is with, under the title. */
  subject: ReactNode;
  /** null: no agent can be offered, and the agent choice is left out. */
  agents: TransferAgentChoice[] | null;
  queues: { id: string; name: string }[];
  /** Shown under the queue list. */
  hint?: ReactNode;
  onTransfer: (to: TransferTarget, note: string | undefined) => Promise<void>;
  onClose: () => void;
}

export function TransferForm({ state, labels, classes, radioName, subject, agents, queues, hint, onTransfer, onClose }: Props) {
  const { mode, setMode, agentId, setAgentId, queueId, setQueueId, error, setError } = state;
  const ids = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  // Opened once; leaving the page removes it (closing it here would report a close to the parent).
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const target: TransferTarget | null =
    mode === 'agent' ? (agentId ? { toAgentId: agentId } : null) : queueId ? { toQueueId: queueId } : null;

  const submit = async () => {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      await onTransfer(target, note.trim() || undefined);
      ref.current?.close();
    } catch (err) {
      setError(labels.failed(err instanceof Error ? err.message : String(err)));
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} className={classes.dialog} aria-labelledby={`${ids}-title`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id={`${ids}-title`}>{labels.title}</h2>
        {subject}
        <fieldset className={classes.choice}>
          <legend className="visually-hidden">{labels.title}</legend>
          {agents && (
            <>
              <label className={classes.radio}>
                <input type="radio" name={radioName} checked={mode === 'agent'} onChange={() => setMode('agent')} />
                {labels.toAgent}
              </label>
              <select
                aria-label={labels.targetAgent}
                value={agentId}
                disabled={mode !== 'agent' || agents.length === 0}
                onChange={(e) => setAgentId(e.target.value)}
              >
                {agents.length === 0 && <option value="">{labels.noAgents}</option>}
                {agents.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.label}
                  </option>
                ))}
              </select>
            </>
          )}
          <label className={classes.radio}>
            <input type="radio" name={radioName} checked={mode === 'queue'} onChange={() => setMode('queue')} />
            {labels.toQueue}
          </label>
          <select
            aria-label={labels.targetQueue}
            value={queueId}
            disabled={mode !== 'queue' || queues.length === 0}
            onChange={(e) => setQueueId(e.target.value)}
          >
            {queues.length === 0 && <option value="">{labels.noQueues}</option>}
            {queues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
          {hint}
        </fieldset>
        <label className={classes.field}>
          {labels.note}
          <textarea rows={2} maxLength={5000} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        {error && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}
        <div className={classes.actions}>
          <button type="button" className="btn btn-quiet" onClick={() => ref.current?.close()}>
            {labels.cancel}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !target}>
            {busy ? labels.busy : labels.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
