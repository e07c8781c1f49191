// Transferring the open conversation: to a colleague (it stays assigned; the note becomes a private
// note) or to a queue that serves its channel (unassigned, offered afresh). Agents cannot list their
// colleagues (GET /users is for supervisors), so for them the dialog offers queues and says why.
// A modal <dialog>: focus stays inside, Escape cancels; a refusal from the API stays on screen.
import { useEffect, useState } from 'react';
import { PRESENCES, type Presence } from '../../../server/domain/routing/types.js';
import type { Conversation, User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { TransferForm, useTransferState, type TransferClasses } from '../components/TransferForm';
import { useI18n, useStrings } from '../i18n';
import { colleagues, presences, queues, transfer, type QueueChoice } from './conversation-api';
import { CONVERSATION_STRINGS } from './strings';

interface Props {
  api: Api;
  conversation: Conversation;
  customerName: string;
  me: User;
  onTransferred: (conversation: Conversation) => void;
  onClose: () => void;
}

const CLASSES: TransferClasses = {
  dialog: 'conv-dialog',
  choice: 'conv-dialog-choice',
  radio: 'conv-radio',
  field: 'conv-field',
  actions: 'conv-dialog-actions',
};

export function TransferDialog({ api, conversation, customerName, me, onTransferred, onClose }: Props) {
  const s = useStrings(CONVERSATION_STRINGS);
  const { t } = useI18n();
  const [people, setPeople] = useState<User[] | null | undefined>(undefined); // null: may not list them
  const [presenceOf, setPresenceOf] = useState<ReadonlyMap<string, Presence>>(new Map());
  const [queueList, setQueueList] = useState<QueueChoice[]>([]);
  const state = useTransferState('queue');
  const { setMode, setAgentId, setQueueId, setError } = state;

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
  }, [api, me.id, conversation.assigneeId, conversation.channelKind, conversation.queueId, setMode, setAgentId, setQueueId, setError]);

  return (
    <TransferForm
      state={state}
      labels={{
        title: s('transferTitle'),
        toAgent: s('toAgent'),
        targetAgent: s('targetAgent'),
        noAgents: s('noOtherAgents'),
        toQueue: s('toQueue'),
        targetQueue: s('targetQueue'),
        noQueues: s('noQueues'),
        note: s('transferNote'),
        cancel: s('cancel'),
        confirm: s('confirmTransfer'),
        busy: s('transferring'),
        failed: (error) => s('transferFailed', { error }),
      }}
      classes={CLASSES}
      radioName="transfer-mode"
      subject={<p className="conv-dialog-subject">{customerName}</p>}
      // Until the colleagues are read, and when they may not be listed, only queues are offered.
      agents={people?.map((u) => ({ id: u.id, label: `${u.name} · ${t(`presence_${presenceOf.get(u.id) ?? 'offline'}`)}` })) ?? null}
      queues={queueList}
      hint={people === null && <p className="muted conv-dialog-hint">{s('agentsUnavailable')}</p>}
      onTransfer={async (target, note) => {
        const { conversation: moved } = await transfer(api, conversation.id, target, note);
        onTransferred(moved);
      }}
      onClose={onClose}
    />
  );
}
