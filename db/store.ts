// The data layer's front door: every store bound to one connection or one transaction.
import type { Knex } from 'knex';
import { isUniqueViolation, type Database } from './connection.js';
import { knexIngestTx, type IngestTx } from './ingest-tx.js';
import { SqliteIngestCommitter } from './sqlite-ingest.js';
import { AgentRoutingStore } from './stores/agent-routing.store.js';
import { AttachmentsStore } from './stores/attachments.store.js';
import { AuditStore } from './stores/audit.store.js';
import { ChannelAccountsStore } from './stores/channel-accounts.store.js';
import { ConversationsStore } from './stores/conversations.store.js';
import { ConsentsStore } from './stores/consents.store.js';
import { CustomerMergesStore } from './stores/customer-merges.store.js';
import { CustomerMatchingStore } from './stores/customer-matching.store.js';
import { CustomerRecordsStore } from './stores/customer-records.store.js';
import { CustomersStore } from './stores/customers.store.js';
import { EmailStore } from './stores/email.store.js';
import { CallsStore } from './stores/calls.store.js';
import { SlackStore } from './stores/slack.store.js';
import { ProcessedEventsStore } from './stores/processed-events.store.js';
import { MessagesStore } from './stores/messages.store.js';
import { OffersStore } from './stores/offers.store.js';
import { OutboxStore } from './stores/outbox.store.js';
import { QueuesStore } from './stores/queues.store.js';
import { CannedResponsesStore } from './stores/canned-responses.store.js';
import { RoutingEventsStore } from './stores/routing-events.store.js';
import { TokensStore } from './stores/tokens.store.js';
import { UsersStore } from './stores/users.store.js';
import { WebChatSessionsStore } from './stores/web-chat-sessions.store.js';
import { CampaignsStore } from './stores/campaigns.store.js';
import { CsatStore } from './stores/csat.store.js';
import { CampaignAudienceStore } from './stores/campaign-audience.store.js';
import { ReportsStore } from './stores/reports.store.js';
import { ReportRollupStore } from './stores/report-rollup.store.js';
import { ReportSegmentsStore } from './stores/report-segments.store.js';
import { AttributeDefinitionsStore } from './stores/attribute-definitions.store.js';
import { OrdersStore } from './stores/orders.store.js';
import { SegmentsStore } from './stores/segments.store.js';
import { CrmSettingsStore } from './stores/crm-settings.store.js';
import { CustomerValueStore } from './stores/customer-value.store.js';

export interface Stores {
  users: UsersStore;
  tokens: TokensStore;
  customers: CustomersStore;
  channelAccounts: ChannelAccountsStore;
  conversations: ConversationsStore;
  messages: MessagesStore;
  attachments: AttachmentsStore;
  outbox: OutboxStore;
  webChatSessions: WebChatSessionsStore;
  audit: AuditStore;
  queues: QueuesStore;
  agentRouting: AgentRoutingStore;
  offers: OffersStore;
  routingEvents: RoutingEventsStore;
  cannedResponses: CannedResponsesStore;
  consents: ConsentsStore;
  customerMerges: CustomerMergesStore;
  customerMatching: CustomerMatchingStore;
  customerRecords: CustomerRecordsStore;
  email: EmailStore;
  calls: CallsStore;
  slack: SlackStore;
  processedEvents: ProcessedEventsStore;
  campaigns: CampaignsStore;
  csat: CsatStore;
  campaignAudience: CampaignAudienceStore;
  reports: ReportsStore;
  reportRollup: ReportRollupStore;
  reportSegments: ReportSegmentsStore;
  attributeDefinitions: AttributeDefinitionsStore;
  orders: OrdersStore;
  segments: SegmentsStore;
  crmSettings: CrmSettingsStore;
  customerValue: CustomerValueStore;
}

export interface Store extends Stores {
  engine: Database['engine'];
  /**
   * Runs `work` in one transaction. When it collides with a concurrent writer on a unique key
   * (two deliveries of the same message, two first messages of a new customer), the whole
   * transaction is retried, and on the retry it sees what the other writer committed.
   */
  transaction<T>(work: (tx: Stores) => Promise<T>): Promise<T>;
  /**
   * Runs the ingest pipeline's transaction: on PostgreSQL a knex transaction (retried on conflicts),
   * on SQLite prepared statements with group commit. Resolves only after the commit.
   */
  ingestTransaction<T>(work: (tx: IngestTx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
}

function bind(knex: Knex, engine: Database['engine']): Stores {
  return {
    users: new UsersStore(knex),
    tokens: new TokensStore(knex),
    customers: new CustomersStore(knex, engine),
    channelAccounts: new ChannelAccountsStore(knex),
    conversations: new ConversationsStore(knex),
    messages: new MessagesStore(knex),
    attachments: new AttachmentsStore(knex),
    outbox: new OutboxStore(knex, engine),
    webChatSessions: new WebChatSessionsStore(knex),
    audit: new AuditStore(knex),
    queues: new QueuesStore(knex),
    agentRouting: new AgentRoutingStore(knex, engine),
    offers: new OffersStore(knex),
    routingEvents: new RoutingEventsStore(knex),
    cannedResponses: new CannedResponsesStore(knex),
    consents: new ConsentsStore(knex),
    customerMerges: new CustomerMergesStore(knex),
    customerMatching: new CustomerMatchingStore(knex),
    customerRecords: new CustomerRecordsStore(knex),
    email: new EmailStore(knex),
    calls: new CallsStore(knex),
    slack: new SlackStore(knex, engine),
    processedEvents: new ProcessedEventsStore(knex),
    campaigns: new CampaignsStore(knex),
    csat: new CsatStore(knex),
    campaignAudience: new CampaignAudienceStore(knex),
    reports: new ReportsStore(knex, engine),
    reportRollup: new ReportRollupStore(knex, engine),
    reportSegments: new ReportSegmentsStore(knex),
    attributeDefinitions: new AttributeDefinitionsStore(knex),
    orders: new OrdersStore(knex),
    segments: new SegmentsStore(knex),
    crmSettings: new CrmSettingsStore(knex),
    customerValue: new CustomerValueStore(knex),
  };
}

const MAX_CONFLICT_RETRIES = 5;

export function createStore(db: Database): Store {
  async function transaction<T>(work: (tx: Stores) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.knex.transaction((trx) => work(bind(trx, db.engine)));
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= MAX_CONFLICT_RETRIES) throw err;
      }
    }
  }
  const committer = db.engine === 'sqlite' ? new SqliteIngestCommitter(db.knex) : undefined;
  return {
    ...bind(db.knex, db.engine),
    engine: db.engine,
    transaction,
    ingestTransaction: (work) => (committer ? committer.run(work) : transaction((tx) => work(knexIngestTx(tx)))),
    async ping() {
      await db.knex.raw('select 1');
    },
  };
}
