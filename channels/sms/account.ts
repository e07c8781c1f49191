// An SMS channel account: one Twilio number. Its Twilio settings and auth token are the shared ones
// (channels/twilio/account.ts); SMS adds the answer to HELP and whether STOP/START get our own reply.
import { z } from 'zod';
import { TwilioCredentials, TwilioSettingsShape } from '../twilio/account.js';

export const SmsSettings = z
  .object({
    ...TwilioSettingsShape,
    /** The answer to HELP / INFO (default: a short Thai and English text). */
    helpText: z.string().trim().min(1).max(1600).optional(),
    /**
     * Confirm STOP and START with our own reply. Off by default: Twilio answers them itself on US and
     * Canadian long codes and toll-free numbers; turn it on where Twilio does not (e.g. Thai numbers).
     */
    keywordReplies: z.boolean().default(false),
  })
  .strict();

export type SmsSettings = z.output<typeof SmsSettings>;

export { TwilioCredentials as SmsCredentials };
