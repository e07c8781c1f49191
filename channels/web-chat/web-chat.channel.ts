// Web chat: the visitor's browser is connected to us by socket.io, so "sending" is pushing the
// message into the visitor's room; it is delivered when a visitor socket acknowledges it.
import type { ChannelAccount } from '../../server/domain/types.js';
import { ChannelError, type ChannelAdapter, type OutboundContext, type SendResult } from '../types.js';
import { toVisitorMessage, type VisitorMessage } from './visitor-message.js';

export interface VisitorPush {
  /** Emits to every socket of a visitor session; resolves true when at least one acknowledged. */
  pushToVisitor(sessionId: string, message: VisitorMessage): Promise<boolean>;
}

export function createWebChatChannel(push: VisitorPush): ChannelAdapter {
  return {
    kind: 'web_chat',
    async send(ctx: OutboundContext): Promise<SendResult> {
      const visitor = ctx.recipients.find((i) => i.kind === 'web_chat' && i.scope === ctx.account.id);
      if (!visitor) throw new ChannelError('INVALID_PAYLOAD', 'the customer has no web chat session on this account');
      const delivered = await push.pushToVisitor(visitor.value, toVisitorMessage(ctx.message, 'delivered'));
      // A visitor who is offline gets the message from history when they come back.
      return { providerMessageId: ctx.message.id, status: delivered ? 'delivered' : 'sent' };
    },
    publicUrls(baseUrl: string, account: ChannelAccount) {
      return {
        widgetScript: `${baseUrl}/widget/omnidesk-widget.js`,
        embedSnippet: `<script src="${baseUrl}/widget/omnidesk-widget.js" data-account="${account.id}" async></script>`,
        demoPage: `${baseUrl}/widget/demo?account=${account.id}`,
        sessions: `${baseUrl}/webhooks/web_chat/${account.id}/sessions`,
        uploads: `${baseUrl}/webhooks/web_chat/${account.id}/uploads`,
      };
    },
  };
}
