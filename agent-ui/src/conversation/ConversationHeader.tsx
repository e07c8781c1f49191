// The open conversation's header: who it is with, its channel, state, owner and SLA, and the actions
// an agent takes on it (each also on a shortcut, shown in its tooltip).
import type { ReactNode } from 'react';
import type { Conversation, User } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import { CONVERSATION_STRINGS } from './strings';

export type HeaderAction = 'take' | 'resolve' | 'reopen' | 'snooze' | 'transfer';

interface Props {
  conversation: Conversation;
  name: string;
  me: User;
  busy: boolean;
  onAction: (action: HeaderAction) => void;
  onPriority: (priority: number) => void;
  /** Channel-specific actions (a call conversation's "Call back"). */
  extra?: ReactNode;
  /** Marks beside the status (the satisfaction score). */
  badges?: ReactNode;
}

const PRIORITIES = Array.from({ length: 21 }, (_, i) => 10 - i);

export const isSupervisor = (user: User) => user.role === 'supervisor' || user.role === 'admin';

export function ConversationHeader({ conversation: c, name, me, busy, onAction, onPriority, extra, badges }: Props) {
  const { t } = useI18n();
  const s = useStrings(CONVERSATION_STRINGS);
  const mine = c.assigneeId === me.id;
  const closed = c.status === 'resolved';
  const snoozed = c.status === 'snoozed';
  return (
    <div className="pane-header">
      <div className="pane-title">
        <h2>{name}</h2>
        <div className="pane-subtitle">
          <span className="chip">{t(`channel_${c.channelKind}`)}</span>
          <span className={`chip chip-status-${c.status}`} data-conversation-status={c.status}>
            {t(`conv_${c.status}`)}
          </span>
          {badges}
          {c.slaStatus === 'warning' && <span className="chip chip-warn">{s('slaWarning')}</span>}
          {c.slaStatus === 'breached' && <span className="chip conv-chip-danger">{s('slaBreached')}</span>}
          {c.priority !== 0 && !isSupervisor(me) && <span className="chip">{s('priorityValue', { n: String(c.priority) })}</span>}
          <span className="muted">{c.assigneeId === null ? t('unassigned') : mine ? t('assignedToYou') : t('assignedToOther')}</span>
        </div>
      </div>
      <div className="pane-actions" role="group" aria-label={s('actions')}>
        {extra}
        {isSupervisor(me) && (
          <label className="priority-field" title={s('priorityHint')}>
            <span>{s('priority')}</span>
            <select value={c.priority} disabled={busy} onChange={(e) => onPriority(Number(e.target.value))}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p > 0 ? `+${p}` : p}
                </option>
              ))}
            </select>
          </label>
        )}
        {!mine && (
          <button type="button" className="btn" disabled={busy} onClick={() => onAction('take')} title="Alt+A">
            {t('assignToMe')}
          </button>
        )}
        <button type="button" className="btn" disabled={busy} onClick={() => onAction('transfer')} title="Alt+T">
          {s('transfer')}
        </button>
        {!closed && (
          <button type="button" className="btn" disabled={busy} onClick={() => onAction(snoozed ? 'reopen' : 'snooze')} title="Alt+S">
            {snoozed ? s('unsnooze') : s('snooze')}
          </button>
        )}
        <button
          type="button"
          className={closed ? 'btn' : 'btn btn-success'}
          disabled={busy}
          onClick={() => onAction(closed ? 'reopen' : 'resolve')}
          title="Alt+R"
        >
          {closed ? t('reopen') : t('resolve')}
        </button>
      </div>
    </div>
  );
}
