// Slack's Web API through @slack/web-api's WebClient (the client Bolt itself uses). Retries are ours,
// not the client's: it is told to make one attempt and to reject a rate-limited call, so a 429 or a
// 5xx becomes a coded failure that the post worker retries later with backoff (durably, across
// restarts) instead of a request held open in memory.
import { ErrorCode, WebClient, type WebAPICallError } from '@slack/web-api';
import { AppError } from '../../server/domain/errors.js';
import { ChannelError } from '../types.js';
import { SLACK_API_BASE, type SlackCredentials, type SlackSettings } from './account.js';

const TIMEOUT_MS = 10_000;

export function slackClient(settings: Pick<SlackSettings, 'apiBaseUrl'>, credentials: Pick<SlackCredentials, 'botToken'>): WebClient {
  return new WebClient(credentials.botToken, {
    slackApiUrl: settings.apiBaseUrl ?? SLACK_API_BASE,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: TIMEOUT_MS,
    allowAbsoluteUrls: false,
  });
}

/** Slack error codes that mean the token no longer works. */
const AUTH_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'no_permission',
]);
/** Slack's own trouble: worth trying again. */
const TEMPORARY_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);
/** The message itself is wrong. */
const PAYLOAD_ERRORS = new Set(['msg_too_long', 'no_text', 'invalid_blocks', 'too_many_attachments', 'invalid_arguments']);

const isWebApiError = (err: unknown): err is WebAPICallError =>
  typeof err === 'object' && err !== null && 'code' in err && Object.values(ErrorCode).includes((err as { code: ErrorCode }).code);

/** A Web API failure as a ChannelError: 429 RATE_LIMITED (after Slack's Retry-After), 5xx and network TEMPORARY. */
export function slackChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  if (!isWebApiError(err)) return new ChannelError('TEMPORARY', `Slack: ${(err as Error)?.message ?? String(err)}`);
  switch (err.code) {
    case ErrorCode.RateLimitedError:
      return new ChannelError('RATE_LIMITED', `Slack rate limit: retry after ${err.retryAfter} s`, err.retryAfter * 1000);
    case ErrorCode.HTTPError:
      return new ChannelError(
        err.statusCode >= 500 || err.statusCode === 408 ? 'TEMPORARY' : 'PERMANENT',
        `Slack answered HTTP ${err.statusCode} ${err.statusMessage}`,
      );
    case ErrorCode.RequestError:
      return new ChannelError('TEMPORARY', `Slack could not be reached: ${err.original?.message ?? err.message}`);
    case ErrorCode.PlatformError: {
      const code = String(err.data.error ?? 'unknown_error');
      if (AUTH_ERRORS.has(code)) return new ChannelError('AUTH', `Slack refused the bot token (${code}); set a new one in Admin`);
      if (TEMPORARY_ERRORS.has(code)) return new ChannelError('TEMPORARY', `Slack error ${code}`);
      if (PAYLOAD_ERRORS.has(code)) return new ChannelError('INVALID_PAYLOAD', `Slack refused the message (${code})`);
      if (code === 'channel_not_found' || code === 'not_in_channel' || code === 'is_archived')
        return new ChannelError('PERMANENT', `Slack: ${code} (invite the app to the channel, or choose another channel in Admin)`);
      return new ChannelError('PERMANENT', `Slack error ${code}`);
    }
    default:
      return new ChannelError('PERMANENT', `Slack: ${(err as Error).message}`);
  }
}

/**
 * Checks an account as it will be used: the token (auth.test), then each channel (conversations.info);
 * throws a VALIDATION AppError that says what failed (details: {service: 'slack', step: host|token|channel}).
 */
export async function checkSlackAccount(settings: SlackSettings, credentials: SlackCredentials): Promise<void> {
  const fail = (step: 'host' | 'token' | 'channel', message: string) => new AppError('VALIDATION', message, { service: 'slack', step });
  const client = slackClient(settings, credentials);
  try {
    await client.auth.test();
  } catch (err) {
    const coded = slackChannelError(err);
    if (coded.code === 'AUTH') throw fail('token', coded.message);
    if (isWebApiError(err) && err.code === ErrorCode.RequestError)
      throw fail('host', `could not reach Slack at ${settings.apiBaseUrl ?? SLACK_API_BASE}: ${coded.message}`);
    throw fail('token', `checking the bot token failed: ${coded.message}`);
  }
  for (const [what, channel] of [
    ['conversations', settings.channelId],
    ['supervisors', settings.supervisorsChannelId],
  ] as const) {
    if (!channel) continue;
    try {
      const info = await client.conversations.info({ channel });
      if (info.channel?.is_archived) throw fail('channel', `the ${what} channel ${channel} is archived`);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw fail('channel', `the ${what} channel ${channel} cannot be used: ${slackChannelError(err).message}`);
    }
  }
}
