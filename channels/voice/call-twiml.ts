// TwiML for a call outside the IVR's own steps: waiting in a queue, being put through to an agent,
// and ending. Built with the twilio package's VoiceResponse, never by string concatenation.
import twilio from 'twilio';

type SayAttributes = { language?: string; voice?: string };

export interface Spoken {
  text: string;
  language: string;
  voice?: string;
}

const say = (r: InstanceType<typeof twilio.twiml.VoiceResponse>, s: Spoken) =>
  r.say({ language: s.language, ...(s.voice ? { voice: s.voice } : {}) } as SayAttributes as never, s.text);

/**
 * One round of waiting: an announcement (position or expected wait), hold music (or a short pause),
 * then back to `redirectUrl`, where the call is put through as soon as an agent takes it.
 */
export function waitTwiml(opts: {
  announce: Spoken | null;
  holdMusicUrl: string | null;
  pauseSeconds: number;
  redirectUrl: string;
}): string {
  const r = new twilio.twiml.VoiceResponse();
  if (opts.announce) say(r, opts.announce);
  if (opts.holdMusicUrl) r.play(opts.holdMusicUrl);
  else r.pause({ length: opts.pauseSeconds });
  r.redirect({ method: 'POST' }, opts.redirectUrl);
  return r.toString();
}

/**
 * Puts the caller through to the agent: their browser softphone (a Twilio Client identity) and, as a
 * fallback, their phone number, ringing together; `action` hears how the leg ended (talk time).
 */
export function bridgeTwiml(opts: {
  announce: Spoken | null;
  clientIdentity: string | null;
  number: string | null;
  callerId: string;
  action: string;
  /** Hears the agent's leg answer (the call is then talking). */
  legStatus: string;
  /** Our call's id, handed to the softphone (a custom parameter) so its hold button names the call. */
  callId: string;
  timeoutSeconds: number;
}): string {
  const r = new twilio.twiml.VoiceResponse();
  if (opts.announce) say(r, opts.announce);
  const dial = r.dial({ action: opts.action, method: 'POST', callerId: opts.callerId, timeout: opts.timeoutSeconds });
  const leg = { statusCallback: opts.legStatus, statusCallbackMethod: 'POST' as const };
  if (opts.clientIdentity) {
    const client = dial.client({ ...leg, statusCallbackEvent: ['answered'] });
    client.identity(opts.clientIdentity);
    client.parameter({ name: 'callId', value: opts.callId });
  }
  if (opts.number) dial.number({ ...leg, statusCallbackEvent: ['answered'] }, opts.number);
  return r.toString();
}

/** A caller the agent put on hold: a word, then music (or quiet) round after round, until resumed. */
export function holdTwiml(opts: {
  announce: Spoken | null;
  holdMusicUrl: string | null;
  pauseSeconds: number;
  redirectUrl: string;
}): string {
  return waitTwiml(opts);
}

/** An outbound call the agent started (a callback): once the agent answers, dial the customer. */
export function dialCustomerTwiml(opts: { announce: Spoken | null; number: string; callerId: string; action: string }): string {
  const r = new twilio.twiml.VoiceResponse();
  if (opts.announce) say(r, opts.announce);
  r.dial({ action: opts.action, method: 'POST', callerId: opts.callerId }).number(opts.number);
  return r.toString();
}

export function hangupTwiml(goodbye: Spoken | null): string {
  const r = new twilio.twiml.VoiceResponse();
  if (goodbye) say(r, goodbye);
  r.hangup();
  return r.toString();
}

/** An empty answer: Twilio does nothing more (status callbacks, recording callbacks). */
export function emptyTwiml(): string {
  return new twilio.twiml.VoiceResponse().toString();
}
