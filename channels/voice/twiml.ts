// TwiML for one IVR step: the IVR engine (server/ivr/engine.ts) decides what to say and where Twilio
// posts next, as plain verbs; this turns them into XML with the twilio package's VoiceResponse, which
// escapes text and attributes. The engine cannot import twilio itself: vendor SDKs live in channels/.
import twilio from 'twilio';
import type { IvrVerb, SpokenVerb } from '../../server/ivr/verbs.js';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type Gather = ReturnType<VoiceResponse['gather']>;
// The SDK types language and voice as closed unions; flows are validated against our own list at start-up.
type SayAttributes = Parameters<VoiceResponse['say']>[0] & object;
type GatherAttributes = NonNullable<Parameters<VoiceResponse['gather']>[0]>;

function speak(target: VoiceResponse | Gather, verb: SpokenVerb): void {
  if (verb.verb === 'play') {
    target.play(verb.url);
    return;
  }
  const attributes = { language: verb.language, ...(verb.voice ? { voice: verb.voice } : {}) };
  target.say(attributes as SayAttributes, verb.text);
}

/** The TwiML document for an IVR step's verbs. */
export function renderIvrTwiml(verbs: readonly IvrVerb[]): string {
  const response = new twilio.twiml.VoiceResponse();
  for (const verb of verbs) {
    switch (verb.verb) {
      case 'say':
      case 'play':
        speak(response, verb);
        break;
      case 'gather': {
        const attributes: Record<string, unknown> = { action: verb.action, method: 'POST', input: verb.input, timeout: verb.timeout };
        if (verb.numDigits !== null) attributes.numDigits = verb.numDigits;
        if (verb.language !== null) attributes.language = verb.language;
        if (verb.input.includes('speech')) {
          attributes.speechTimeout = 'auto'; // end on the caller's pause, not a fixed wait
          if (verb.hints.length > 0) attributes.hints = verb.hints.join(',');
        }
        const gather = response.gather(attributes as GatherAttributes);
        for (const spoken of verb.prompt) speak(gather, spoken);
        break;
      }
      case 'record':
        response.record({
          action: verb.action,
          method: 'POST',
          maxLength: verb.maxLength,
          playBeep: verb.playBeep,
          transcribe: verb.transcribe,
          ...(verb.transcribeCallback ? { transcribeCallback: verb.transcribeCallback } : {}),
          recordingStatusCallback: verb.recordingStatusCallback,
          recordingStatusCallbackMethod: 'POST',
        });
        break;
      case 'redirect':
        response.redirect({ method: 'POST' }, verb.url);
        break;
      case 'dial':
        response.dial({}, verb.number);
        break;
      case 'hangup':
        response.hangup();
        break;
    }
  }
  return response.toString();
}
