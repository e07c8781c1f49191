// Transferring the open conversation: to a colleague (it stays assigned; the note becomes a private
// note) or to a queue that serves its channel (unassigned, offered afresh). Agents cannot list their
// colleagues (GET /users is for supervisors), so for them the dialog offers queues and says why.
// A modal <dialog>: focus stays inside, Escape cancels; a refusal from the API stays on screen.
import { useEffect, useId, useRef, useState } from 'react';
import { PRESENCES, type Presence } from '../../../server/domain/routing/types.js';
import type { Conversation, User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { colleagues, presences, queues, transfer, type QueueChoice, type TransferTarget } from './conversation-api';
import { CONVERSATION_STRINGS } from './strings';

interface Props {
  api: Api;
  conversation: Conversation;
  customerName: string;
  me: User;
  onTransferred: (conversation: Conversation) => void;
  onClose: () => void;
}

export function TransferDialog({ api, conversation, customerName, me, onTransferred, onClose }: Props) {
  const s = useStrings(CONVERSATION_STRINGS);
  const { t } = useI18n();
  const ids = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [people, setPeople] = useState<User[] | null | undefined>(undefined); // null: may not list them
  const [presenceOf, setPresenceOf] = useState<ReadonlyMap<string, Presence>>(new Map());
  const [queueList, setQueueList] = useState<QueueChoice[]>([]);
  const [mode, setMode] = useState<'agent' | 'queue'>('queue');
  const [agentId, setAgentId] = useState('');
  const [queueId, setQueueId] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  useEffect(() => {
    let cancelled = false;
    const fail = (err: unknown) => !cancelled && setError(err instanceof Error ? err.message : String(err));
    Promise.all([colleagues(api), presences(api)]).then(([users, presence]) => {
      if (cancelled) return;
      // Who can take it now first: available, then the other states, then those never signed in.
      const rank = (u: User) => PRESENCES.indexOf(presence.get(u.id) ?? 'offline');
      const others =
        users
          ?.filter((u) => u.id !== me.id && u.id !== conversation.assigneeId)
          .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)) ?? null;
      setPeople(others);
      setPresenceOf(presence);
      if (others?.length) {
        setMode('agent');
        setAgentId(others[0]!.id);
      }
    }, fail);
    queues(api).then((all) => {
      if (cancelled) return;
      const serving = all.filter((q) => q.channels.includes(conversation.channelKind));
      setQueueList(serving);
      setQueueId((serving.find((q) => q.id === conversation.queueId) ?? serving[0])?.id ?? '');
    }, fail);
    return () => {
      cancelled = true;
    };
  }, [api, me.id, conversation.assigneeId, conversation.channelKind, conversation.queueId]);

  const target: TransferTarget | null =
    mode === 'agent' ? (agentId ? { toAgentId: agentId } : null) : queueId ? { toQueueId: queueId } : null;

  const submit = async () => {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      const { conversation: moved } = await transfer(api, conversation.id, target, note.trim() || undefined);
      onTransferred(moved);
      ref.current?.close();
    } catch (err) {
      setError(s('transferFailed', { error: err instanceof Error ? err.message : String(err) }));
      setBusy(false);
    }
  };

  const canPickAgent = people !== null && people !== undefined;
  return (
    <dialog ref={ref} className="conv-dialog" aria-labelledby={`${ids}-title`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id={`${ids}-title`}>{s('transferTitle')}</h2>
        <p className="conv-dialog-subject">{customerName}</p>
        <fieldset className="conv-dialog-choice">
          <legend className="visually-hidden">{s('transferTitle')}</legend>
          {canPickAgent && (
            <>
              <label className="conv-radio">
                <input type="radio" name="transfer-mode" checked={mode === 'agent'} onChange={() => setMode('agent')} />
                {s('toAgent')}
              </label>
              <select
                aria-label={s('targetAgent')}
                value={agentId}
                disabled={mode !== 'agent' || people.length === 0}
                onChange={(e) => setAgentId(e.target.value)}
              >
                {people.length === 0 && <option value="">{s('noOtherAgents')}</option>}
                {people.map((u) => (
                  <option key={u.id} value={u.id}>
                    {`${u.name} · ${t(`presence_${presenceOf.get(u.id) ?? 'offline'}`)}`}
                  </option>
                ))}
              </select>
            </>
          )}
          <label className="conv-radio">
            <input type="radio" name="transfer-mode" checked={mode === 'queue'} onChange={() => setMode('queue')} />
            {s('toQueue')}
          </label>
          <select
            aria-label={s('targetQueue')}
            value={queueId}
            disabled={mode !== 'queue' || queueList.length === 0}
            onChange={(e) => setQueueId(e.target.value)}
          >
            {queueList.length === 0 && <option value="">{s('noQueues')}</option>}
            {queueList.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
          {people === null && <p className="muted conv-dialog-hint">{s('agentsUnavailable')}</p>}
        </fieldset>
        <label className="conv-field">
          {s('transferNote')}
          <textarea rows={2} maxLength={5000} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        {error && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}
        <div className="conv-dialog-actions">
          <button type="button" className="btn btn-quiet" onClick={() => ref.current?.close()}>
            {s('cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !target}>
            {busy ? s('transferring') : s('confirmTransfer')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
