// Reassigning one conversation: to another agent (it stays assigned; the note is stored as a private
// note) or back to a queue that serves its channel (unassigned, offered afresh, not to this agent).
// A modal <dialog>: focus stays inside, Escape cancels. A refusal from the API stays on screen.
import { capacityClassOf, PRESENCES } from '../../../server/domain/routing/types.js';
import type { ChannelKind, Conversation } from '../../../server/domain/types.js';
import { TransferForm, useTransferState, type TransferClasses } from '../components/TransferForm';
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

const CLASSES: TransferClasses = {
  dialog: 'board-dialog',
  choice: 'dialog-choice',
  radio: 'radio',
  field: 'field',
  actions: 'dialog-actions',
};

export function TransferDialog({ conversation, customerName, from, agents, queues, onTransfer, onClose }: Props) {
  const s = useStrings(BOARD_STRINGS);
  const { t } = useI18n();
  const cls = capacityClassOf(conversation.channelKind);
  const rank = (a: BoardAgent) => PRESENCES.indexOf(a.routing?.presence ?? 'offline');
  const others = agents.filter((a) => a.id !== from.id).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const serving = queues.filter((q) => q.channels.includes(conversation.channelKind));
  // The queue list arrives after the dialog opened: until one is chosen, the conversation's own queue.
  const ownQueue = (serving.find((q) => q.id === conversation.queueId) ?? serving[0])?.id || '';
  const state = useTransferState('agent', others[0]?.id ?? '', ownQueue);

  const agentOption = (a: BoardAgent) =>
    s('agentOption', {
      name: a.name,
      state: t(`presence_${a.routing?.presence ?? 'offline'}` as MessageKey),
      load: `${s(`class_${cls}`)} ${a.routing?.load[cls] ?? 0}/${a.routing?.capacity[cls] ?? 0}`,
    });

  return (
    <TransferForm
      state={state}
      labels={{
        title: s('reassignTitle'),
        toAgent: s('toAgent'),
        targetAgent: s('targetAgent'),
        noAgents: s('noOtherAgents'),
        toQueue: s('toQueue'),
        targetQueue: s('targetQueue'),
        noQueues: s('noQueueServes'),
        note: s('note'),
        cancel: s('cancel'),
        confirm: s('confirmReassign'),
        busy: s('reassigning'),
        failed: (error) => s('reassignFailed', { error }),
      }}
      classes={CLASSES}
      radioName="mode"
      subject={
        <>
          <p className="dialog-subject">
            <strong>{customerName}</strong> <span className="chip">{t(`channel_${conversation.channelKind}` as MessageKey)}</span>
          </p>
          <p className="muted">{s('currentlyWith', { name: from.name })}</p>
        </>
      }
      agents={others.map((a) => ({ id: a.id, label: agentOption(a) }))}
      queues={serving}
      onTransfer={onTransfer}
      onClose={onClose}
    />
  );
}
