// The voice channel: a Twilio number answering calls with an IVR flow. Calls come in through the
// webhooks (server/http/routes/voice.route.ts); nothing is "sent" on a call, so a typed reply in a
// call conversation is refused with a reason (the agent calls back, or writes on another channel).
import { AppError } from '../../server/domain/errors.js';
import type { ChannelAccount } from '../../server/domain/types.js';
import { ChannelError, type ChannelAdapter, type SendResult } from '../types.js';
import { checkTwilioAccount } from '../twilio/client.js';
import { VoiceCredentials, VoiceSettings } from './account.js';

export interface VoiceChannelOptions {
  /** The flows loaded from ivr-flows/ (an account must name one of them). */
  flowNames: () => string[];
}

export const voiceWebhookUrls = (baseUrl: string, accountId: string) => ({
  incoming: `${baseUrl}/webhooks/voice/${accountId}`,
  status: `${baseUrl}/webhooks/voice/${accountId}/status`,
});

export function createVoiceChannel(options: VoiceChannelOptions): ChannelAdapter {
  return {
    kind: 'voice',

    parseAccount(settings, credentials) {
      const parsed = VoiceSettings.parse(settings);
      const names = options.flowNames();
      if (!names.includes(parsed.flow)) {
        throw new AppError(
          'VALIDATION',
          `body.settings.flow: no IVR flow "${parsed.flow}" in ivr-flows/ (there are: ${names.join(', ') || 'none'})`,
        );
      }
      return { settings: parsed, credentials: credentials === undefined ? undefined : VoiceCredentials.parse(credentials) };
    },

    async checkAccount(settings, credentials) {
      const { authToken } = VoiceCredentials.parse(credentials);
      await checkTwilioAccount(VoiceSettings.parse(settings), { authToken });
    },

    async send(): Promise<SendResult> {
      throw new ChannelError(
        'INVALID_PAYLOAD',
        'a phone call cannot carry a typed reply: call the customer back, or write to them on another channel',
      );
    },

    publicUrls(baseUrl: string, account: ChannelAccount) {
      return voiceWebhookUrls(baseUrl, account.id);
    },
  };
}
