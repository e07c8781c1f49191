// A Slack account: one Slack app installed in one workspace, used by agents (not customers). New
// conversations of the chosen queues are posted to a channel, each with its messages in a thread;
// SLA breaches and queue alerts go to a supervisors' channel. The bot token (it calls Slack's Web API)
// and the signing secret (it signs every request Slack sends us) are credentials: sealed, never
// returned or logged.
import { z } from 'zod';

/** Slack's Web API. */
export const SLACK_API_BASE = 'https://slack.com/api/';

/** A public or private channel id as Slack shows it (channel details → the id at the bottom). */
const ChannelId = z
  .string()
  .trim()
  .regex(/^[CG][A-Z0-9]{6,20}$/, 'a Slack channel id looks like C0123ABCD (open the channel → its name → the id at the bottom)');

export const SlackSettings = z
  .object({
    /** Where each new conversation gets a post, and its messages follow in that post's thread. */
    channelId: ChannelId,
    /** The queues whose conversations are posted; empty: every conversation. */
    queueIds: z.array(z.string().min(1).max(36)).max(100).default([]),
    /** Where SLA breaches and queue alerts are posted; none: no alerts. */
    supervisorsChannelId: ChannelId.optional(),
    /** Queue alerts: a queue with this many waiting, or someone waiting this long, or under its service level. */
    alerts: z
      .object({
        waitingAtLeast: z.number().int().min(1).max(100_000).optional(),
        longestWaitSeconds: z.number().int().min(10).max(86_400).optional(),
        serviceLevelBelowTarget: z.boolean().default(false),
      })
      .strict()
      .default({ serviceLevelBelowTarget: false }),
    /** The Web API base, for an egress proxy (or a local fake in tests); default https://slack.com/api/. */
    apiBaseUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://slack.com/api/' })
      .transform((u) => (u.endsWith('/') ? u : `${u}/`))
      .optional(),
  })
  .strict();
export type SlackSettings = z.output<typeof SlackSettings>;

export const SlackCredentials = z
  .object({
    /** OAuth & Permissions → Bot User OAuth Token (scopes: chat:write, users:read, users:read.email, channels:history, groups:history). */
    botToken: z
      .string()
      .trim()
      .regex(/^xoxb-[A-Za-z0-9-]{10,250}$/, 'the bot token starts with xoxb- (Slack app → OAuth & Permissions → Bot User OAuth Token)'),
    /** Basic Information → App Credentials → Signing Secret: 32 hex digits; it signs every request from Slack. */
    signingSecret: z
      .string()
      .trim()
      .regex(/^[0-9a-f]{32}$/i, 'the signing secret is 32 hex digits (Slack app → Basic Information → App Credentials)'),
  })
  .strict();
export type SlackCredentials = z.output<typeof SlackCredentials>;

/** The Events API request URL to paste into the Slack app (Event Subscriptions). */
export function slackWebhookUrls(baseUrl: string, accountId: string): Record<string, string> {
  return { events: `${baseUrl}/webhooks/slack/${accountId}/events` };
}
