// What a phone call adds to its message on the timeline: how the call went (the IVR path with what
// the caller pressed, the wait in the queue, the talk time, time on hold, the outcome), kept live as Twilio reports.
import type { CallRecord } from '../../../server/domain/voice.js';
import { useI18n, useStrings } from '../i18n';
import { VOICE_STRINGS } from './strings';
import './voice.css';

/** 75 → "1:15". */
export const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/** "th-TH" → "Thai" ("ไทย") in the console's language; the code where the browser has no name for it. */
function languageName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(code.split('-')[0]!) ?? code;
  } catch {
    return code;
  }
}

export function CallDetails({ call }: { call: CallRecord }) {
  const s = useStrings(VOICE_STRINGS);
  const { locale } = useI18n();
  const asked = call.path.filter((p) => p.input !== undefined);
  return (
    <div className="call-card" data-call-state={call.state} data-call-outcome={call.outcome ?? ''}>
      <p className="call-title">
        <span aria-hidden="true">📞 </span>
        {/* The customer's number: the caller, or whom the desk called. */}
        {s(call.direction === 'inbound' ? 'callInbound' : 'callOutbound')} · {call.direction === 'inbound' ? call.from : call.to}
        <span className={`call-state call-state-${call.state}`}>
          {call.outcome ? s(`outcome_${call.outcome}`) : s(`state_${call.state}`)}
        </span>
      </p>
      <dl className="call-facts">
        {call.path.length > 0 && (
          <div>
            <dt>{s('path')}</dt>
            <dd>
              <ol className="call-path">
                {call.path.map((p, i) => (
                  <li key={i}>
                    {p.node}
                    {p.input !== undefined && <span className="call-input"> ({s('pressed', { input: p.input })})</span>}
                  </li>
                ))}
              </ol>
            </dd>
          </div>
        )}
        {call.language && asked.length > 0 && (
          <div>
            <dt>{s('language')}</dt>
            <dd>{languageName(call.language, locale)}</dd>
          </div>
        )}
        {call.queueWaitSeconds !== null && (
          <div>
            <dt>{s('queueWait')}</dt>
            <dd data-field="queue-wait">{clock(call.queueWaitSeconds)}</dd>
          </div>
        )}
        {call.talkSeconds !== null && (
          <div>
            <dt>{s('talk')}</dt>
            <dd data-field="talk">{clock(call.talkSeconds)}</dd>
          </div>
        )}
        {call.holds > 0 && (
          <div>
            <dt>{s('onHold')}</dt>
            <dd data-field="hold">{s('holdTimes', { time: clock(call.holdSeconds), count: String(call.holds) })}</dd>
          </div>
        )}
      </dl>
    </div>
  );
}
