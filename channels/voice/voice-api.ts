// What the desk asks of Twilio during a call: send a live call to new TwiML (put a waiting caller
// through the moment an agent takes the call), place a call (an agent calls a customer back), and
// mint a softphone access token for an agent. Through the shared REST client (its base URL seam).
import twilio from 'twilio';
import { twilioChannelError, twilioClient } from '../twilio/client.js';
import type { VoiceCredentials, VoiceSettings } from './account.js';

export async function redirectCall(settings: VoiceSettings, credentials: VoiceCredentials, callSid: string, url: string): Promise<void> {
  const client = twilioClient(settings, credentials);
  try {
    await client.calls(callSid).update({ url, method: 'POST' });
  } catch (err) {
    throw twilioChannelError(err, client);
  }
}

/** Starts a call from the account's number; Twilio fetches `url` for its TwiML once it is answered. */
export async function placeCall(
  settings: VoiceSettings,
  credentials: VoiceCredentials,
  call: { to: string; url: string; statusCallback: string },
): Promise<{ callSid: string }> {
  const client = twilioClient(settings, credentials);
  try {
    const created = await client.calls.create({
      to: call.to,
      from: settings.phoneNumber,
      url: call.url,
      method: 'POST',
      statusCallback: call.statusCallback,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['completed'],
    });
    return { callSid: created.sid };
  } catch (err) {
    throw twilioChannelError(err, client);
  }
}

/** A Voice access token for one agent's browser softphone (incoming calls to `identity`), or null without an API key. */
export function voiceAccessToken(
  settings: VoiceSettings,
  credentials: VoiceCredentials,
  identity: string,
  ttlSeconds: number,
): { token: string; identity: string; expiresAt: number } | null {
  if (!settings.apiKeySid || !credentials.apiKeySecret) return null;
  const token = new twilio.jwt.AccessToken(settings.accountSid, settings.apiKeySid, credentials.apiKeySecret, {
    identity,
    ttl: ttlSeconds,
  });
  token.addGrant(new twilio.jwt.AccessToken.VoiceGrant({ incomingAllow: true }));
  return { token: token.toJwt(), identity, expiresAt: Date.now() + ttlSeconds * 1000 };
}
