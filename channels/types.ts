// The contract between Omnidesk and a channel adapter. Adapters import this file, the domain's
// types and their own vendor SDK; nothing else of the server.
import type { Attachment, ChannelAccount, ChannelKind, Conversation, CustomerIdentity, Message } from '../server/domain/types.js';

export type ChannelErrorCode = 'TEMPORARY' | 'RATE_LIMITED' | 'AUTH' | 'INVALID_PAYLOAD' | 'PERMANENT';

/** A send failure with a code; the outbox decides from the code whether to retry. */
export class ChannelError extends Error {
  constructor(
    readonly code: ChannelErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }

  get retryable(): boolean {
    return this.code === 'TEMPORARY' || this.code === 'RATE_LIMITED';
  }
}

export interface OutboundContext {
  account: ChannelAccount;
  /** Opened credentials of the account; never log them. */
  credentials: Record<string, unknown>;
  conversation: Conversation;
  message: Message;
  /** The customer's identities; the adapter picks the one it can address. */
  recipients: CustomerIdentity[];
  attachments: Attachment[];
}

export interface SendResult {
  providerMessageId: string | null;
  status: 'sent' | 'delivered';
}

export interface ChannelAdapter {
  kind: ChannelKind;
  /** Sends one outbound message; throws ChannelError on failure. Must tolerate a resend of the same message id. */
  send(ctx: OutboundContext): Promise<SendResult>;
  /** The URLs an admin pastes into the provider's console (or embeds, for web chat). */
  publicUrls(baseUrl: string, account: ChannelAccount): Record<string, string>;
}
