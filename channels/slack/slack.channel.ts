// Slack is where agents work, not where customers write: its account is set up and checked like any
// channel's, and gives the Events API URL to paste into the Slack app; posting to Slack goes through
// the desk's Slack post worker (server/slack/), never through the customers' outbox.
import type { ChannelAccount } from '../../server/domain/types.js';
import { ChannelError, type ChannelAdapter } from '../types.js';
import { SlackCredentials, SlackSettings, slackWebhookUrls } from './account.js';
import { checkSlackAccount } from './client.js';
import { accountParser } from '../account-parser.js';

export function createSlackChannel(): ChannelAdapter {
  return {
    kind: 'slack',

    parseAccount: accountParser(SlackSettings, SlackCredentials),

    async checkAccount(settings, credentials) {
      await checkSlackAccount(SlackSettings.parse(settings), SlackCredentials.parse(credentials));
    },

    async send() {
      throw new ChannelError('PERMANENT', 'a Slack account carries agents’ work; customers are answered on their own channel');
    },

    publicUrls(baseUrl: string, account: ChannelAccount): Record<string, string> {
      return slackWebhookUrls(baseUrl, account.id);
    },
  };
}
