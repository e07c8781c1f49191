// The agent's browser softphone (Twilio Voice JS SDK): when a voice number has a softphone API key,
// the console registers as Twilio Client `agent-<id>`, so a call the agent accepts rings here (and on
// the agent's phone, whichever answers first). Answer, decline, mute, hold and hang up; the token is renewed
// before it expires. The SDK (~150 KB) is loaded only when there is a token, never on the first screen.
import { useEffect, useRef, useState } from 'react';
import type { Call, Device } from '@twilio/voice-sdk';
import type { Api } from '../api';
import { useStrings } from '../i18n';
import { VOICE_STRINGS } from './strings';
import { clock } from './CallDetails';
import './voice.css';

type Phase = 'off' | 'starting' | 'ready' | 'ringing' | 'talking' | 'held' | 'failed';

const fetchToken = (api: Api) => api.json<{ token: { token: string } | null }>('GET', '/voice/token').then((r) => r.token?.token ?? null);

export function Softphone({ api }: { api: Api }) {
  const s = useStrings(VOICE_STRINGS);
  const [phase, setPhase] = useState<Phase>('off');
  const [error, setError] = useState<string | null>(null);
  const [caller, setCaller] = useState('');
  const [muted, setMuted] = useState(false);
  const [seconds, setSeconds] = useState(0);
  const call = useRef<Call | null>(null);
  // The call on hold (our call id): its leg ended; when it rings again after Resume, it is answered at once.
  const held = useRef<string | null>(null);

  useEffect(() => {
    let device: Device | null = null;
    let stopped = false;
    (async () => {
      const token = await fetchToken(api);
      if (!token || stopped) return;
      setPhase('starting');
      const { Device } = await import('@twilio/voice-sdk');
      if (stopped) return;
      device = new Device(token, { closeProtection: true });
      device.on('registered', () => setPhase((p) => (p === 'starting' || p === 'failed' ? 'ready' : p)));
      device.on('error', (err: { message?: string }) => {
        setError(err.message ?? String(err));
        setPhase((p) => (p === 'talking' || p === 'ringing' ? p : 'failed'));
      });
      device.on('tokenWillExpire', () => {
        void fetchToken(api).then((next) => next && device?.updateToken(next));
      });
      device.on('incoming', (incoming: Call) => {
        const callId = incoming.customParameters.get('callId') ?? null;
        call.current = incoming;
        setCaller(incoming.parameters.From ?? '');
        setMuted(false);
        setPhase('ringing');
        const done = () => {
          call.current = null;
          setPhase((p) => (held.current ? 'held' : p === 'held' ? p : 'ready'));
        };
        incoming.on('accept', () => {
          setSeconds(0);
          setPhase('talking');
        });
        incoming.on('disconnect', done);
        incoming.on('cancel', done);
        incoming.on('reject', done);
        incoming.on('mute', (isMuted: boolean) => setMuted(isMuted));
        if (callId && callId === held.current) {
          held.current = null;
          incoming.accept();
        }
      });
      await device.register();
    })().catch((err: unknown) => {
      if (stopped) return;
      setError(err instanceof Error ? err.message : String(err));
      setPhase('failed');
    });
    return () => {
      stopped = true;
      device?.destroy();
    };
  }, [api]);

  useEffect(() => {
    if (phase !== 'talking') return;
    const timer = setInterval(() => setSeconds((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [phase]);

  const hold = async (on: boolean) => {
    const callId = on ? (call.current?.customParameters.get('callId') ?? null) : held.current;
    if (!callId) return;
    try {
      if (on) held.current = callId;
      await api.json('POST', `/calls/${encodeURIComponent(callId)}/hold`, { hold: on });
      if (on) setPhase('held');
    } catch (err) {
      if (on) held.current = null;
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  if (phase === 'off') return null;
  return (
    <div className={`softphone softphone-${phase}`} role="group" aria-label={s('softphone')} data-softphone={phase}>
      <span className="softphone-status" role="status" title={error ?? undefined}>
        <span aria-hidden="true">🎧 </span>
        {phase === 'ringing'
          ? s('softphoneRinging', { from: caller })
          : phase === 'talking'
            ? `${caller} · ${clock(seconds)}`
            : s(`softphone_${phase}`)}
      </span>
      {phase === 'ringing' && (
        <>
          <button type="button" className="btn btn-small btn-success" onClick={() => call.current?.accept()}>
            {s('answer')}
          </button>
          <button type="button" className="btn btn-small" onClick={() => call.current?.reject()}>
            {s('decline')}
          </button>
        </>
      )}
      {phase === 'talking' && (
        <>
          <button type="button" className="btn btn-small" aria-pressed={muted} onClick={() => call.current?.mute(!muted)}>
            {muted ? s('unmute') : s('mute')}
          </button>
          {call.current?.customParameters.get('callId') && (
            <button type="button" className="btn btn-small" onClick={() => void hold(true)}>
              {s('hold')}
            </button>
          )}
          <button type="button" className="btn btn-small softphone-hangup" onClick={() => call.current?.disconnect()}>
            {s('hangUp')}
          </button>
        </>
      )}
      {phase === 'held' && (
        <button type="button" className="btn btn-small btn-success" onClick={() => void hold(false)}>
          {s('resume')}
        </button>
      )}
    </div>
  );
}
