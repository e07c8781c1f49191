// socket.io gateway: authenticates every handshake, keeps sockets to the rooms their role allows,
// limits event size and rate, and relays domain events to the right rooms.
import type http from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { z } from 'zod';
import type { Logger } from 'pino';
import { AppError } from '../domain/errors.js';
import { canViewConversation, hasRole } from '../domain/policy.js';
import type { Conversation, User } from '../domain/types.js';
import { PRESENCES, type Presence } from '../domain/routing/types.js';
import { toVisitorMessage, type VisitorMessage } from '../../channels/web-chat/visitor-message.js';
import type { Auth } from '../usecases/authenticate.js';
import type { WebChat, WebChatSession } from '../usecases/web-chat.js';
import type { CsatSurveys } from '../usecases/crm/csat-surveys.js';
import type { Store } from '../../db/store.js';
import type { EventBus } from '../event-bus.js';
import type { SessionMatch } from '../domain/events.js';
import { hashToken } from '../security/tokens.js';
import { DEFAULT_QUEUE_ROOM, type AckError, type ClientToServerEvents, type ServerToClientEvents } from './contract.js';
import { roomsForEvent } from './broadcast-rooms.js';
import { TokenBucket } from './token-bucket.js';

type SocketData =
  | { kind: 'agent'; user: User; tokenHash: string; expiresAt: number; bucket: TokenBucket; queueIds: string[] }
  | { kind: 'visitor'; session: WebChatSession; name: string | null; bucket: TokenBucket };

type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface GatewayOptions {
  /** The socket.io adapter of a cluster (Redis); the in-memory one when absent. */
  adapter?: ServerOptions['adapter'];
  maxEventBytes: number;
  eventsPerSecond: number;
  /** How long to wait for a visitor's browser to acknowledge a pushed message. */
  visitorAckTimeoutMs: number;
}

const RoomRequest = z.object({ room: z.string().min(1).max(100) }).strict();
const AgentTyping = z.object({ conversationId: z.string().min(1).max(64), typing: z.boolean() }).strict();
const VisitorSend = z
  .object({
    clientMessageId: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\w-]+$/, 'letters, digits, _ and - only'),
    text: z.string().max(4000).optional(),
    attachmentIds: z.array(z.string().min(1).max(64)).max(10).optional(),
  })
  .strict()
  .refine((m) => (m.text?.trim().length ?? 0) > 0 || (m.attachmentIds?.length ?? 0) > 0, 'a message needs text or an attachment');
const VisitorTyping = z.object({ typing: z.boolean() }).strict();
const PresenceSet = z.object({ presence: z.enum(PRESENCES), reason: z.string().trim().max(100).optional() }).strict();
const OfferAnswer = z.object({ conversationId: z.string().min(1).max(64) }).strict();

/** What the gateway needs of the routing service. */
export interface RoutingPort {
  setPresence(agentId: string, presence: Presence, reason: string | null, actor: Pick<User, 'id' | 'role'> | null): Promise<unknown>;
  accept(agentId: string, conversationId: string): Promise<Conversation>;
  decline(agentId: string, conversationId: string): Promise<void>;
  agentConnected(agentId: string): void;
  agentDisconnected(agentId: string): void;
}
const VisitorHistory = z.object({ after: z.string().max(64).optional() }).strict();
const VisitorCsat = z.object({ messageId: z.string().min(1).max(64), score: z.number().int().min(1).max(5) }).strict();

const visitorRoom = (sessionId: string) => `visitor:${sessionId}`;
const CONVERSATION_ROOM = 'conversation:';

function fail(err: unknown): AckError {
  if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
  if (err instanceof z.ZodError) {
    return {
      ok: false,
      error: { code: 'VALIDATION', message: err.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ') },
    };
  }
  return { ok: false, error: { code: 'INTERNAL', message: 'something went wrong; try again' } };
}

export class Gateway {
  readonly io: IoServer;
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private draining = false;

  constructor(
    httpServer: http.Server,
    private readonly deps: {
      auth: Auth;
      webChat: WebChat;
      store: Store;
      events: EventBus;
      log: Logger;
      now: () => number;
      /** Registers work that shutdown waits for. */
      track: <T>(work: Promise<T>) => Promise<T>;
      routing?: RoutingPort;
      /** Satisfaction surveys: a visitor's score pressed under the survey message. */
      csat?: Pick<CsatSurveys, 'answerInline'>;
    },
    private readonly options: GatewayOptions,
  ) {
    this.io = new Server(httpServer, {
      // The widget runs on customers' sites; auth is a token in the handshake, never a cookie.
      cors: { origin: true },
      // Hard cap per packet; the per-event cap below answers with a clear error first.
      maxHttpBufferSize: Math.max(options.maxEventBytes * 2, 1_000_000),
      ...(options.adapter ? { adapter: options.adapter } : {}),
      // No connection-state recovery: it buffers every broadcast for every session. The console and
      // the widget catch up from the API after a reconnect (`?after=`, `visitor:history`) instead.
    });
    this.io.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (err: unknown) =>
          next(
            Object.assign(new Error(err instanceof AppError ? err.message : 'authentication failed'), {
              data: { code: 'UNAUTHENTICATED' },
            }),
          ),
      );
    });
    this.io.on('connection', (socket) => this.onConnection(socket));
    // Who is viewing a conversation: announced to its room whenever someone opens or leaves it.
    for (const change of ['join-room', 'leave-room'] as const) {
      this.io.of('/').adapter.on(change, (room: string) => {
        if (room.startsWith(CONVERSATION_ROOM)) void this.announceViewers(room);
      });
    }
    deps.events.subscribe((event, { remote }) => {
      // Broadcast once, by the node where the event happened: its adapter reaches every node's sockets.
      const target = remote ? undefined : roomsForEvent(event);
      // roomsForEvent pairs each event name with its payload type; the emitter's overloads cannot see that.
      if (target) (this.io.to(target.rooms).emit as (event: string, payload: unknown) => boolean)(target.event, target.payload);
      // Housekeeping of this node's own sockets, whichever node the event came from.
      if (event.type === 'sessions.revoked') this.disconnectSessions(event.match);
      if (event.type === 'conversation.updated') this.evictUnauthorized(event.conversation);
      if (event.type === 'routing.config_changed') {
        for (const socket of this.io.sockets.sockets.values())
          if (socket.data?.kind === 'agent') void this.syncQueueRooms(socket, socket.data.user.id);
      }
    });
  }

  private async announceViewers(room: string): Promise<void> {
    try {
      const sockets = await this.io.in(room).fetchSockets();
      const viewers = new Map<string, { id: string; name: string }>();
      for (const s of sockets) if (s.data?.kind === 'agent') viewers.set(s.data.user.id, { id: s.data.user.id, name: s.data.user.name });
      this.io
        .to(room)
        .emit('conversation:viewers', { conversationId: room.slice(CONVERSATION_ROOM.length), viewers: [...viewers.values()] });
    } catch (err) {
      this.deps.log.warn({ err, room }, 'could not announce who is viewing a conversation');
    }
  }

  /** Keeps an agent's socket in the rooms of exactly the queues they work (membership can change live). */
  private async syncQueueRooms(socket: IoSocket, userId: string): Promise<void> {
    try {
      const member = new Set((await this.deps.store.queues.queuesOf(userId)).map((q) => `queue:${q}`));
      const supervisor = socket.data.kind === 'agent' && hasRole(socket.data.user, 'supervisor');
      for (const room of socket.rooms)
        if (room.startsWith('queue:') && room !== DEFAULT_QUEUE_ROOM && !member.has(room) && !supervisor) void socket.leave(room);
      await socket.join([...member]);
    } catch (err) {
      this.deps.log.error({ err }, 'could not join queue rooms');
    }
  }

  /**
   * An agent who joined a conversation's room while it was unassigned must stop hearing it (private
   * notes included) once it belongs to another agent. Local sockets only, like disconnectSessions.
   */
  private evictUnauthorized(conversation: Conversation): void {
    const room = `conversation:${conversation.id}`;
    for (const id of [...(this.io.sockets.adapter.rooms.get(room) ?? [])]) {
      const socket = this.io.sockets.sockets.get(id);
      if (socket?.data.kind === 'agent' && !canViewConversation(socket.data.user, conversation)) void socket.leave(room);
    }
  }

  private async authenticate(socket: IoSocket): Promise<void> {
    const auth = socket.handshake.auth as { token?: unknown; visitorToken?: unknown };
    const bucket = new TokenBucket(this.options.eventsPerSecond, this.options.eventsPerSecond * 2, this.deps.now);
    if (typeof auth.token === 'string') {
      const found = await this.deps.auth.authenticate(auth.token);
      if (!found) throw new AppError('UNAUTHENTICATED', 'token is missing, wrong, expired or revoked; log in again');
      // The queues they work, read before the connection completes so their rooms are joined at once.
      const queueIds = await this.deps.store.queues.queuesOf(found.user.id);
      socket.data = { kind: 'agent', user: found.user, tokenHash: hashToken(auth.token), expiresAt: found.expiresAt, bucket, queueIds };
      return;
    }
    if (typeof auth.visitorToken === 'string') {
      const session = await this.deps.webChat.resolveSession(auth.visitorToken);
      if (!session) throw new AppError('UNAUTHENTICATED', 'web chat session is unknown; start a new chat');
      socket.data = { kind: 'visitor', session, name: null, bucket };
      return;
    }
    throw new AppError('UNAUTHENTICATED', 'send auth.token (agents) or auth.visitorToken (web chat) in the handshake');
  }

  private onConnection(socket: IoSocket): void {
    // Every event passes the size and rate limits before its handler runs.
    socket.use(([, ...args], next) => {
      // Shutting down: the event is left unanswered (not failed), so the client sends it again once it
      // reconnects, to this node restarted or to another one.
      if (this.draining) return;
      const ack = args.at(-1);
      const reply = (code: string, message: string) => {
        if (typeof ack === 'function') (ack as (r: AckError) => void)({ ok: false, error: { code, message } });
      };
      if (Buffer.byteLength(JSON.stringify(args.filter((a) => typeof a !== 'function')) ?? '') > this.options.maxEventBytes) {
        return reply('PAYLOAD_TOO_LARGE', `events are limited to ${this.options.maxEventBytes} bytes`);
      }
      if (!socket.data.bucket.take()) return reply('RATE_LIMITED', 'too many events; slow down');
      next();
    });
    const data = socket.data;
    if (data.kind === 'agent') this.onAgent(socket, data.user);
    else this.onVisitor(socket, data.session);
  }

  private onAgent(socket: IoSocket, user: User): void {
    const data = socket.data as Extract<SocketData, { kind: 'agent' }>;
    void socket.join([
      `agent:${user.id}`,
      DEFAULT_QUEUE_ROOM,
      ...data.queueIds.map((q) => `queue:${q}`),
      ...(hasRole(user, 'supervisor') ? ['supervisors'] : []),
    ]);
    const timer = setTimeout(
      () => {
        socket.emit('session:expired', { reason: 'expired' });
        socket.disconnect(true);
      },
      Math.min(Math.max(data.expiresAt - this.deps.now(), 0), 2 ** 31 - 1),
    );
    timer.unref();
    this.expiryTimers.set(socket.id, timer);
    this.deps.routing?.agentConnected(user.id);
    socket.on('disconnect', () => {
      clearTimeout(timer);
      this.expiryTimers.delete(socket.id);
      // The last socket of this agent on this node closed: routing starts the grace period.
      if (!this.io.sockets.adapter.rooms.get(`agent:${user.id}`)?.size) this.deps.routing?.agentDisconnected(user.id);
    });

    // Routing requests answer through the ack: ok with a result, or a coded error.
    const answer = async (ack: unknown, work: (routing: RoutingPort) => Promise<object>) => {
      const done = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => undefined;
      try {
        if (!this.deps.routing) throw new AppError('NOT_FOUND', 'routing is not running');
        done({ ok: true, ...(await work(this.deps.routing)) });
      } catch (err) {
        done(fail(err));
      }
    };
    socket.on('presence:set', (raw, ack) =>
      answer(ack, async (routing) => {
        const { presence, reason } = PresenceSet.parse(raw);
        await routing.setPresence(user.id, presence, reason ?? null, user);
        return {};
      }),
    );
    socket.on('offer:accept', (raw, ack) =>
      answer(ack, async (routing) => ({ conversation: await routing.accept(user.id, OfferAnswer.parse(raw).conversationId) })),
    );
    socket.on('offer:decline', (raw, ack) =>
      answer(ack, async (routing) => {
        await routing.decline(user.id, OfferAnswer.parse(raw).conversationId);
        return {};
      }),
    );

    socket.on('room:join', async (request, ack) => {
      const done = typeof ack === 'function' ? ack : () => undefined;
      try {
        const { room } = RoomRequest.parse(request);
        await this.authorizeRoom(user, room);
        await socket.join(room);
        done({ ok: true });
      } catch (err) {
        done(fail(err));
      }
    });
    socket.on('room:leave', async (request, ack) => {
      const done = typeof ack === 'function' ? ack : () => undefined;
      try {
        const { room } = RoomRequest.parse(request);
        await socket.leave(room);
        done({ ok: true });
      } catch (err) {
        done(fail(err));
      }
    });
    socket.on('agent:typing', async (event) => {
      const parsed = AgentTyping.safeParse(event);
      if (!parsed.success) return;
      const conversation = await this.deps.store.conversations.findById(parsed.data.conversationId);
      if (!conversation || !canViewConversation(user, conversation)) return;
      socket.to(`conversation:${conversation.id}`).emit('typing', {
        conversationId: conversation.id,
        from: 'agent',
        userId: user.id,
        name: user.name,
        typing: parsed.data.typing,
      });
      if (conversation.channelKind === 'web_chat') {
        const visitors = await this.deps.webChat.visitorSessionsOf(conversation.customerId, conversation.channelAccountId);
        if (visitors.length) this.io.to(visitors.map(visitorRoom)).emit('visitor:typing', { typing: parsed.data.typing, name: user.name });
      }
    });
  }

  private async authorizeRoom(user: User, room: string): Promise<void> {
    const [kind, id] = room.split(/:(.*)/s, 2) as [string, string | undefined];
    const deny = () => new AppError('FORBIDDEN', `you may not join ${room}`);
    if (room === 'supervisors') {
      if (!hasRole(user, 'supervisor')) throw deny();
      return;
    }
    if (!id) throw new AppError('VALIDATION', `unknown room ${room}; rooms are agent:<id>, conversation:<id>, queue:<id>, supervisors`);
    switch (kind) {
      case 'agent':
        if (id !== user.id && !hasRole(user, 'supervisor')) throw deny();
        return;
      case 'queue':
        // Agents watch the shared inbox and the queues they work; supervisors watch any queue.
        if (id === 'default' || hasRole(user, 'supervisor') || (await this.deps.store.queues.queuesOf(user.id)).includes(id)) return;
        throw deny();
      case 'conversation': {
        const conversation = await this.deps.store.conversations.findById(id);
        if (!conversation) throw new AppError('NOT_FOUND', 'conversation not found');
        if (!canViewConversation(user, conversation)) throw deny();
        return;
      }
      case 'visitor':
        throw deny();
      default:
        throw new AppError('VALIDATION', `unknown room ${room}; rooms are agent:<id>, conversation:<id>, queue:<id>, supervisors`);
    }
  }

  private onVisitor(socket: IoSocket, session: WebChatSession): void {
    void socket.join(visitorRoom(session.id));
    const deny = (_req: unknown, ack: unknown) => {
      if (typeof ack === 'function') ack({ ok: false, error: { code: 'FORBIDDEN', message: 'web chat visitors cannot join agent rooms' } });
    };
    socket.on('room:join', deny);
    socket.on('room:leave', deny);

    socket.on('visitor:send', async (raw, ack) => {
      const done = typeof ack === 'function' ? ack : () => undefined;
      try {
        const input = VisitorSend.parse(raw);
        const { message, created } = await this.deps.track(this.deps.webChat.receive(session, input));
        done({ ok: true, message: toVisitorMessage(message), duplicate: !created });
        if (created) socket.to(visitorRoom(session.id)).emit('visitor:message', toVisitorMessage(message), () => undefined);
      } catch (err) {
        if (!(err instanceof AppError) && !(err instanceof z.ZodError)) this.deps.log.error({ err }, 'web chat message failed');
        done(fail(err));
      }
    });
    socket.on('visitor:typing', async (event) => {
      const parsed = VisitorTyping.safeParse(event);
      if (!parsed.success) return;
      const customerId = await this.deps.webChat.customerOf(session);
      const conversation = await this.deps.store.conversations.findUnresolved(customerId, session.channelAccountId);
      if (!conversation) return;
      const rooms = [
        `conversation:${conversation.id}`,
        'supervisors',
        conversation.assigneeId ? `agent:${conversation.assigneeId}` : DEFAULT_QUEUE_ROOM,
      ];
      this.io
        .to(rooms)
        .emit('typing', { conversationId: conversation.id, from: 'customer', userId: null, name: null, typing: parsed.data.typing });
    });
    this.onVisitorCsat(socket, session);
    socket.on('visitor:history', async (raw, ack) => {
      const done = typeof ack === 'function' ? ack : () => undefined;
      try {
        const { after } = VisitorHistory.parse(raw ?? {});
        const messages = await this.deps.webChat.history(session, after);
        done({ ok: true, messages: messages.map((m) => toVisitorMessage(m)) });
      } catch (err) {
        done(fail(err));
      }
    });
  }

  /** A visitor's answer to a satisfaction survey; the visitor's other tabs see the survey answered. */
  private onVisitorCsat(socket: IoSocket, session: WebChatSession): void {
    socket.on('visitor:csat', async (raw, ack) => {
      const done = typeof ack === 'function' ? ack : () => undefined;
      try {
        const { messageId, score } = VisitorCsat.parse(raw);
        if (!this.deps.csat) throw new AppError('NOT_FOUND', 'survey not found');
        const customerId = await this.deps.webChat.customerOf(session);
        const survey = await this.deps.track(
          this.deps.csat.answerInline({ customerId, channelAccountId: session.channelAccountId }, messageId, score),
        );
        done({ ok: true, score: survey.score! });
        const message = await this.deps.store.messages.findById(messageId);
        if (message) socket.to(visitorRoom(session.id)).emit('visitor:message', toVisitorMessage(message), () => undefined);
      } catch (err) {
        if (!(err instanceof AppError) && !(err instanceof z.ZodError)) this.deps.log.error({ err }, 'web chat survey answer failed');
        done(fail(err));
      }
    });
  }

  /** Pushes to every socket of a visitor; true when one of them acknowledged in time. */
  async pushToVisitor(sessionId: string, message: VisitorMessage): Promise<boolean> {
    try {
      const acks = await this.io
        .to(visitorRoom(sessionId))
        .timeout(this.options.visitorAckTimeoutMs)
        .emitWithAck('visitor:message', message);
      return acks.some(Boolean);
    } catch {
      return false; // no socket acknowledged in time: the visitor gets it from history
    }
  }

  /**
   * Ends this node's live sockets of a token (logout) or of a user (password change, deactivation).
   * Revocations arrive as `sessions.revoked` events, so every node ends its own.
   */
  private disconnectSessions(match: SessionMatch, reason: 'revoked' | 'expired' = 'revoked'): void {
    for (const socket of this.io.sockets.sockets.values()) {
      const d = socket.data;
      if (d?.kind !== 'agent') continue;
      const hit = (match.tokenHash && d.tokenHash === match.tokenHash) || (match.userId && d.user.id === match.userId);
      if (hit && d.tokenHash !== match.exceptTokenHash) {
        socket.emit('session:expired', { reason });
        socket.disconnect(true);
      }
    }
  }

  /** Stops taking new events; events already being handled finish and are acknowledged. */
  stopAccepting(): void {
    this.draining = true;
  }

  async close(): Promise<void> {
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
