// What every Twilio channel account (SMS, voice) has: the Twilio project it belongs to, the number it
// uses, and the auth token. Settings are plain (returned by the API); the token is a credential
// (sealed, never returned or logged). Channel kinds extend TwilioSettings with their own fields.
import { z } from 'zod';

/** Twilio's REST API. */
export const TWILIO_API_BASE = 'https://api.twilio.com';

const HttpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://api.twilio.com' })
  .transform((u) => u.replace(/\/+$/, ''));

export const TwilioSettingsShape = {
  /** The Twilio project (Account SID, or a subaccount's): AC followed by 32 hex digits. */
  accountSid: z
    .string()
    .regex(/^AC[0-9a-f]{32}$/, 'an Account SID is AC followed by 32 lower-case hex digits (Twilio console → Account info)'),
  /** The Twilio number, in E.164 (+66…). */
  phoneNumber: z.string().regex(/^\+[1-9]\d{6,14}$/, 'a phone number in E.164, e.g. +6621234567'),
  /** Twilio API base, for a regional edge or an egress proxy; default https://api.twilio.com. */
  apiBaseUrl: HttpUrl.optional(),
};

export const TwilioSettings = z.object(TwilioSettingsShape).strict();
export type TwilioSettings = z.output<typeof TwilioSettings>;

export const TwilioCredentials = z
  .object({
    /** The auth token of the account (or subaccount) named by accountSid; it also signs Twilio's webhooks. */
    authToken: z.string().min(16, 'the auth token is 32 characters (Twilio console → Account info)').max(200),
  })
  .strict();
export type TwilioCredentials = z.output<typeof TwilioCredentials>;

/** The base URL requests to Twilio go to (without a trailing slash). */
export const apiBaseOf = (settings: Pick<TwilioSettings, 'apiBaseUrl'>): string => settings.apiBaseUrl ?? TWILIO_API_BASE;
