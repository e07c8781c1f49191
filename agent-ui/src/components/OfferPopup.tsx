// An offered conversation: who (a compact profile: the screen pop), which channel and queue, how long
// they have waited, a countdown to the accept deadline and a short chime. Accept assigns it and opens
// it; decline passes it on. The console also fills the customer panel with the offered customer.
import { useEffect, useRef, useState } from 'react';
import type { Offer } from '../../../server/domain/routing/types.js';
import type { Conversation } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import type { AgentSocket } from '../socket';
import { customerApi, type CustomerProfile, type ProfileWithHistory } from '../customer/customer-api';
import { CompactProfile } from '../customer/CompactProfile';
import { displayName } from '../hooks/useCustomers';
import '../customer/screen-pop.css';

interface Pending {
  offer: Offer;
  conversation: Conversation;
  /** undefined while it loads, null if it could not be read. */
  profile: ProfileWithHistory | null | undefined;
  queueName: string | null;
}

/** The offered conversation while an offer is open (null once it is answered or gone). */
export type ScreenPop = Pick<Conversation, 'id' | 'customerId'> | null;

/** A two-note chime from the Web Audio API: no sound file to ship or load. */
function chime(): void {
  try {
    const ctx = new AudioContext();
    [880, 660].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, ctx.currentTime + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.18 + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.18);
      osc.stop(ctx.currentTime + i * 0.18 + 0.17);
    });
  } catch {
    // No audio (autoplay policy, headless): the visual pop-up is enough.
  }
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

export function OfferPopup({
  api,
  socket,
  userId,
  onAccepted,
  onScreenPop,
  popCustomer,
}: {
  api: Api;
  socket: AgentSocket | null;
  userId: string;
  onAccepted: (id: string) => void;
  onScreenPop: (pop: ScreenPop) => void;
  /** The screen-popped customer as the panel has it now (after details were added or the profile was linked). */
  popCustomer: CustomerProfile | null;
}) {
  const { t } = useI18n();
  const [pending, setPending] = useState<Pending | null>(null);
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState<string | null>(null);
  const queueNames = useRef(new Map<string, string>());
  const offered = useRef<string | null>(null);
  const screenPop = useRef(onScreenPop);
  screenPop.current = onScreenPop;

  useEffect(() => {
    if (!socket) return;
    const onOffer = async ({ offer, conversation }: { offer: Offer; conversation: Conversation }) => {
      if (offer.agentId !== userId) return;
      setError(null);
      setPending({ offer, conversation, profile: undefined, queueName: queueNames.current.get(offer.queueId) ?? null });
      offered.current = conversation.id;
      screenPop.current({ id: conversation.id, customerId: conversation.customerId });
      chime();
      const [profile, queues] = await Promise.all([
        customerApi(api)
          .profile(conversation.customerId)
          .catch(() => null),
        queueNames.current.size ? null : api.queues().catch(() => null),
      ]);
      for (const q of queues?.queues ?? []) queueNames.current.set(q.id, q.name);
      setPending((p) =>
        p?.offer.conversationId === offer.conversationId ? { ...p, profile, queueName: queueNames.current.get(offer.queueId) ?? null } : p,
      );
    };
    const onEnded = ({ offer }: { offer: Offer }) => {
      if (offered.current !== offer.conversationId) return;
      offered.current = null;
      setPending(null);
      screenPop.current(null);
    };
    socket.on('offer:new', onOffer);
    socket.on('offer:ended', onEnded);
    return () => {
      socket.off('offer:new', onOffer);
      socket.off('offer:ended', onEnded);
    };
  }, [api, socket, userId]);

  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [pending]);

  if (!pending || !socket) return null;
  const { offer, conversation } = pending;
  const profile = pending.profile && popCustomer ? { ...pending.profile, customer: popCustomer } : pending.profile;
  const answer = async (kind: 'accept' | 'decline') => {
    const ack = await socket.emitWithAck(kind === 'accept' ? 'offer:accept' : 'offer:decline', { conversationId: offer.conversationId });
    if (!ack.ok) {
      setError(ack.error.code === 'CONFLICT' ? t('offerGone') : ack.error.message);
      return;
    }
    offered.current = null;
    setPending(null);
    onScreenPop(null);
    if (kind === 'accept') onAccepted(offer.conversationId);
  };
  const total = offer.expiresAt - offer.offeredAt;
  // Clamped to the offer's length: the browser's clock may run a little behind the server's.
  const left = Math.min(total, Math.max(0, offer.expiresAt - now));
  return (
    <div
      className="offer offer-screen-pop"
      role="alertdialog"
      aria-labelledby="offer-title"
      aria-describedby="offer-who"
      data-conversation-id={offer.conversationId}
    >
      <p id="offer-title" className="offer-title">
        {t('offerTitle')}
      </p>
      <div id="offer-who" className="offer-who" aria-busy={profile === undefined}>
        {profile ? (
          <CompactProfile profile={profile} conversationId={conversation.id} />
        ) : (
          <p className="offer-name">{profile === null ? displayName(null, conversation.customerId, t('visitor')) : '…'}</p>
        )}
      </div>
      <p className="offer-meta">
        <span className="chip">{t(`channel_${conversation.channelKind}` as MessageKey)}</span>
        {pending.queueName && <span className="chip">{pending.queueName}</span>}
        <span>
          {t('offerWaited')} {seconds(now - (conversation.enqueuedAt ?? conversation.createdAt))} s
        </span>
      </p>
      <div className="offer-timer" aria-label={`${t('offerExpiresIn')} ${seconds(left)} s`}>
        <div className="offer-timer-bar" style={{ width: `${total > 0 ? (left / total) * 100 : 0}%` }} />
      </div>
      <p className="offer-countdown">
        {t('offerExpiresIn')} <strong>{seconds(left)} s</strong>
      </p>
      {error && <p className="banner banner-error">{error}</p>}
      <div className="offer-actions">
        <button type="button" className="btn btn-quiet" onClick={() => void answer('decline')}>
          {t('decline')}
        </button>
        <button type="button" className="btn btn-success" onClick={() => void answer('accept')} autoFocus>
          {t('accept')}
        </button>
      </div>
    </div>
  );
}
