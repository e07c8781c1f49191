// A caller on a voice number, as Twilio drives our webhooks: each request signed with the twilio
// package's getExpectedTwilioSignature for PUBLIC_URL + path, the TwiML answer parsed as XML.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { CallRecord } from '../../server/domain/voice.js';
import { postTwilioForm } from './channel-traffic.js';
import type { TestServer } from './harness.js';
import { findAll, parseTwiml, type XmlElement } from './twiml.js';

export interface VoiceLineOptions {
  server: Pick<TestServer, 'url' | 'store'>;
  accountId: string;
  twilioAccount: { accountSid: string; authToken: string };
  publicUrl: string;
  /** The voice number callers dial. */
  number: string;
}

export const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;
/** What a TwiML answer says, in order. */
export const says = (r: XmlElement) => findAll(r, 'Say').map((s) => s.text);

export class VoiceLine {
  constructor(private readonly o: VoiceLineOptions) {}

  /** `/webhooks/voice/<account id>`: every URL of the number hangs off it. */
  get base(): string {
    return `/webhooks/voice/${this.o.accountId}`;
  }

  /** Posts a form as Twilio does, signed for PUBLIC_URL + path unless told otherwise. */
  post(path: string, params: Record<string, string>, opts: { signedUrl?: string; signature?: string | null } = {}) {
    return postTwilioForm(this.o.server.url, path, params, {
      authToken: this.o.twilioAccount.authToken,
      publicUrl: this.o.publicUrl,
      ...opts,
    });
  }

  /** A webhook answered with TwiML: the parsed <Response>. */
  async twiml(path: string, params: Record<string, string>): Promise<XmlElement> {
    const res = await this.post(path, { AccountSid: this.o.twilioAccount.accountSid, ...params });
    expect(res.status, res.text).toBe(200);
    return parseTwiml(res.text);
  }

  /** A call arrives from `from`. */
  ring(sid: string, from: string): Promise<XmlElement> {
    return this.twiml(this.base, { CallSid: sid, From: from, To: this.o.number, CallStatus: 'ringing', Direction: 'inbound' });
  }

  /** A new call from `from`; resolves with its CallSid once the greeting is answered. */
  async started(from: string): Promise<string> {
    const sid = newCallSid();
    await this.ring(sid, from);
    return sid;
  }

  press(sid: string, node: string, digits: string): Promise<XmlElement> {
    return this.twiml(`${this.base}/step/${node}`, { CallSid: sid, Digits: digits });
  }

  /** Twilio's round of the wait loop. */
  wait(sid: string): Promise<XmlElement> {
    return this.twiml(`${this.base}/wait`, { CallSid: sid });
  }

  hangUp(sid: string, status = 'completed') {
    return this.post(`${this.base}/status`, { AccountSid: this.o.twilioAccount.accountSid, CallSid: sid, CallStatus: status });
  }

  call(sid: string) {
    return this.o.server.store.calls.findBySid(sid);
  }

  /** The call's record as the timeline shows it. */
  async record(sid: string): Promise<CallRecord> {
    const call = (await this.call(sid))!;
    return (await this.o.server.store.messages.findById(call.messageId!))!.meta!.call!;
  }
}
