// A Messenger channel account: one Facebook page. The page ID is a plain setting (it scopes the
// customers' page-scoped ids); the app secret (it signs Meta's webhooks), the page access token (it
// calls the Graph API) and the verify token (Meta echoes it when the webhook is subscribed) are
// credentials: sealed, never returned or logged.
import { z } from 'zod';

/** Meta's Graph API, the version this channel is written against. */
export const GRAPH_API_BASE = 'https://graph.facebook.com/v21.0';

export const MessengerSettings = z
  .object({
    /** The page ID (the page → About → Page transparency, or the Meta app's Messenger settings): digits. */
    pageId: z.string().regex(/^\d{5,25}$/, 'the page ID is a number (Meta app → Messenger → Settings → the page)'),
    /** The Graph API base with its version, for an egress proxy (or a local fake in tests); default https://graph.facebook.com/v21.0. */
    graphBaseUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://graph.facebook.com/v21.0' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  })
  .strict();
export type MessengerSettings = z.output<typeof MessengerSettings>;

export const MessengerCredentials = z
  .object({
    /** Meta app → App settings → Basic → App secret: 32 hex digits; it signs every webhook. */
    appSecret: z
      .string()
      .trim()
      .regex(/^[0-9a-f]{32}$/i, 'the app secret is 32 hex digits (Meta app → App settings → Basic → App secret)'),
    /** Meta app → Messenger → Settings → the page's access token. */
    pageAccessToken: z
      .string()
      .trim()
      .min(20, 'the page access token is a long string (Meta app → Messenger → Settings → Generate token)')
      .max(1000)
      .regex(/^[\w-]+$/, 'the page access token has characters a token never has (copy it again)'),
    /** Any string of your choosing, typed into the Meta app's webhook settings too; Meta sends it back when subscribing. */
    verifyToken: z
      .string()
      .trim()
      .min(16, 'the verify token needs at least 16 characters (make one up, or let the form make one)')
      .max(200)
      .regex(/^[\x21-\x7e]+$/, 'the verify token is printable ASCII without spaces'),
  })
  .strict();
export type MessengerCredentials = z.output<typeof MessengerCredentials>;

export const graphBaseOf = (settings: Pick<MessengerSettings, 'graphBaseUrl'>): string => settings.graphBaseUrl ?? GRAPH_API_BASE;
