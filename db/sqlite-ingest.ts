// The embedded default's hot path: the ingest transaction on SQLite statements prepared once, with
// group commit. Messages that arrive in the same turn of the event loop share one transaction, each
// inside its own savepoint, so one bad message rolls back alone and one commit covers the batch.
// Nothing is acknowledged before that commit. See bench/README.md for the figures that chose this.
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { Identity } from '../server/domain/types.js';
import { isUniqueViolation } from './connection.js';
import { newId } from './ids.js';
import type { IngestTx } from './ingest-tx.js';
import { newConversationRow, toConversation, type ConversationRow } from './stores/conversations.store.js';
import { newCustomerRow, toCustomer, type CustomerRow } from './stores/customers.store.js';
import { newMessageRow, toMessage, type MessageRow } from './stores/messages.store.js';

type Conn = BetterSqlite3.Database;

function prepare(conn: Conn) {
  return {
    messageByProvider: conn.prepare<[string, string], MessageRow>(
      'SELECT * FROM messages WHERE channel_account_id = ? AND provider_message_id = ?',
    ),
    conversationById: conn.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?'),
    customerById: conn.prepare<[string], CustomerRow>('SELECT * FROM customers WHERE id = ?'),
    customerByIdentity: conn.prepare<[string, string, string], CustomerRow>(
      `SELECT c.* FROM customers c JOIN customer_identities i ON i.customer_id = c.id
       WHERE i.kind = ? AND i.scope = ? AND i.value = ? LIMIT 1`,
    ),
    insertCustomer: conn.prepare<[CustomerRow]>(
      // value_tier and vip keep their column defaults (no tier, not VIP): better-sqlite3 cannot bind booleans.
      `INSERT INTO customers (id, name, locale, attributes, last_contact_at, created_at, updated_at)
       VALUES (@id, @name, @locale, @attributes, @last_contact_at, @created_at, @updated_at)`,
    ),
    setCustomerName: conn.prepare<[string, number, string]>('UPDATE customers SET name = ?, updated_at = ? WHERE id = ?'),
    linkIdentity: conn.prepare<[string, string, string, string, string, number]>(
      `INSERT INTO customer_identities (id, customer_id, kind, scope, value, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, scope, value) DO NOTHING`,
    ),
    // A named customer or a new phone/email is queued for its duplicate check (see db/stores/match-queue.ts).
    queueMatchCheck: conn.prepare<[string, string]>(
      `INSERT INTO customer_match_queue (customer_id, token) VALUES (?, ?) ON CONFLICT (customer_id) DO UPDATE SET token = excluded.token`,
    ),
    unresolved: conn.prepare<[string, string], ConversationRow>(
      `SELECT * FROM conversations WHERE customer_id = ? AND channel_account_id = ? AND status <> 'resolved' LIMIT 1`,
    ),
    lastResolved: conn.prepare<[string, string], ConversationRow>(
      `SELECT * FROM conversations WHERE customer_id = ? AND channel_account_id = ? AND status = 'resolved'
       ORDER BY resolved_at DESC LIMIT 1`,
    ),
    insertConversation: conn.prepare<[ConversationRow]>(
      `INSERT INTO conversations (id, customer_id, channel_account_id, channel_kind, status, priority, queue_id, assignee_id,
         subject, last_message_at, last_customer_message_at, first_response_at, resolved_at, enqueued_at, required_skills,
         refused_by, first_response_due_at, resolution_due_at, sla_status, created_at, updated_at)
       VALUES (@id, @customer_id, @channel_account_id, @channel_kind, @status, @priority, @queue_id, @assignee_id,
         @subject, @last_message_at, @last_customer_message_at, @first_response_at, @resolved_at, @enqueued_at, @required_skills,
         @refused_by, @first_response_due_at, @resolution_due_at, @sla_status, @created_at, @updated_at)`,
    ),
    reopen: conn.prepare<[number, string]>(
      `UPDATE conversations SET status = 'open', resolved_at = NULL, updated_at = ? WHERE id = ? AND status = 'resolved'`,
    ),
    insertMessage: conn.prepare<[MessageRow]>(
      `INSERT INTO messages (id, conversation_id, channel_account_id, direction, sender_type, sender_id, parts, text, private,
         provider_message_id, status, error_code, error_message, meta, created_at, updated_at)
       VALUES (@id, @conversation_id, @channel_account_id, @direction, @sender_type, @sender_id, @parts, @text, @private,
         @provider_message_id, @status, @error_code, @error_message, @meta, @created_at, @updated_at)`,
    ),
    linkAttachment: conn.prepare<[string, string]>('UPDATE attachments SET message_id = ? WHERE id = ? AND message_id IS NULL'),
    touchConversation: conn.prepare<[number, number, number, string]>(
      'UPDATE conversations SET last_message_at = ?, last_customer_message_at = ?, updated_at = ? WHERE id = ?',
    ),
    touchCustomer: conn.prepare<[number, number, string]>('UPDATE customers SET last_contact_at = ?, updated_at = ? WHERE id = ?'),
    isParticipant: conn.prepare<[string, string], { one: number }>(
      'SELECT 1 AS one FROM conversation_participants WHERE conversation_id = ? AND address = ?',
    ),
    addParticipant: conn.prepare<[string, string, string | null, number]>(
      `INSERT INTO conversation_participants (conversation_id, address, name, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (conversation_id, address) DO NOTHING`,
    ),
  };
}

type Statements = ReturnType<typeof prepare>;
const prepared = new WeakMap<Conn, Statements>();

function statementsOf(conn: Conn): Statements {
  let s = prepared.get(conn);
  if (!s) prepared.set(conn, (s = prepare(conn)));
  return s;
}

/** The IngestTx on prepared statements: every call completes synchronously. */
export function sqliteIngestTx(conn: Conn): IngestTx {
  const st = statementsOf(conn);
  const maybe = <R, T>(row: R | undefined, map: (r: R) => T): T | undefined => (row === undefined ? undefined : map(row));
  return {
    findMessageByProviderId: (a, p) => maybe(st.messageByProvider.get(a, p), toMessage),
    findConversation: (id) => maybe(st.conversationById.get(id), toConversation),
    findCustomer: (id) => maybe(st.customerById.get(id), toCustomer),
    findCustomerByIdentity: (i: Identity) => maybe(st.customerByIdentity.get(i.kind, i.scope, i.value), toCustomer),
    createCustomer(input, now) {
      const row = newCustomerRow(input, now);
      st.insertCustomer.run(row);
      if (row.name) st.queueMatchCheck.run(row.id, newId());
      return toCustomer(row);
    },
    setCustomerName(id, name, now) {
      st.setCustomerName.run(name, now, id);
      st.queueMatchCheck.run(id, newId());
    },
    linkIdentity(customerId, i, now) {
      const linked = st.linkIdentity.run(newId(), customerId, i.kind, i.scope, i.value, now).changes > 0;
      if (linked && (i.kind === 'phone' || i.kind === 'email')) st.queueMatchCheck.run(customerId, newId());
      return linked;
    },
    findUnresolvedConversation: (c, a) => maybe(st.unresolved.get(c, a), toConversation),
    findLastResolvedConversation: (c, a) => maybe(st.lastResolved.get(c, a), toConversation),
    createConversation(input, now) {
      const row = newConversationRow(input, now);
      st.insertConversation.run(row);
      return toConversation(row);
    },
    reopenConversation: (id, now) => st.reopen.run(now, id).changes > 0,
    insertMessage(m, now) {
      const row = newMessageRow(m, now);
      st.insertMessage.run(row);
      return toMessage(row);
    },
    linkAttachments(ids, messageId) {
      for (const id of ids) st.linkAttachment.run(messageId, id);
    },
    touchOnInbound(conversationId, customerId, now) {
      st.touchConversation.run(now, now, now, conversationId);
      st.touchCustomer.run(now, now, customerId);
    },
    isParticipant: (conversationId, address) => st.isParticipant.get(conversationId, address) !== undefined,
    addParticipants(conversationId, people, now) {
      for (const p of people) st.addParticipant.run(conversationId, p.address, p.name?.slice(0, 200) ?? null, now);
    },
  };
}

interface Pending {
  work: (tx: IngestTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 256;
const MAX_CONFLICT_RETRIES = 5;

/**
 * Runs ingest work in group-committed SQLite transactions on the connection knex pools, taken from
 * the pool for the batch so no knex transaction can interleave with it.
 */
export class SqliteIngestCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing: Promise<void> | undefined;

  constructor(private readonly knex: Knex) {}

  run<T>(work: (tx: IngestTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    let conn: Conn;
    try {
      conn = (await this.knex.client.acquireConnection()) as Conn;
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      const tx = sqliteIngestTx(conn);
      conn.exec('BEGIN IMMEDIATE');
      for (const p of batch) outcomes.push(await this.runOne(conn, tx, p));
      conn.exec('COMMIT');
    } catch (err) {
      // The commit itself failed (disk full, I/O error): nothing of the batch is stored or acknowledged.
      if (conn.inTransaction) conn.exec('ROLLBACK');
      for (const p of batch) p.reject(err);
      return;
    } finally {
      await this.knex.client.releaseConnection(conn);
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }

  private async runOne(conn: Conn, tx: IngestTx, p: Pending) {
    for (let attempt = 1; ; attempt++) {
      conn.exec('SAVEPOINT ingest');
      try {
        const value = await p.work(tx);
        conn.exec('RELEASE ingest');
        return { ok: true as const, value };
      } catch (error) {
        conn.exec('ROLLBACK TO ingest');
        conn.exec('RELEASE ingest');
        if (!isUniqueViolation(error) || attempt >= MAX_CONFLICT_RETRIES) return { ok: false as const, error };
      }
    }
  }
}
