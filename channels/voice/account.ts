// A voice channel account: one Twilio number answering calls with an IVR flow. Its Twilio settings
// and auth token are the shared ones (channels/twilio/account.ts). Voice adds the flow the number
// plays, hold music, where voicemails wait, and, for agents' browser softphones, an API key (Twilio
// console → API keys) that signs their access tokens.
import { z } from 'zod';
import { TwilioSettingsShape } from '../twilio/account.js';

export const VoiceSettings = z
  .object({
    ...TwilioSettingsShape,
    /** The IVR flow the number plays: the name of a file in ivr-flows/ without `.flow.yaml`. */
    flow: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'the name of a flow file in ivr-flows/, e.g. support'),
    /** Music while a caller waits (an mp3 or wav URL Twilio can fetch); a quiet pause without it. */
    holdMusicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** The queue voicemails wait in for an agent (a queue id); without it they stay in the shared inbox. */
    voicemailQueueId: z.string().max(36).nullable().optional(),
    /** API key SID (SK…) for agents' softphone access tokens; without it calls ring agents' phones only. */
    apiKeySid: z
      .string()
      .regex(/^SK[0-9a-f]{32}$/, 'an API key SID is SK followed by 32 hex digits')
      .optional(),
  })
  .strict();
export type VoiceSettings = z.output<typeof VoiceSettings>;

export const VoiceCredentials = z
  .object({
    authToken: z.string().min(16, 'the auth token is 32 characters (Twilio console → Account info)').max(200),
    /** The secret of apiKeySid. */
    apiKeySecret: z.string().min(16).max(200).optional(),
  })
  .strict();
export type VoiceCredentials = z.output<typeof VoiceCredentials>;
