// What the HTTP layer may call: use cases, read access to the store, and a few collaborators.
import type { Store } from '../../db/store.js';
import type { ChannelRegistry } from '../../channels/registry.js';
import type { Auth } from '../usecases/authenticate.js';
import type { makeManageUsers } from '../usecases/manage-users.js';
import type { makeReplyToConversation } from '../usecases/reply-to-conversation.js';
import type { makeAssignConversation } from '../usecases/assign-conversation.js';
import type { makeChangeConversationStatus } from '../usecases/change-conversation-status.js';
import type { makeTagConversation } from '../usecases/tag-conversation.js';
import type { makeUpdateCustomer } from '../usecases/update-customer.js';
import type { LinkCustomers } from '../usecases/link-customers.js';
import type { ImportEmail } from '../usecases/import-email.js';
import type { makeManageChannelAccounts } from '../usecases/manage-channel-accounts.js';
import type { makeManageQueues } from '../usecases/manage-queues.js';
import type { makeManageCannedResponses } from '../usecases/manage-canned-responses.js';
import type { makeManageAgentRouting } from '../usecases/manage-agent-routing.js';
import type { WebChat } from '../usecases/web-chat.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { RoutingApi } from '../routing/routing-front.js';
import type { QueueStatsFull } from '../domain/routing/stats-delta.js';
import type { FindWebhookAccount } from '../usecases/webhook-account.js';
import type { ReceiveSms } from '../usecases/receive-sms.js';
import type { ReceiveMessenger } from '../usecases/receive-messenger.js';
import type { ReceiveLine } from '../usecases/receive-line.js';
import type { ReceiveSlack } from '../usecases/receive-slack.js';
import type { VoiceCalls } from '../usecases/voice-calls.js';
import type { VoiceAgent } from '../usecases/voice-agent.js';
import type { PublicMedia } from '../usecases/public-media.js';

export interface Services {
  store: Store;
  channels: ChannelRegistry;
  auth: Auth;
  users: ReturnType<typeof makeManageUsers>;
  channelAccounts: ReturnType<typeof makeManageChannelAccounts>;
  queues: ReturnType<typeof makeManageQueues>;
  cannedResponses: ReturnType<typeof makeManageCannedResponses>;
  agentRouting: ReturnType<typeof makeManageAgentRouting>;
  reply: ReturnType<typeof makeReplyToConversation>;
  assign: ReturnType<typeof makeAssignConversation>;
  changeStatus: ReturnType<typeof makeChangeConversationStatus>;
  tagConversation: ReturnType<typeof makeTagConversation>;
  updateCustomer: ReturnType<typeof makeUpdateCustomer>;
  linkCustomers: LinkCustomers;
  importEmail: ImportEmail;
  webChat: WebChat;
  files: FileStorage;
  now: () => number;
  /** Live sockets of revoked sessions are closed through this. */
  onSessionsRevoked: (match: { tokenHash?: string; userId?: string; exceptTokenHash?: string }) => void;
  routing: RoutingApi;
  /** Live queue statistics, the full report (the stats publisher's). */
  queueStats: () => Promise<QueueStatsFull>;
  /** The account a provider's webhook names, with its opened credentials (to check the signature). */
  webhookAccount: FindWebhookAccount;
  /** SMS over Twilio: incoming messages and status callbacks. */
  sms: ReceiveSms;
  /** Facebook Messenger: a page's webhook events (messages, postbacks, receipts). */
  messenger: ReceiveMessenger;
  /** LINE: webhook events (messages, follow/unfollow, postbacks). */
  line: ReceiveLine;
  /** Slack for agents: replies written in a conversation's Slack thread. */
  slack: ReceiveSlack;
  /** Signed, expiring links to attachments, for providers to fetch (MMS pictures). */
  publicMedia: PublicMedia;
  /** Phone calls over Twilio: the IVR, queue waits, voicemail, outcomes. */
  voice: VoiceCalls;
  /** Agents' side of calls: softphone tokens, callbacks. */
  voiceAgent: VoiceAgent;
}

export interface HttpOptions {
  publicUrl: string | undefined;
  jsonBodyLimit: string;
  uploadMaxBytes: number;
  version: string;
}
