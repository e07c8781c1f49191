// The contract between Omnidesk and a channel adapter. Adapters import this file, the domain's
// types and their own vendor SDK; nothing else of the server.
import type { Attachment, ChannelAccount, ChannelKind, Conversation, Customer, CustomerIdentity, Message } from '../server/domain/types.js';
import type { EmailAddress } from '../server/domain/email.js';
import type { Consent } from '../server/domain/customer-merge.js';

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
  /** Reads an attachment's bytes (streamed). */
  files?: { open(storageKey: string): NodeJS.ReadableStream };
  /** The conversation around the message, for adapters that ask for it (`needsThread`), e.g. email's threading. */
  thread?: OutboundThread;
  /** The customer's consent decision on this channel kind, if one was recorded (an SMS opt-out refuses the send). */
  consent?: Consent;
}

export interface OutboundThread {
  customer: Customer;
  /** The conversation's latest messages before this one, oldest first (notes excluded). */
  history: Message[];
  /** Addresses Cc'd on the conversation. */
  participants: EmailAddress[];
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
  /** The worker loads OutboundContext.thread for this adapter. */
  needsThread?: boolean;
  /** Validates (and fills defaults of) an account's settings and credentials; throws a zod error. */
  parseAccount?(
    settings: Record<string, unknown>,
    credentials: Record<string, unknown> | undefined,
  ): { settings: Record<string, unknown>; credentials: Record<string, unknown> | undefined };
  /** Connects with the account's settings and credentials; throws an AppError that says what failed. */
  checkAccount?(settings: Record<string, unknown>, credentials: Record<string, unknown>): Promise<void>;
}
