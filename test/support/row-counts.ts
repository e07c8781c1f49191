// A second, independent connection to a test server's database, used to prove what a request did
// (or did not) write: row counts per table, and raw rows where a test must see the stored bytes.
import { openDatabase, type Database } from '../../db/connection.js';
import type { TestServer } from './harness.js';

export const TABLES = [
  'users',
  'auth_tokens',
  'customers',
  'customer_identities',
  'channel_accounts',
  'conversations',
  'messages',
  'attachments',
  'outbox',
  'web_chat_sessions',
  'audit_log',
  'queues',
  'agent_routing',
  'queue_members',
  'offers',
  'routing_events',
  'canned_responses',
  'customer_consents',
  'customer_merges',
  // Suggested duplicates and their dismissals (the match keys and queue are a derived index the worker rewrites at any time, so they are not counted).
  'customer_duplicates',
  'email_imports',
  'email_sync_state',
  'conversation_participants',
  'calls',
  'slack_threads',
  'slack_posts',
  'processed_events',
  // The CRM's value side: attribute definitions, orders, segments, settings.
  'attribute_definitions',
  'orders',
  'segments',
  'crm_settings',
  // CRM outbound: campaigns with their recipients, satisfaction settings and surveys.
  'campaigns',
  'campaign_sends',
  'csat_settings',
  'csat_surveys',
] as const;

export type Table = (typeof TABLES)[number];
export type Counts = Record<Table, number>;

export class RowCounter {
  private constructor(private readonly db: Database) {}

  static open(server: Pick<TestServer, 'db'>): RowCounter {
    return new RowCounter(openDatabase(server.db.url, { schema: server.db.schema }));
  }

  async counts(): Promise<Counts> {
    const entries = await Promise.all(
      TABLES.map(async (t) => {
        const row = await this.db.knex(t).count<{ n: number | string }[]>({ n: '*' }).first();
        return [t, Number(row?.n ?? 0)] as const;
      }),
    );
    return Object.fromEntries(entries) as Counts;
  }

  async rows(table: Table): Promise<Record<string, unknown>[]> {
    return this.db.knex(table).select('*');
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
