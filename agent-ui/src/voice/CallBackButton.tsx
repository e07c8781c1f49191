// "Call back" on a call conversation: the desk has Twilio ring the agent (softphone or phone) first,
// then dial the customer; the call then shows on the timeline. Errors say what to fix (no phone, no
// PUBLIC_URL...), as the API words them.
import { useState } from 'react';
import type { Api } from '../api';
import { useStrings } from '../i18n';
import { VOICE_STRINGS } from './strings';
import './voice.css';

export function CallBackButton({ api, conversationId, disabled }: { api: Api; conversationId: string; disabled: boolean }) {
  const s = useStrings(VOICE_STRINGS);
  const [state, setState] = useState<{ busy: boolean; note: string | null; failed: boolean }>({ busy: false, note: null, failed: false });

  const call = async () => {
    setState({ busy: true, note: null, failed: false });
    try {
      await api.json('POST', `/conversations/${encodeURIComponent(conversationId)}/call`, {});
      setState({ busy: false, note: s('callBackStarted'), failed: false });
    } catch (err) {
      setState({ busy: false, note: s('callBackFailed', { error: err instanceof Error ? err.message : String(err) }), failed: true });
    }
  };

  return (
    <>
      <button type="button" className="btn" disabled={disabled || state.busy} onClick={call} title={s('callBackHint')}>
        <span aria-hidden="true">📞 </span>
        {state.busy ? s('callingBack') : s('callBack')}
      </button>
      {state.note && (
        <span className={state.failed ? 'call-note call-note-failed' : 'call-note'} role={state.failed ? 'alert' : 'status'}>
          {state.note}
        </span>
      )}
    </>
  );
}
