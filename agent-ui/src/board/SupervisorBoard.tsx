// The supervisor board: live queues (waiting, longest wait, service level, answered, abandoned, speed
// of answer, agents by state, Erlang C staffing) and agents (state, time in it, load, conversations),
// with a state to set and conversations to reassign. Mounted by the console as the "Board" tab for
// supervisors and admins; everything it shows arrives over REST and the console's socket.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Presence } from '../../../server/domain/routing/types.js';
import type { Conversation, User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import type { AgentSocket } from '../socket';
import { AgentTable } from './AgentTable';
import { conversationName } from './labels';
import { PresenceLegend } from './PresenceLegend';
import { QueueTable } from './QueueTable';
import { BOARD_STRINGS } from './strings';
import { TransferDialog, type QueueChoice } from './TransferDialog';
import { useAgentBoard, type BoardAgent } from './useAgentBoard';
import { useQueueStats } from './useQueueStats';
import './board.css';

interface Notice {
  id: number;
  text: string;
}

function useConnected(socket: AgentSocket | null): boolean {
  const [connected, setConnected] = useState(socket?.connected ?? false);
  useEffect(() => {
    if (!socket) return;
    const on = () => setConnected(true);
    const off = () => setConnected(false);
    setConnected(socket.connected);
    socket.on('connect', on);
    socket.on('disconnect', off);
    return () => {
      socket.off('connect', on);
      socket.off('disconnect', off);
    };
  }, [socket]);
  return connected;
}

export function SupervisorBoard({ api, socket, me }: { api: Api; socket: AgentSocket | null; me: User }) {
  const s = useStrings(BOARD_STRINGS);
  const { t } = useI18n();
  const allowed = me.role === 'supervisor' || me.role === 'admin';
  const { stats, skewMs, error: statsError } = useQueueStats(api, socket, allowed);
  const board = useAgentBoard(api, socket, allowed);
  const connected = useConnected(socket);
  const [queueFilter, setQueueFilter] = useState('all');
  const [notices, setNotices] = useState<Notice[]>([]);
  const noticeId = useRef(0);
  const [reassigning, setReassigning] = useState<{ agent: BoardAgent; conversation: Conversation } | null>(null);
  const [queues, setQueues] = useState<QueueChoice[]>([]);

  const notify = useCallback((text: string) => setNotices((list) => [...list, { id: ++noticeId.current, text }]), []);
  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

  const onSetPresence = async (agent: BoardAgent, presence: Presence, reason: string | undefined) => {
    try {
      await board.setPresence(agent.id, presence, reason);
      return true;
    } catch (err) {
      notify(s('stateFailed', { name: agent.name, error: errorText(err) }));
      return false;
    }
  };

  const onReassign = (agent: BoardAgent, conversation: Conversation) => {
    setReassigning({ agent, conversation });
    // Transfer targets need each queue's channels, which the statistics do not carry.
    api.json<{ queues: QueueChoice[] }>('GET', '/queues').then(
      (res) => setQueues(res.queues),
      (err: unknown) => notify(s('loadFailed', { error: errorText(err) })),
    );
  };

  const shown = useMemo(
    () => (queueFilter === 'all' ? board.agents : board.agents.filter((a) => a.routing?.queueIds.includes(queueFilter))),
    [board.agents, queueFilter],
  );

  if (!allowed) {
    return (
      <main className="board">
        <p className="banner">{s('supervisorsOnly')}</p>
      </main>
    );
  }

  const loadError = statsError ?? board.error;
  return (
    <main className="board" aria-labelledby="board-title">
      <div className="board-head">
        <h2 id="board-title">{s('boardTitle')}</h2>
        <span className={`board-live${connected ? ' on' : ''}`} role="status">
          <span className="dot" aria-hidden="true" />
          {connected ? s('live') : s('offlineData')}
        </span>
      </div>

      {(loadError || notices.length > 0) && (
        <div className="board-notices">
          {loadError && (
            <p className="banner banner-error" role="alert">
              {s('loadFailed', { error: loadError })}
            </p>
          )}
          {notices.map((n) => (
            <p key={n.id} className="banner banner-error board-notice" role="alert">
              <span>{n.text}</span>
              <button
                type="button"
                className="btn btn-quiet btn-small"
                aria-label={s('dismiss')}
                onClick={() => setNotices((list) => list.filter((x) => x.id !== n.id))}
              >
                ×
              </button>
            </p>
          ))}
        </div>
      )}

      <section className="board-card" aria-labelledby="board-queues">
        <header className="board-card-head">
          <div>
            <h3 id="board-queues">{s('queues')}</h3>
            <p className="muted">{s('queuesHint')}</p>
          </div>
          <PresenceLegend />
        </header>
        {stats ? <QueueTable stats={stats} skewMs={skewMs} /> : <p className="board-empty">{t('loading')}</p>}
      </section>

      <section className="board-card" aria-labelledby="board-agents">
        <header className="board-card-head">
          <div>
            <h3 id="board-agents">{s('agents')}</h3>
            <p className="muted">{s('agentsHint')}</p>
          </div>
          <label className="board-filter">
            {s('filterQueue')}
            <select value={queueFilter} onChange={(e) => setQueueFilter(e.target.value)}>
              <option value="all">{s('allQueues')}</option>
              {stats?.queues.map((q) => (
                <option key={q.queueId} value={q.queueId}>
                  {q.name}
                </option>
              ))}
            </select>
          </label>
        </header>
        {board.loading ? (
          <p className="board-empty">{t('loading')}</p>
        ) : (
          <AgentTable
            agents={shown}
            customerNames={board.customerNames}
            me={me}
            skewMs={skewMs}
            onSetPresence={onSetPresence}
            onReassign={onReassign}
          />
        )}
      </section>

      {reassigning && (
        <TransferDialog
          key={reassigning.conversation.id}
          conversation={reassigning.conversation}
          customerName={conversationName(reassigning.conversation, board.customerNames, s('visitor'))}
          from={reassigning.agent}
          agents={board.agents}
          queues={queues}
          onTransfer={(to, note) => board.transfer(reassigning.conversation.id, to, note)}
          onClose={() => setReassigning(null)}
        />
      )}
    </main>
  );
}
