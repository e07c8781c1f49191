// The agent's own status: available takes offers; away (with a reason), busy and offline do not.
// Wrap-up is set by routing after a conversation ends and clears itself.
import { useEffect, useState } from 'react';
import type { Presence } from '../../../server/domain/routing/types.js';
import type { Api } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import type { AgentSocket } from '../socket';

const CHOICES = ['available', 'away:break', 'away:lunch', 'away:meeting', 'away:training', 'busy', 'offline'] as const;

export function PresenceSwitch({ api, socket, userId }: { api: Api; socket: AgentSocket | null; userId: string }) {
  const { t } = useI18n();
  const [presence, setPresence] = useState<{ presence: Presence; reason: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.routing(userId).then(
      ({ routing }) => !cancelled && setPresence({ presence: routing.presence, reason: routing.presenceReason }),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api, userId]);

  useEffect(() => {
    if (!socket) return;
    const onChange = (e: { agentId: string; presence: Presence; reason: string | null }) => {
      if (e.agentId === userId) setPresence({ presence: e.presence, reason: e.reason });
    };
    socket.on('presence:changed', onChange);
    return () => {
      socket.off('presence:changed', onChange);
    };
  }, [socket, userId]);

  const value = presence ? (presence.presence === 'away' && presence.reason ? `away:${presence.reason}` : presence.presence) : '';
  const choose = async (choice: string) => {
    if (!socket) return;
    const [next, reason] = choice.split(':') as [Presence, string | undefined];
    const ack = await socket.emitWithAck('presence:set', { presence: next, ...(reason && { reason }) });
    setError(ack.ok ? null : ack.error.message);
  };
  const label = (choice: string) =>
    choice.startsWith('away:')
      ? `${t('presence_away')} · ${t(`awayReason_${choice.slice(5)}` as MessageKey)}`
      : t(`presence_${choice}` as MessageKey);

  return (
    <label className={`presence presence-${presence?.presence ?? 'offline'}`} title={error ?? undefined}>
      <span className="dot" aria-hidden="true" />
      <span className="visually-hidden">{t('presence')}</span>
      <select aria-label={t('presence')} value={value} disabled={!socket || !presence} onChange={(e) => void choose(e.target.value)}>
        {presence?.presence === 'wrap_up' && <option value="wrap_up">{t('presence_wrap_up')}</option>}
        {!CHOICES.includes(value as (typeof CHOICES)[number]) && presence?.presence === 'away' && (
          <option value={value}>{t('presence_away')}</option>
        )}
        {CHOICES.map((c) => (
          <option key={c} value={c}>
            {label(c)}
          </option>
        ))}
      </select>
    </label>
  );
}
