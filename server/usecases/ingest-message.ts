// The ingest pipeline: identity → customer, customer → conversation, message stored exactly once.
import { attachmentIdsOf, chooseConversation, textOf, type ConversationChoice } from '../domain/conversation-rules.js';
import { chooseEmailThread } from '../domain/email.js';
import { AppError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { Conversation, Customer, InboundMessage, Message, MessagePart } from '../domain/types.js';
import { WriteConflict } from '../../db/connection.js';
import type { IngestTx } from '../../db/ingest-tx.js';
import type { Deps } from './deps.js';
import { sanitizeEmailHtml } from './sanitize-html.js';

/**
 * The largest HTML body taken (characters, before sanitizing). A long newsletter is ~200 KB; at this
 * size sanitizing holds the event loop for about 80 ms.
 */
export const MAX_HTML_CHARS = 512 * 1024;

export interface IngestResult {
  message: Message;
  conversation: Conversation;
  customer: Customer;
  /** False when this provider message was already stored (a retry or duplicate delivery). */
  created: boolean;
}

export interface IngestOptions {
  reopenWindowMs: number;
  /** Satisfaction surveys awaiting a reply (CSAT): a reply that is only a score joins the resolved conversation without reopening it. */
  surveyReplies?: SurveyReplies;
}

export interface SurveyReplies {
  /** Before the transaction: the resolved conversation whose survey this message would answer, if any. */
  awaiting(inbound: InboundMessage, text: string): Promise<string | undefined>;
  /** After the commit (and for a redelivery, so a crash in between loses no score): records the score once. */
  answered(result: IngestResult): Promise<void>;
}

export function makeIngestMessage(deps: Deps, options: IngestOptions) {
  return async function ingestMessage(inbound: InboundMessage): Promise<IngestResult> {
    if (!inbound.providerMessageId) throw new AppError('VALIDATION', 'inbound message has no provider message id');
    if (inbound.parts.length === 0) throw new AppError('VALIDATION', 'inbound message has no content');
    const parts = safeParts(inbound.parts);
    if (parts.length === 0) throw new AppError('VALIDATION', 'inbound message has no content once its HTML is sanitized');
    const surveyConversationId = inbound.thread ? undefined : await options.surveyReplies?.awaiting(inbound, textOf(parts));

    const events: DomainEvent[] = [];
    const result = await deps.store.ingestTransaction(async (tx): Promise<IngestResult> => {
      events.length = 0; // a retried transaction starts over
      const existing = await tx.findMessageByProviderId(inbound.channelAccountId, inbound.providerMessageId);
      if (existing) {
        const conversation = (await tx.findConversation(existing.conversationId))!;
        const customer = (await tx.findCustomer(conversation.customerId))!;
        return { message: existing, conversation, customer, created: false };
      }
      const now = deps.now();
      const customer = await resolveCustomer(tx, inbound, now);
      const conversation = await resolveConversation(tx, inbound, customer, now, options.reopenWindowMs, events, surveyConversationId);
      const message = await tx.insertMessage(
        {
          conversationId: conversation.id,
          channelAccountId: inbound.channelAccountId,
          direction: 'inbound',
          senderType: 'customer',
          senderId: customer.id,
          parts,
          text: textOf(parts),
          private: false,
          providerMessageId: inbound.providerMessageId,
          status: 'received',
          meta: inbound.meta ?? null,
        },
        now,
      );
      if (inbound.participants?.length) await tx.addParticipants(conversation.id, inbound.participants, now);
      const attachmentIds = attachmentIdsOf(parts);
      if (attachmentIds.length > 0) await tx.linkAttachments(attachmentIds, message.id);
      await tx.touchOnInbound(conversation.id, customer.id, now);
      const updated: Conversation = { ...conversation, lastMessageAt: now, lastCustomerMessageAt: now, updatedAt: now };
      events.push({ type: 'message.created', message, conversation: updated });
      return { message, conversation: updated, customer: { ...customer, lastContactAt: now, updatedAt: now }, created: true };
    });
    if (result.created) deps.events.publish(...events);
    if (surveyConversationId && result.conversation.id === surveyConversationId) await options.surveyReplies!.answered(result);
    return result;
  };
}

/**
 * The parts as they may be stored: every HTML body sanitized (outside the transaction: it is CPU work),
 * and dropped when nothing is left of it. Nothing unsanitized is ever written.
 */
function safeParts(parts: MessagePart[]): MessagePart[] {
  return parts.flatMap((p): MessagePart[] => {
    if (p.type !== 'html') return [p];
    if (p.html.length > MAX_HTML_CHARS) {
      throw new AppError('PAYLOAD_TOO_LARGE', `the HTML body is longer than ${MAX_HTML_CHARS} characters; store it as a file attachment`);
    }
    const html = sanitizeEmailHtml(p.html);
    return html ? [{ type: 'html', html }] : [];
  });
}

async function resolveCustomer(tx: IngestTx, inbound: InboundMessage, now: number): Promise<Customer> {
  const { identity, name, otherIdentities = [], locale } = inbound.sender;
  const known = await tx.findCustomerByIdentity(identity);
  if (known) {
    if (!known.name && name) await tx.setCustomerName(known.id, name, now);
    return known.name || !name ? known : { ...known, name };
  }
  // A new channel identity may belong to someone we know by email or phone (e.g. a returning visitor).
  for (const other of otherIdentities) {
    const byOther = await tx.findCustomerByIdentity(other);
    if (byOther) {
      await tx.linkIdentity(byOther.id, identity, now);
      return byOther;
    }
  }
  const customer = await tx.createCustomer({ name: name ?? null, locale: locale ?? null }, now);
  // A unique-key collision here means a concurrent first message created this customer: the
  // transaction is rolled back and retried, and the retry finds them.
  if (!(await tx.linkIdentity(customer.id, identity, now))) throw new WriteConflict('customer identity');
  for (const other of otherIdentities) await tx.linkIdentity(customer.id, other, now);
  return customer;
}

async function resolveConversation(
  tx: IngestTx,
  inbound: InboundMessage,
  customer: Customer,
  now: number,
  reopenWindowMs: number,
  events: DomainEvent[],
  surveyConversationId?: string,
): Promise<Conversation> {
  let choice: ConversationChoice;
  if (inbound.thread) choice = await chooseThread(tx, inbound.thread, customer.id);
  else {
    const unresolved = await tx.findUnresolvedConversation(customer.id, inbound.channelAccountId);
    const lastResolved = unresolved ? undefined : await tx.findLastResolvedConversation(customer.id, inbound.channelAccountId);
    // A score answering the survey of the last resolved conversation stays there: it does not reopen it.
    const answersSurvey = lastResolved !== undefined && lastResolved.id === surveyConversationId;
    choice = answersSurvey
      ? { action: 'append', conversation: lastResolved }
      : chooseConversation(unresolved, lastResolved, now, reopenWindowMs);
  }
  switch (choice.action) {
    case 'append':
      return choice.conversation;
    case 'reopen': {
      // Of several concurrent messages only one reopens it (and says so); the others retry and append.
      if (!(await tx.reopenConversation(choice.conversation.id, now))) throw new WriteConflict('conversation reopen');
      const reopened: Conversation = { ...choice.conversation, status: 'open', resolvedAt: null, updatedAt: now };
      events.push({ type: 'conversation.updated', conversation: reopened, previous: choice.conversation });
      return reopened;
    }
    case 'create': {
      const created = await tx.createConversation(
        {
          customerId: customer.id,
          channelAccountId: inbound.channelAccountId,
          channelKind: inbound.channelKind,
          subject: inbound.subject ?? null,
        },
        now,
      );
      events.push({ type: 'conversation.created', conversation: created });
      return created;
    }
  }
}

/**
 * An email continues the conversation it names when that is its sender's (see chooseEmailThread),
 * reopening it if it was resolved, however long ago; otherwise it starts a new one.
 */
async function chooseThread(tx: IngestTx, thread: NonNullable<InboundMessage['thread']>, customerId: string): Promise<ConversationChoice> {
  const candidates: Conversation[] = [];
  const participantOf = new Set<string>();
  for (const id of thread.conversationIds) {
    const c = await tx.findConversation(id);
    if (!c) continue;
    candidates.push(c);
    if (await tx.isParticipant(id, thread.senderAddress)) participantOf.add(id);
  }
  const chosen = chooseEmailThread(candidates, customerId, (id) => participantOf.has(id));
  if (!chosen) return { action: 'create' };
  return chosen.status === 'resolved' ? { action: 'reopen', conversation: chosen } : { action: 'append', conversation: chosen };
}
