// Slack for agents, what comes back: an agent's message in a conversation's thread is sent to the
// customer on their own channel, as a reply by the desk user whose email the Slack user has. It goes
// through the same reply use case as the console (same permissions, consent and window rules, same
// outbox), with the Slack event id recorded in its transaction: Slack's retries and a concurrent
// duplicate make one reply. What cannot be sent is told to the agent in Slack, visible to them only.
import type { Logger } from 'pino';
import { slackChannelError, slackClient } from '../../channels/slack/client.js';
import { parseSlackEvent, type SlackThreadReply } from '../../channels/slack/events.js';
import { mrkdwnToPlain } from '../../channels/slack/format.js';
import type { SlackCredentials, SlackSettings } from '../../channels/slack/account.js';
import { AppError } from '../domain/errors.js';
import type { ChannelAccount } from '../domain/types.js';
import type { Deps } from './deps.js';
import { DUPLICATE_EVENT, type makeReplyToConversation } from './reply-to-conversation.js';

/** How long a Slack user's email is remembered (a changed email is seen after this). */
const EMAIL_TTL_MS = 10 * 60_000;

export type SlackReceipt =
  | { outcome: 'challenge'; challenge: string }
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'duplicate' | 'ignored' | 'refused'; reason: string };

export interface ReceiveSlackDeps extends Deps {
  reply: ReturnType<typeof makeReplyToConversation>;
  log: Logger;
}

export function makeReceiveSlack(deps: ReceiveSlackDeps) {
  const { store, log } = deps;
  const emails = new Map<string, { email: string | null; at: number }>();

  async function emailOf(
    settings: SlackSettings,
    credentials: SlackCredentials,
    accountId: string,
    userId: string,
  ): Promise<string | null> {
    const key = `${accountId}:${userId}`;
    const known = emails.get(key);
    if (known && deps.now() - known.at < EMAIL_TTL_MS) return known.email;
    let email: string | null;
    try {
      const info = await slackClient(settings, credentials).users.info({ user: userId });
      email = info.user?.is_bot ? null : (info.user?.profile?.email ?? null);
    } catch (err) {
      const coded = slackChannelError(err);
      // Slack answers 503 when we do not: it retries the event, and the reply is not lost.
      if (coded.retryable) throw new AppError('UNAVAILABLE', `Slack users.info failed: ${coded.message}`);
      throw new AppError('VALIDATION', `Slack users.info failed: ${coded.message} (the app needs the users:read.email scope)`);
    }
    emails.set(key, { email, at: deps.now() });
    return email;
  }

  /** Tells the agent, in the thread and to them only, once per event. */
  async function tell(
    account: ChannelAccount,
    settings: SlackSettings,
    credentials: SlackCredentials,
    event: SlackThreadReply,
    text: string,
  ) {
    if (!(await store.processedEvents.claim(`slack:${account.id}`, event.eventId, deps.now()))) return false;
    try {
      await slackClient(settings, credentials).chat.postEphemeral({
        channel: event.channel,
        user: event.user,
        thread_ts: event.threadTs,
        text,
      });
    } catch (err) {
      log.warn(
        { accountId: account.id, reason: slackChannelError(err).message },
        'slack: could not tell the agent why their reply was not sent',
      );
    }
    return true;
  }

  async function threadReply(
    account: ChannelAccount,
    settings: SlackSettings,
    credentials: SlackCredentials,
    event: SlackThreadReply,
  ): Promise<SlackReceipt> {
    const thread = await store.slack.threadAt(account.id, event.channel, event.threadTs);
    if (!thread) return { outcome: 'ignored', reason: 'a thread the desk did not start' };
    const refuse = async (reason: string): Promise<SlackReceipt> => {
      const told = await tell(account, settings, credentials, event, `:warning: Not sent to the customer: ${reason}`);
      log.info({ accountId: account.id, conversationId: thread.conversationId, reason }, 'slack: a reply in a thread was not sent');
      return told ? { outcome: 'refused', reason } : { outcome: 'duplicate', reason: 'already answered' };
    };
    const email = await emailOf(settings, credentials, account.id, event.user);
    const user = email ? await store.users.findByEmail(email) : undefined;
    if (!user || !user.active) {
      return refuse(
        email
          ? `no active Omnidesk user has your Slack email (${email}); ask an admin to add you with that email`
          : 'Slack did not give your email (the app needs the users:read.email scope)',
      );
    }
    const text = mrkdwnToPlain(event.text);
    if (!text)
      return refuse(event.hasFiles ? 'files are not passed on from Slack; send them from the Omnidesk console' : 'the message is empty');
    try {
      const { message } = await deps.reply({
        conversationId: thread.conversationId,
        actor: user,
        parts: [{ type: 'text', text }],
        private: false,
        meta: { slack: { accountId: account.id, channel: event.channel, ts: event.ts, threadTs: event.threadTs, slackUserId: event.user } },
        once: { source: `slack:${account.id}`, key: event.eventId },
      });
      if (event.hasFiles) {
        await slackClient(settings, credentials)
          .chat.postEphemeral({
            channel: event.channel,
            user: event.user,
            thread_ts: event.threadTs,
            text: ':information_source: Your text was sent; files are not passed on from Slack (send them from the Omnidesk console).',
          })
          .catch(() => undefined);
      }
      return { outcome: 'sent', messageId: message.id };
    } catch (err) {
      if (err instanceof AppError && (err.details as { reason?: unknown } | undefined)?.reason === DUPLICATE_EVENT)
        return { outcome: 'duplicate', reason: 'already sent' };
      if (err instanceof AppError && ['FORBIDDEN', 'CONFLICT', 'VALIDATION', 'NOT_FOUND'].includes(err.code)) return refuse(err.message);
      throw err;
    }
  }

  return {
    /** One verified Events API body of a Slack account. Throws a ZodError for a body Slack never sends. */
    async receive(account: ChannelAccount, settings: SlackSettings, credentials: SlackCredentials, body: unknown): Promise<SlackReceipt> {
      const event = parseSlackEvent(body);
      if (event.kind === 'challenge') return { outcome: 'challenge', challenge: event.challenge };
      if (event.kind === 'ignored') return { outcome: 'ignored', reason: event.reason };
      return threadReply(account, settings, credentials, event);
    },
  };
}

export type ReceiveSlack = ReturnType<typeof makeReceiveSlack>;
