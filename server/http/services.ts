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
import type { FindDuplicates } from '../usecases/find-duplicates.js';
import type { UnmergeCustomers } from '../usecases/unmerge-customers.js';
import type { ImportCustomers } from '../usecases/import-customers.js';
import type { ExportCustomers } from '../usecases/export-customers.js';
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
import type { CrmValue } from '../usecases/crm/crm-value.js';
import type { ManageCampaigns } from '../usecases/crm/manage-campaigns.js';
import type { CsatSurveys } from '../usecases/crm/csat-surveys.js';
import type { BuildReport } from '../usecases/build-report.js';

export interface Services {
  store: Store;
  /** The CRM's value side: attribute definitions, orders, RFM and tiers, segments. */
  crmValue: CrmValue;
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
  /** One customer view: duplicate suggestions, undoing merges, CSV import and export. */
  findDuplicates: FindDuplicates;
  unmergeCustomers: UnmergeCustomers;
  importCustomers: ImportCustomers;
  exportCustomers: ExportCustomers;
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
  /** Outbound campaigns: create, preview, schedule, pause, numbers (the runner sends). */
  campaigns: ManageCampaigns;
  /** Satisfaction surveys: settings, answers from the widget and email links, scores. */
  csat: CsatSurveys;
  /** Reports per channel, queue, agent or segment over a period (GET /reports, /reports.csv). */
  reports: BuildReport;
  /** The desk's zone for reports (REPORT_TIME_ZONE): the rollup's days, and the default of a report. */
  reportTimeZone: string;
}

export interface HttpOptions {
  publicUrl: string | undefined;
  jsonBodyLimit: string;
  uploadMaxBytes: number;
  version: string;
}
