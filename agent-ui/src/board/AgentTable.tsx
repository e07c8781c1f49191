// Agents, one row each: state with its reason and how long they have been in it, load against
// capacity per channel class, the conversations they hold (each with Reassign), and a state to set.
import { useState } from 'react';
import type { Presence } from '../../../server/domain/routing/types.js';
import type { Conversation, User } from '../../../server/domain/types.js';
import { Avatar } from '../components/Avatar';
import { useI18n, useStrings, type MessageKey } from '../i18n';
import { Elapsed } from './Elapsed';
import { CLASSES, type BoardAgent } from './useAgentBoard';
import { BOARD_STRINGS } from './strings';
import { conversationName, usePresenceLabel } from './labels';

/** What a supervisor may set (wrap-up is routing's own). */
const CHOICES = ['available', 'away:break', 'away:lunch', 'away:meeting', 'away:training', 'busy', 'offline'] as const;

interface Props {
  agents: BoardAgent[];
  customerNames: ReadonlyMap<string, string | null>;
  me: User;
  skewMs: number;
  onSetPresence: (agent: BoardAgent, presence: Presence, reason: string | undefined) => Promise<boolean>;
  onReassign: (agent: BoardAgent, conversation: Conversation) => void;
}

export function AgentTable({ agents, customerNames, me, skewMs, onSetPresence, onReassign }: Props) {
  const s = useStrings(BOARD_STRINGS);
  return (
    <div className="board-scroll">
      <table className="board-table agent-table">
        <colgroup>
          <col className="col-agent" />
          <col className="col-state" />
          <col className="col-wait" />
          <col className="col-load" />
          <col className="col-convs" />
          <col className="col-action" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">{s('agent')}</th>
            <th scope="col">{s('state')}</th>
            <th scope="col" className="num">
              {s('timeInState')}
            </th>
            <th scope="col">{s('load')}</th>
            <th scope="col">{s('conversations')}</th>
            <th scope="col">{s('actions')}</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <AgentRow
              key={a.id}
              agent={a}
              isMe={a.id === me.id}
              customerNames={customerNames}
              skewMs={skewMs}
              onSetPresence={onSetPresence}
              onReassign={onReassign}
            />
          ))}
        </tbody>
      </table>
      {agents.length === 0 && <p className="board-empty">{s('noAgents')}</p>}
    </div>
  );
}

function AgentRow({
  agent,
  isMe,
  customerNames,
  skewMs,
  onSetPresence,
  onReassign,
}: Omit<Props, 'agents' | 'me'> & { agent: BoardAgent; isMe: boolean }) {
  const s = useStrings(BOARD_STRINGS);
  const { t } = useI18n();
  const presenceLabel = usePresenceLabel();
  const [choice, setChoice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const r = agent.routing;
  const presence: Presence = r?.presence ?? 'offline';
  const reason = r?.presenceReason ?? null;
  const current = presence === 'away' && reason ? `away:${reason}` : presence;
  const value = choice ?? current;

  const submit = async () => {
    if (value === current) return;
    const [next, why] = value.split(':') as [Presence, string | undefined];
    setSaving(true);
    const ok = await onSetPresence(agent, next, why);
    setSaving(false);
    if (ok) setChoice(null);
  };
  const optionLabel = (c: string) =>
    c.startsWith('away:') ? `${t('presence_away')} · ${t(`awayReason_${c.slice(5)}` as MessageKey)}` : t(`presence_${c}` as MessageKey);
  const label = presenceLabel(presence, reason);

  return (
    <tr data-agent-id={agent.id} data-presence={presence}>
      <th scope="row" className="agent-name" title={agent.email}>
        <span className="agent-who">
          <Avatar name={agent.name} size="small" />
          <span className="cell-clip" title={agent.name}>
            {agent.name}
            {isMe && <span className="muted"> ({s('you')})</span>}
          </span>
        </span>
      </th>
      <td data-col="state">
        <span className={`board-presence presence-${presence}`}>
          <span className="dot" aria-hidden="true" />
          <span className="cell-clip">{label.state}</span>
        </span>
        <span className="sub cell-clip">{r ? (label.reason ?? ' ') : s('noProfile')}</span>
      </td>
      <td data-col="in-state" className="num">
        {r ? <Elapsed since={r.presenceSince} skewMs={skewMs} /> : <span className="muted">—</span>}
      </td>
      <td data-col="load">
        <span className="load-grid">
          {CLASSES.map((c) => {
            const load = r?.load[c] ?? 0;
            const capacity = r?.capacity[c] ?? 0;
            const share = capacity > 0 ? Math.min(1, load / capacity) : 0;
            return (
              <span
                key={c}
                className={`load-item${load === 0 ? ' idle' : ''}${capacity > 0 && load >= capacity ? ' full' : ''}`}
                data-class={c}
                title={s('loadOf', { class: s(`classLong_${c}`), load: String(load), capacity: String(capacity) })}
              >
                <span className="load-text">
                  <span className="load-class">{s(`class_${c}`)}</span>
                  <span className="num">
                    {load}/{capacity}
                  </span>
                </span>
                <span className="load-bar" aria-hidden="true">
                  <span style={{ width: `${share * 100}%` }} />
                </span>
              </span>
            );
          })}
        </span>
      </td>
      <td data-col="conversations">
        {agent.conversations.length === 0 ? (
          <span className="muted">{s('noConversations')}</span>
        ) : (
          <ul className="agent-convs">
            {agent.conversations.map((c) => {
              const name = conversationName(c, customerNames, s('visitor'));
              return (
                <li key={c.id} data-conversation-id={c.id}>
                  <span className="conv-name cell-clip" title={name}>
                    {name}
                  </span>
                  <span className="chip">{t(`channel_${c.channelKind}` as MessageKey)}</span>
                  {c.status === 'pending' && <span className="chip chip-warn">{s('pending')}</span>}
                  {c.slaStatus === 'breached' && <span className="chip chip-danger">{s('slaBreached')}</span>}
                  {c.slaStatus === 'warning' && <span className="chip chip-warn">{s('slaWarning')}</span>}
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-label={s('reassignFor', { name })}
                    onClick={() => onReassign(agent, c)}
                  >
                    {s('reassign')}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </td>
      <td data-col="action">
        <form
          className="state-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <select
            aria-label={s('stateFor', { name: agent.name })}
            value={value}
            disabled={saving}
            onChange={(e) => setChoice(e.target.value)}
          >
            {!(CHOICES as readonly string[]).includes(current) && <option value={current}>{label.state}</option>}
            {CHOICES.map((c) => (
              <option key={c} value={c}>
                {optionLabel(c)}
              </option>
            ))}
          </select>
          <button
            type="submit"
            className="btn btn-small"
            aria-label={s('setStateFor', { name: agent.name })}
            disabled={saving || value === current}
          >
            {s('setState')}
          </button>
        </form>
      </td>
    </tr>
  );
}
