import { z } from 'zod';
import { CHANNEL_KINDS, CONVERSATION_STATUSES, type Conversation, type ConversationSummary, type MessagePart } from '../../domain/types.js';
import { AppError, forbidden, notFound } from '../../domain/errors.js';
import { canViewConversation, hasRole, type Actor } from '../../domain/policy.js';
import type { ConversationCursor, ConversationFilter } from '../../../db/stores/conversations.store.js';
import { attachmentPart } from '../../usecases/web-chat.js';
import { route } from '../route-kit.js';
import { Tag } from './shared-schemas.js';
import type { Services } from '../services.js';
import { messengerWindowEndsAt } from '../../domain/messenger-window.js';

const TagsBody = z.object({ tags: z.array(Tag).max(20, 'at most 20 tags') }).strict();

const ListQuery = z
  .object({
    status: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(CONVERSATION_STATUSES)))
      .optional(),
    assignee: z.string().max(64).optional().describe('`me`, `none` (unassigned) or a user id'),
    channel: z.enum(CHANNEL_KINDS).optional(),
    channelAccountId: z.string().max(64).optional(),
    customerId: z.string().max(64).optional(),
    queueId: z.string().max(64).optional(),
    minPriority: z.coerce.number().int().optional(),
    q: z.string().trim().min(1).max(200).optional().describe('text to find in messages'),
    tag: Tag.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(200).optional(),
  })
  .strict();

const MessagesQuery = z
  .object({ after: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(500).default(200) })
  .strict();

const Compose = z
  .object({ text: z.string().max(20_000).optional(), attachmentIds: z.array(z.string().max(64)).max(10).optional() })
  .strict()
  .refine((b) => (b.text?.trim().length ?? 0) > 0 || (b.attachmentIds?.length ?? 0) > 0, 'a message needs text or an attachment');

const Id = z.string().min(1).max(64);

const TransferBody = z
  .object({
    toAgentId: Id.optional().describe('hand it to this user (it stays assigned)'),
    toQueueId: Id.optional().describe('send it back to waiting in this queue (unassigned, offered afresh)'),
    note: z.string().trim().min(1).max(5_000).optional().describe('a private note for the next agent'),
  })
  .strict()
  .refine((b) => (b.toAgentId === undefined) !== (b.toQueueId === undefined), 'give exactly one of toAgentId or toQueueId');

const PriorityBody = z
  .object({
    priority: z
      .number()
      .int('priority is a whole number from -10 to 10')
      .min(-10, 'priority goes from -10 to 10')
      .max(10, 'priority goes from -10 to 10'),
  })
  .strict();

const encodeCursor = (c: ConversationCursor) => Buffer.from(`${c.lastMessageAt}:${c.id}`).toString('base64url');
function decodeCursor(raw: string): ConversationCursor {
  const [t, id] = Buffer.from(raw, 'base64url').toString('utf8').split(/:(.*)/s, 2);
  if (!t || !id || !/^\d+$/.test(t)) throw new AppError('VALIDATION', 'query.cursor: not a cursor this API returned');
  return { lastMessageAt: Number(t), id };
}

export function conversationRoutes(s: Services) {
  async function visible(actor: Actor, id: string) {
    const conversation = await s.store.conversations.findById(id);
    if (!conversation) throw notFound('conversation');
    if (!canViewConversation(actor, conversation)) throw forbidden('this conversation is assigned to another agent');
    return conversation;
  }

  /** Adds the customer's name and the latest message to each listed conversation (two queries per page). */
  async function summarize(page: Conversation[]): Promise<ConversationSummary[]> {
    const [customers, latest] = await Promise.all([
      s.store.customers.findManyByIds(page.map((c) => c.customerId)),
      s.store.messages.latestOf(page.map((c) => c.id)),
    ]);
    const nameOf = new Map(customers.map((c) => [c.id, c.name]));
    const latestOf = new Map(latest.map((m) => [m.conversationId, m]));
    return page.map((c) => ({
      ...c,
      customer: { id: c.customerId, name: nameOf.get(c.customerId) ?? null },
      lastMessage: latestOf.get(c.id) ?? null,
    }));
  }

  async function partsOf(body: z.infer<typeof Compose>): Promise<MessagePart[]> {
    const parts: MessagePart[] = [];
    if (body.text?.trim()) parts.push({ type: 'text', text: body.text });
    const attachments = await s.store.attachments.findManyByIds(body.attachmentIds ?? []);
    if (attachments.length !== (body.attachmentIds?.length ?? 0)) throw new AppError('VALIDATION', 'an attachment does not exist');
    return [...parts, ...attachments.map(attachmentPart)];
  }

  return [
    route({
      method: 'get',
      path: '/conversations',
      summary: 'List conversations, newest activity first, with filters and cursor paging',
      tag: 'conversations',
      role: 'agent',
      query: ListQuery,
      handler: async ({ user, query }) => {
        const q = query as z.infer<typeof ListQuery>;
        const filter: ConversationFilter = {
          status: q.status,
          channelKind: q.channel,
          channelAccountId: q.channelAccountId,
          customerId: q.customerId,
          queueId: q.queueId,
          minPriority: q.minPriority,
          query: q.q,
          tag: q.tag?.toLowerCase(),
        };
        if (q.assignee === 'me') filter.assigneeId = user.id;
        else if (q.assignee === 'none') filter.assigneeId = null;
        else if (q.assignee) filter.assigneeId = q.assignee;
        // Agents see their own and unassigned conversations only.
        if (!hasRole(user, 'supervisor') && filter.assigneeId !== null && filter.assigneeId !== user.id) {
          if (filter.assigneeId !== undefined) throw forbidden('agents may list only their own or unassigned conversations');
          filter.visibleTo = user.id;
        }
        const items = await s.store.conversations.list(filter, q.limit + 1, q.cursor ? decodeCursor(q.cursor) : undefined);
        const page = items.slice(0, q.limit);
        const last = page.at(-1);
        return { conversations: await summarize(page), nextCursor: items.length > q.limit && last ? encodeCursor(last) : null };
      },
    }),
    route({
      method: 'get',
      path: '/conversations/:id',
      summary: 'Read a conversation with its customer and messages',
      tag: 'conversations',
      role: 'agent',
      handler: async ({ user, params }) => {
        const conversation = await visible(user, params.id!);
        const [customer, identities, messages] = await Promise.all([
          s.store.customers.findById(conversation.customerId),
          s.store.customers.identities(conversation.customerId),
          s.store.messages.listForConversation(conversation.id, { limit: 500, includePrivate: true }),
        ]);
        // Messenger: when Meta stops taking replies (24 hours after the customer's last message).
        const window =
          conversation.channelKind === 'messenger' ? { replyWindowEndsAt: messengerWindowEndsAt(conversation.lastCustomerMessageAt) } : {};
        return { conversation, customer: customer && { ...customer, identities }, messages, ...window };
      },
    }),
    route({
      method: 'get',
      path: '/conversations/:id/messages',
      summary: 'Messages of a conversation after a message id (catch-up after a reconnect)',
      tag: 'conversations',
      role: 'agent',
      query: MessagesQuery,
      handler: async ({ user, params, query }) => {
        const q = query as z.infer<typeof MessagesQuery>;
        await visible(user, params.id!);
        return {
          messages: await s.store.messages.listForConversation(params.id!, { after: q.after, limit: q.limit, includePrivate: true }),
        };
      },
    }),
    route({
      method: 'post',
      path: '/conversations/:id/messages',
      summary: 'Reply to the customer (sent through the outbox)',
      tag: 'conversations',
      role: 'agent',
      status: 201,
      body: Compose,
      handler: async ({ user, params, body }) =>
        s.reply({ conversationId: params.id!, actor: user, parts: await partsOf(body as z.infer<typeof Compose>), private: false }),
    }),
    route({
      method: 'post',
      path: '/conversations/:id/notes',
      summary: 'Add a private note (never sent to the customer)',
      tag: 'conversations',
      role: 'agent',
      status: 201,
      body: Compose,
      handler: async ({ user, params, body }) =>
        s.reply({ conversationId: params.id!, actor: user, parts: await partsOf(body as z.infer<typeof Compose>), private: true }),
    }),
    route({
      method: 'post',
      path: '/conversations/:id/assign',
      summary: 'Assign to a user, or unassign with null',
      tag: 'conversations',
      role: 'agent',
      body: z.object({ assigneeId: z.string().max(64).nullable() }).strict(),
      handler: async ({ user, params, body }) => ({
        conversation: await s.assign({
          conversationId: params.id!,
          actor: user,
          assigneeId: (body as { assigneeId: string | null }).assigneeId,
        }),
      }),
    }),
    route({
      method: 'post',
      path: '/conversations/:id/status',
      summary: 'Change status: open, pending, snoozed, resolved',
      tag: 'conversations',
      role: 'agent',
      body: z.object({ status: z.enum(CONVERSATION_STATUSES) }).strict(),
      handler: async ({ user, params, body }) => ({
        conversation: await s.changeStatus({
          conversationId: params.id!,
          actor: user,
          status: (body as { status: (typeof CONVERSATION_STATUSES)[number] }).status,
        }),
      }),
    }),
    route({
      method: 'post',
      path: '/conversations/:id/tags',
      summary: "Set a conversation's tags (replaces the list; lower-cased, duplicates dropped)",
      tag: 'conversations',
      role: 'agent',
      body: TagsBody,
      handler: async ({ user, params, body }) => ({
        conversation: await s.tagConversation({ conversationId: params.id!, actor: user, tags: (body as z.infer<typeof TagsBody>).tags }),
      }),
    }),
    route({
      method: 'post',
      path: '/conversations/:id/transfer',
      summary: 'Transfer to an agent (reassign) or a queue (back to waiting), with an optional private note',
      tag: 'conversations',
      role: 'agent',
      body: TransferBody,
      handler: async ({ user, params, body }) => {
        const b = body as z.infer<typeof TransferBody>;
        const conversation = b.toAgentId
          ? await s.routing.transferToAgent(params.id!, b.toAgentId, user, b.note)
          : await s.routing.transferToQueue(params.id!, b.toQueueId!, user, b.note);
        return { conversation };
      },
    }),
    route({
      method: 'post',
      path: '/conversations/:id/priority',
      summary: 'Set the priority (-10 to 10); a waiting conversation moves in line at once',
      tag: 'conversations',
      role: 'supervisor',
      body: PriorityBody,
      handler: async ({ user, params, body }) => ({
        conversation: await s.routing.setPriority(params.id!, (body as z.infer<typeof PriorityBody>).priority, user),
      }),
    }),
    route({
      method: 'post',
      path: '/conversations/:id/pick',
      summary: 'Take a waiting conversation from a queue you work in (supervisors: any); a live offer of it is withdrawn',
      tag: 'conversations',
      role: 'agent',
      body: z.object({}).strict(),
      handler: async ({ user, params }) => ({ conversation: await s.routing.pick(params.id!, user) }),
    }),
  ];
}
