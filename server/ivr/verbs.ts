// What one IVR step asks the phone network to do, as plain data. The engine produces these; the voice
// channel (channels/voice/twiml.ts) turns them into TwiML, and a local simulator can print them.
// Kept apart from TwiML because vendor SDKs live only in channels/ (see eslint.config.js).

export interface SayVerb {
  verb: 'say';
  text: string;
  language: string;
  /** A Twilio voice (Google.th-TH-Standard-A, Polly.Joanna); null: Twilio's default for the language. */
  voice: string | null;
}
export interface PlayVerb {
  verb: 'play';
  url: string;
}
export type SpokenVerb = SayVerb | PlayVerb;

export interface GatherVerb {
  verb: 'gather';
  /** Where Twilio posts the caller's digits or speech. */
  action: string;
  input: ('dtmf' | 'speech')[];
  timeout: number;
  numDigits: number | null;
  /** Speech recognition language; null when Twilio cannot recognise speech in it. */
  language: string | null;
  /** Phrases speech recognition should expect (the flow's speech options in this language). */
  hints: string[];
  prompt: SpokenVerb[];
}
export interface RecordVerb {
  verb: 'record';
  action: string;
  maxLength: number;
  transcribe: boolean;
  transcribeCallback: string | null;
  recordingStatusCallback: string;
  playBeep: boolean;
}
export interface RedirectVerb {
  verb: 'redirect';
  url: string;
}
export interface DialVerb {
  verb: 'dial';
  number: string;
}
export interface HangupVerb {
  verb: 'hangup';
}

export type IvrVerb = SpokenVerb | GatherVerb | RecordVerb | RedirectVerb | DialVerb | HangupVerb;

/** Turns a step's verbs into the provider's document (TwiML for Twilio). */
export type IvrRender = (verbs: readonly IvrVerb[]) => string;
