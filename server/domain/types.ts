// Omnidesk's core vocabulary. Pure data: no I/O, no imports from other layers.
import type { EmailAddress, MessageMeta } from './email.js';
import type { SkillRequirement } from './routing/types.js';

export type Role = 'admin' | 'supervisor' | 'agent';
export const ROLES = ['admin', 'supervisor', 'agent'] as const satisfies readonly Role[];

export type ChannelKind = 'web_chat' | 'email' | 'sms' | 'voice' | 'line' | 'messenger' | 'slack';
export const CHANNEL_KINDS = ['web_chat', 'email', 'sms', 'voice', 'line', 'messenger', 'slack'] as const satisfies readonly ChannelKind[];

export type IdentityKind = 'phone' | 'email' | 'web_chat' | 'line' | 'messenger' | 'slack';

/** How a sender is known. Channel user ids are scoped to their channel account; phones and emails are not. */
export interface Identity {
  kind: IdentityKind;
  value: string;
  /** Channel account id for channel-scoped ids (LINE user id, web chat visitor id); '' for phone and email. */
  scope: string;
}

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export const CONVERSATION_STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const satisfies readonly ConversationStatus[];

export type MessageDirection = 'inbound' | 'outbound';
export type SenderType = 'customer' | 'agent' | 'system';
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

export type MessagePart =
  | { type: 'text'; text: string }
  /** `contentId`: an email's inline image, referenced from its HTML as cid:<contentId>. */
  | { type: 'image'; attachmentId: string; filename: string; contentType: string; size: number; contentId?: string }
  | { type: 'file'; attachmentId: string; filename: string; contentType: string; size: number }
  /** An email's HTML body, sanitized at ingest (usecases/sanitize-html.ts) before it is stored. */
  | { type: 'html'; html: string };

/** The one shape every channel adapter produces for an inbound customer message. */
export interface InboundMessage {
  channelAccountId: string;
  channelKind: ChannelKind;
  /** The provider's id for this message: the idempotency key within the channel account. */
  providerMessageId: string;
  sender: {
    identity: Identity;
    name?: string;
    /** Further identities the sender gave (e.g. an email typed into the chat widget). */
    otherIdentities?: Identity[];
    locale?: string;
  };
  parts: MessagePart[];
  subject?: string;
  /** When the provider says the message was sent (epoch ms). */
  sentAt: number;
  /**
   * Email: the conversations this mail says it continues (In-Reply-To, References, the subject's ticket
   * reference), most certain first. It joins the first one that is its sender's (see chooseEmailThread);
   * otherwise it starts a new conversation: email threads never fall into another open conversation.
   */
  thread?: { conversationIds: string[]; senderAddress: string };
  /** Email: the other addresses on the mail (Cc, To), kept as the conversation's participants. */
  participants?: EmailAddress[];
  meta?: MessageMeta;
}

/** A customer's value to the business (set by the CRM); it raises the priority of their conversations. */
export type ValueTier = 'platinum' | 'gold' | 'silver' | 'bronze';
export const VALUE_TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const satisfies readonly ValueTier[];

export interface Customer {
  id: string;
  name: string | null;
  locale: string | null;
  attributes: Record<string, unknown>;
  valueTier: ValueTier | null;
  vip: boolean;
  /** Short labels agents put on the profile. */
  tags: string[];
  lastContactAt: number | null;
  /** Set when this profile was merged into another: it owns nothing any more, the other one is the customer. */
  mergedInto: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface CustomerIdentity extends Identity {
  id: string;
  customerId: string;
  createdAt: number;
}

export interface Conversation {
  id: string;
  customerId: string;
  channelAccountId: string;
  channelKind: ChannelKind;
  status: ConversationStatus;
  priority: number;
  queueId: string | null;
  assigneeId: string | null;
  subject: string | null;
  lastMessageAt: number;
  lastCustomerMessageAt: number | null;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  /** When it started waiting in its current queue; null when it is not waiting for an agent. */
  enqueuedAt: number | null;
  /** Skills an agent needs for it (after any widening); null = the queue's own requirements. */
  requiredSkills: SkillRequirement[] | null;
  /** Agents who declined it or let its offer time out while it waits. */
  refusedBy: string[];
  firstResponseDueAt: number | null;
  resolutionDueAt: number | null;
  slaStatus: SlaStatus | null;
  /** Short labels agents put on it (filterable). */
  tags: string[];
  createdAt: number;
  updatedAt: number;
}

/** Where a conversation stands against its SLA targets. */
export type SlaStatus = 'ok' | 'warning' | 'breached';
export const SLA_STATUSES = ['ok', 'warning', 'breached'] as const satisfies readonly SlaStatus[];

/** A conversation as listed: with who it is with and its latest message (for previews). */
export interface ConversationSummary extends Conversation {
  customer: { id: string; name: string | null };
  lastMessage: Message | null;
}

export interface Message {
  id: string;
  conversationId: string;
  channelAccountId: string;
  direction: MessageDirection;
  senderType: SenderType;
  senderId: string | null;
  parts: MessagePart[];
  text: string;
  private: boolean;
  providerMessageId: string | null;
  status: MessageStatus;
  errorCode: string | null;
  errorMessage: string | null;
  /** Channel details: an email's headers, an auto-reply or bounce mark. */
  meta?: MessageMeta | null;
  createdAt: number;
  updatedAt: number;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale: string;
  active: boolean;
  /** E.164: where a call is put through when the agent has no softphone open. */
  phone: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ChannelAccount {
  id: string;
  kind: ChannelKind;
  name: string;
  settings: Record<string, unknown>;
  active: boolean;
  /** The queue its new conversations wait in; null = the default (unqueued) pool. */
  queueId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Attachment {
  id: string;
  messageId: string | null;
  channelAccountId: string;
  uploaderType: 'customer' | 'agent' | 'provider';
  uploaderId: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  createdAt: number;
}
