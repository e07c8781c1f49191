// A LINE channel account: one LINE official account (a Messaging API channel). The channel ID is a
// plain setting (it scopes the customers' LINE user ids); the channel secret (it signs LINE's webhooks)
// and the channel access token (it calls the API) are credentials: sealed, never returned or logged.
import { z } from 'zod';

/** LINE's Messaging API and its data API (message content). */
export const LINE_API_BASE = 'https://api.line.me';
export const LINE_DATA_API_BASE = 'https://api-data.line.me';

const HttpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://api.line.me' })
  .transform((u) => u.replace(/\/+$/, ''));

export const LineSettings = z
  .object({
    /** The channel ID (LINE Developers console → the channel → Basic settings): digits. */
    channelId: z.string().regex(/^\d{6,20}$/, 'the channel ID is a number (LINE Developers console → Basic settings)'),
    /** The Messaging API base, for an egress proxy (or a local fake in tests); default https://api.line.me. */
    apiBaseUrl: HttpUrl.optional(),
    /** The data API base (message content); default https://api-data.line.me. */
    dataApiBaseUrl: HttpUrl.optional(),
  })
  .strict();
export type LineSettings = z.output<typeof LineSettings>;

export const LineCredentials = z
  .object({
    /** Basic settings → Channel secret: 32 hex digits; it signs every webhook. */
    channelSecret: z
      .string()
      .trim()
      .regex(/^[0-9a-f]{32}$/i, 'the channel secret is 32 hex digits (LINE Developers console → Basic settings)'),
    /** Messaging API → Channel access token (long-lived). */
    channelAccessToken: z
      .string()
      .trim()
      .min(20, 'the channel access token is a long string (LINE Developers console → Messaging API)')
      .max(1000)
      .regex(/^[\w+/=.-]+$/, 'the channel access token has characters a token never has (copy it again)'),
  })
  .strict();
export type LineCredentials = z.output<typeof LineCredentials>;
