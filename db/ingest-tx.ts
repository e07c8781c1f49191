// The narrow set of reads and writes the ingest pipeline makes inside its transaction. The use case
// (server/usecases/ingest-message.ts) is written once against this interface; the store runs it on
// knex (PostgreSQL) or on prepared SQLite statements (the embedded default's hot path).
import type { EmailAddress } from '../server/domain/email.js';
import type { Conversation, Customer, Identity, Message } from '../server/domain/types.js';
import type { NewConversation } from './stores/conversations.store.js';
import type { NewCustomer } from './stores/customers.store.js';
import type { NewMessage } from './stores/messages.store.js';
import type { Stores } from './store.js';

/** A value now (SQLite's synchronous statements) or later (knex). */
export type Awaitable<T> = T | Promise<T>;

export interface IngestTx {
  findMessageByProviderId(channelAccountId: string, providerMessageId: string): Awaitable<Message | undefined>;
  findConversation(id: string): Awaitable<Conversation | undefined>;
  findCustomer(id: string): Awaitable<Customer | undefined>;
  findCustomerByIdentity(identity: Identity): Awaitable<Customer | undefined>;
  createCustomer(input: NewCustomer, now: number): Awaitable<Customer>;
  setCustomerName(id: string, name: string, now: number): Awaitable<void>;
  /** False when the identity already belongs to someone (a concurrent writer took it). */
  linkIdentity(customerId: string, identity: Identity, now: number): Awaitable<boolean>;
  findUnresolvedConversation(customerId: string, channelAccountId: string): Awaitable<Conversation | undefined>;
  findLastResolvedConversation(customerId: string, channelAccountId: string): Awaitable<Conversation | undefined>;
  createConversation(input: NewConversation, now: number): Awaitable<Conversation>;
  /** False when it is no longer resolved (a concurrent writer reopened it). */
  reopenConversation(id: string, now: number): Awaitable<boolean>;
  insertMessage(message: NewMessage, now: number): Awaitable<Message>;
  linkAttachments(attachmentIds: string[], messageId: string): Awaitable<void>;
  /** Records a customer message's arrival on the conversation and the customer. */
  touchOnInbound(conversationId: string, customerId: string, now: number): Awaitable<void>;
  /** Whether this address was Cc'd on the conversation (email). */
  isParticipant(conversationId: string, address: string): Awaitable<boolean>;
  addParticipants(conversationId: string, people: EmailAddress[], now: number): Awaitable<void>;
}

/** The knex-backed IngestTx: the ordinary stores, bound to one transaction. */
export function knexIngestTx(tx: Stores): IngestTx {
  return {
    findMessageByProviderId: (a, p) => tx.messages.findByProviderId(a, p),
    findConversation: (id) => tx.conversations.findById(id),
    findCustomer: (id) => tx.customers.findById(id),
    findCustomerByIdentity: (identity) => tx.customers.findByIdentity(identity),
    createCustomer: (input, now) => tx.customers.create(input, now),
    setCustomerName: (id, name, now) => tx.customers.update(id, { name }, now),
    linkIdentity: (customerId, identity, now) => tx.customers.linkIdentity(customerId, identity, now),
    findUnresolvedConversation: (c, a) => tx.conversations.findUnresolved(c, a),
    findLastResolvedConversation: (c, a) => tx.conversations.findLastResolved(c, a),
    createConversation: (input, now) => tx.conversations.create(input, now),
    reopenConversation: (id, now) => tx.conversations.reopen(id, now),
    insertMessage: (m, now) => tx.messages.insert(m, now),
    linkAttachments: (ids, messageId) => tx.attachments.linkToMessage(ids, messageId),
    async touchOnInbound(conversationId, customerId, now) {
      await tx.conversations.touch(conversationId, { lastMessageAt: now, lastCustomerMessageAt: now }, now);
      await tx.customers.update(customerId, { lastContactAt: now }, now);
    },
    isParticipant: (conversationId, address) => tx.email.isParticipant(conversationId, address),
    addParticipants: (conversationId, people, now) => tx.email.addParticipants(conversationId, people, now),
  };
}
