// The outbox worker against a real store and a real ChannelRegistry. The channel is a small adapter
// written for these tests: a genuine ChannelAdapter whose send() follows a script of outcomes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ChannelRegistry } from '../channels/registry.js';
import { ChannelError, type ChannelAdapter, type OutboundContext, type SendResult } from '../channels/types.js';
import { migrate, openDatabase, type Database } from '../db/connection.js';
import { createStore, type Store } from '../db/store.js';
import type { DomainEvent } from '../server/domain/events.js';
import type { ChannelAccount, Conversation, User } from '../server/domain/types.js';
import { EventBus } from '../server/event-bus.js';
import { createLogger } from '../server/logger.js';
import { DEFAULT_OUTBOX_OPTIONS, OutboxWorker, backoffDelay, type OutboxOptions } from '../server/outbox/outbox-worker.js';
import { roomsForEvent } from '../server/realtime/broadcast-rooms.js';
import { SecretBox } from '../server/security/secret-box.js';
import { makeReplyToConversation } from '../server/usecases/reply-to-conversation.js';
import { ENGINES, freshDatabase, type TestDatabase } from './support/harness.js';

describe('backoffDelay', () => {
  const o = { baseDelayMs: 1_000, maxDelayMs: 60_000 };

  test.each([
    // attempt, random, retryAfterMs, expected: cap = min(max, base·2^(attempt-1)), delay = cap/2 + random·cap/2
    [1, 0, 0, 500],
    [1, 0.5, 0, 750],
    [1, 1, 0, 1_000],
    [2, 0, 0, 1_000],
    [3, 1, 0, 4_000],
    [4, 0.5, 0, 6_000],
    [7, 0, 0, 30_000], // 64 s capped at 60 s
    [30, 1, 0, 60_000], // never past the cap, however many attempts
    [1, 0, 5_000, 5_000], // the provider asked for more than the backoff: it wins
    [1, 1, 500, 1_000], // the backoff asks for more than the provider: it wins
    [10, 0.5, 120_000, 120_000], // retry-after may exceed the cap
  ])('attempt %i with random %d and retryAfter %i → %i ms', (attempt, random, retryAfterMs, expected) => {
    expect(backoffDelay(attempt, o, () => random, retryAfterMs)).toBe(expected);
  });

  test('stays within [cap/2, cap] for any random value', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
      for (const r of [0, 0.01, 0.25, 0.5, 0.75, 0.99, 0.999999]) {
        const d = backoffDelay(attempt, o, () => r);
        expect(d).toBeGreaterThanOrEqual(cap / 2);
        expect(d).toBeLessThanOrEqual(cap);
      }
    }
  });
});

type Outcome = SendResult | ChannelError | Error;

/** A real ChannelAdapter for SMS whose sends follow a script; the last outcome repeats. */
class ScriptedSmsAdapter implements ChannelAdapter {
  readonly kind = 'sms' as const;
  readonly calls: OutboundContext[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly outcomes: Outcome[]) {}

  async send(ctx: OutboundContext): Promise<SendResult> {
    this.calls.push(ctx);
    for (const l of this.listeners) l();
    const outcome = this.outcomes[Math.min(this.calls.length, this.outcomes.length) - 1]!;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  publicUrls(baseUrl: string, account: ChannelAccount): Record<string, string> {
    return { inbound: `${baseUrl}/webhooks/sms/${account.id}` };
  }

  /** Resolves once send() has been called `n` times. */
  called(n: number): Promise<void> {
    if (this.calls.length >= n) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.calls.length < n) return;
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }
}

/** Every event published on the bus, and a way to wait for the first one that matches. */
function recordEvents(bus: EventBus) {
  const seen: DomainEvent[] = [];
  const waiters = new Set<{ match: (e: DomainEvent) => boolean; resolve: (e: DomainEvent) => void }>();
  bus.subscribe((e) => {
    seen.push(e);
    for (const w of waiters) {
      if (!w.match(e)) continue;
      waiters.delete(w);
      w.resolve(e);
    }
  });
  return {
    seen,
    next(match: (e: DomainEvent) => boolean): Promise<DomainEvent> {
      const found = seen.find(match);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiters.add({ match, resolve }));
    },
  };
}

/** Any status event of the message (a retry's too). */
const anyStatusOf = (messageId: string) => (e: DomainEvent) => e.type === 'message.status' && e.message.id === messageId;
/** The message's status event once the outbox is done with it (sent, delivered or failed; not a retry's). */
const isStatusOf = (messageId: string) => (e: DomainEvent) =>
  anyStatusOf(messageId)(e) && e.type === 'message.status' && e.message.status !== 'queued';

interface OutboxRow {
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error_code: string | null;
  updated_at: number;
}

describe.each(ENGINES)('OutboxWorker on %s', (engine) => {
  const secrets = new SecretBox('outbox-test-secret-outbox-test-secret-0123');
  const log = createLogger('silent');
  let testDb: TestDatabase;
  let database: Database;
  let store: Store;
  let agent: User;
  let account: ChannelAccount;
  let conversation: Conversation;
  const handlerErrors: unknown[] = [];
  const events = new EventBus((err) => handlerErrors.push(err));
  const recorder = recordEvents(events);
  /** The worker's clock: `step` ms pass on every reading (0 = stopped), and tests may set it. */
  const clock = { t: Date.UTC(2025, 0, 6, 9, 0, 0), step: 1 };
  const now = () => (clock.t += clock.step);
  const reply = () => makeReplyToConversation({ store, events, now });
  const workers: OutboxWorker[] = [];

  function startWorker(adapter: ChannelAdapter, options: Partial<OutboxOptions> = {}): OutboxWorker {
    const worker = new OutboxWorker(
      { store, channels: new ChannelRegistry([adapter]), events, secrets, log, now },
      { ...DEFAULT_OUTBOX_OPTIONS, baseDelayMs: 1, maxDelayMs: 4, pollMs: 5, ...options },
    );
    workers.push(worker);
    worker.start();
    return worker;
  }

  async function send(text: string, to: Conversation = conversation) {
    const { message } = await reply()({ conversationId: to.id, actor: agent, parts: [{ type: 'text', text }], private: false });
    return message;
  }

  const outboxRow = async (messageId: string): Promise<OutboxRow> =>
    (await database.knex('outbox').where({ message_id: messageId }).first()) as OutboxRow;

  beforeAll(async () => {
    testDb = await freshDatabase(engine);
    database = openDatabase(testDb.url, { schema: testDb.schema });
    await migrate(database);
    store = createStore(database);
    const t = now();
    agent = await store.users.create({ email: 'agent@example.com', name: 'Agent', role: 'agent', passwordHash: 'x' }, t);
    account = await store.channelAccounts.create(
      { kind: 'sms', name: 'Main number', settings: {}, credentialsSealed: secrets.seal({ apiKey: 'sms-api-key' }) },
      t,
    );
    const customer = await store.customers.create({ name: 'Khun Mali' }, t);
    await store.customers.linkIdentity(customer.id, { kind: 'phone', scope: '', value: '+66812345678' }, t);
    conversation = await store.conversations.create({ customerId: customer.id, channelAccountId: account.id, channelKind: 'sms' }, t);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await database?.close();
    await testDb?.drop();
    expect(handlerErrors).toEqual([]);
  });

  test('two TEMPORARY failures, then success: sent with its provider id after 3 attempts', async () => {
    clock.step = 1;
    const adapter = new ScriptedSmsAdapter([
      new ChannelError('TEMPORARY', 'provider 503'),
      new ChannelError('TEMPORARY', 'provider timeout'),
      { providerMessageId: 'SM-0001', status: 'sent' },
    ]);
    const worker = startWorker(adapter);
    const message = await send('Your parcel ships today');
    const event = await recorder.next(isStatusOf(message.id));
    await worker.stop();

    expect(event.type === 'message.status' && event.message).toMatchObject({
      status: 'sent',
      providerMessageId: 'SM-0001',
      errorCode: null,
    });
    expect(adapter.calls).toHaveLength(3);
    expect(new Set(adapter.calls.map((c) => c.message.id))).toEqual(new Set([message.id]));
    // The adapter got what it needs to send: opened credentials and the customer's phone.
    expect(adapter.calls[0]?.credentials).toEqual({ apiKey: 'sms-api-key' });
    expect(adapter.calls[0]?.recipients.map((r) => r.value)).toEqual(['+66812345678']);
    expect(await outboxRow(message.id)).toMatchObject({ status: 'done', attempts: 3, last_error_code: 'TEMPORARY' });
    expect(await store.messages.findById(message.id)).toMatchObject({ status: 'sent', providerMessageId: 'SM-0001', errorCode: null });
    // Each retry told the console why the message is still queued; then the final event cleared it.
    const told = recorder.seen.filter(anyStatusOf(message.id)).map((e) => e.type === 'message.status' && e.message);
    expect(told.map((m) => m && [m.status, m.errorCode, m.errorMessage])).toEqual([
      ['queued', 'TEMPORARY', 'provider 503'],
      ['queued', 'TEMPORARY', 'provider timeout'],
      ['sent', null, null],
    ]);
    expect(roomsForEvent(recorder.seen.find(anyStatusOf(message.id))!)?.payload).toMatchObject({
      id: message.id,
      status: 'queued',
      errorCode: 'TEMPORARY',
      errorMessage: 'provider 503',
    });
  });

  test('an error that is not a ChannelError is treated as TEMPORARY and retried', async () => {
    clock.step = 1;
    const adapter = new ScriptedSmsAdapter([new Error('socket hang up'), { providerMessageId: 'SM-0002', status: 'delivered' }]);
    const worker = startWorker(adapter);
    const message = await send('Retry me');
    await recorder.next(isStatusOf(message.id));
    await worker.stop();
    expect(adapter.calls).toHaveLength(2);
    expect(await store.messages.findById(message.id)).toMatchObject({ status: 'delivered', providerMessageId: 'SM-0002' });
    expect(await outboxRow(message.id)).toMatchObject({ status: 'done', attempts: 2, last_error_code: 'TEMPORARY' });
  });

  test.each(['AUTH', 'INVALID_PAYLOAD', 'PERMANENT'] as const)(
    '%s fails at once, and the message.status event carries the code',
    async (code) => {
      clock.step = 1;
      const adapter = new ScriptedSmsAdapter([
        new ChannelError(code, `provider said ${code}`),
        { providerMessageId: 'never', status: 'sent' },
      ]);
      const worker = startWorker(adapter);
      const message = await send(`This one hits ${code}`);
      const event = await recorder.next(isStatusOf(message.id));
      await worker.stop();

      expect(adapter.calls).toHaveLength(1);
      expect(event.type === 'message.status' && event.message).toMatchObject({
        status: 'failed',
        errorCode: code,
        errorMessage: `provider said ${code}`,
      });
      // What agents' sockets receive carries it too.
      expect(roomsForEvent(event)?.payload).toMatchObject({ id: message.id, status: 'failed', errorCode: code });
      expect(await outboxRow(message.id)).toMatchObject({ status: 'failed', attempts: 1, last_error_code: code });
      expect(await store.messages.findById(message.id)).toMatchObject({ status: 'failed', errorCode: code, providerMessageId: null });
    },
  );

  test('a TEMPORARY error that outlasts maxAttempts fails with the last code', async () => {
    clock.step = 1;
    const adapter = new ScriptedSmsAdapter([new ChannelError('TEMPORARY', 'still down')]);
    const worker = startWorker(adapter, { maxAttempts: 3 });
    const message = await send('Doomed');
    const event = await recorder.next(isStatusOf(message.id));
    await worker.stop();
    expect(adapter.calls).toHaveLength(3);
    expect(event.type === 'message.status' && event.message).toMatchObject({
      status: 'failed',
      errorCode: 'TEMPORARY',
      errorMessage: 'still down',
    });
    expect(await outboxRow(message.id)).toMatchObject({ status: 'failed', attempts: 3 });
  });

  test('RATE_LIMITED with retryAfterMs is not retried sooner than the provider asked', async () => {
    clock.step = 0; // the clock moves only when this test moves it
    const retryAfterMs = 60_000;
    const adapter = new ScriptedSmsAdapter([
      new ChannelError('RATE_LIMITED', 'too many requests', retryAfterMs),
      { providerMessageId: 'SM-0003', status: 'sent' },
    ]);
    const worker = startWorker(adapter);
    const message = await send('Slow down');
    await adapter.called(1);
    await worker.stop(); // waits for the pass in flight, so the retry is recorded

    const row = await outboxRow(message.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error_code: 'RATE_LIMITED' });
    // Scheduled at least retryAfterMs after the failure (the backoff alone would be ~1 ms).
    expect(Number(row.next_attempt_at) - Number(row.updated_at)).toBeGreaterThanOrEqual(retryAfterMs);
    expect(Number(row.next_attempt_at) - clock.t).toBeGreaterThanOrEqual(retryAfterMs);

    // One full pass just before it is due sends nothing.
    clock.t = Number(row.next_attempt_at) - 1;
    worker.start();
    await worker.stop();
    expect(adapter.calls).toHaveLength(1);
    expect(await outboxRow(message.id)).toMatchObject({ status: 'pending', attempts: 1 });

    // Once due, it is sent.
    clock.t = Number(row.next_attempt_at);
    const sent = recorder.next(isStatusOf(message.id));
    worker.start();
    const event = await sent;
    await worker.stop();
    expect(adapter.calls).toHaveLength(2);
    expect(event.type === 'message.status' && event.message).toMatchObject({ status: 'sent', providerMessageId: 'SM-0003' });
    expect(await outboxRow(message.id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  test('a message on a disabled channel account fails PERMANENT without calling the provider', async () => {
    clock.step = 1;
    const t = now();
    const disabled = await store.channelAccounts.create({ kind: 'sms', name: 'Old number', settings: {}, credentialsSealed: null }, t);
    const customer = await store.customers.create({ name: 'Khun Somchai' }, t);
    await store.customers.linkIdentity(customer.id, { kind: 'phone', scope: '', value: '+66898765432' }, t);
    const onDisabled = await store.conversations.create({ customerId: customer.id, channelAccountId: disabled.id, channelKind: 'sms' }, t);
    await store.channelAccounts.update(disabled.id, { active: false }, t);

    const adapter = new ScriptedSmsAdapter([{ providerMessageId: 'never', status: 'sent' }]);
    const worker = startWorker(adapter);
    const message = await send('Anyone there?', onDisabled);
    const event = await recorder.next(isStatusOf(message.id));
    await worker.stop();
    expect(adapter.calls).toHaveLength(0);
    expect(event.type === 'message.status' && event.message).toMatchObject({ status: 'failed', errorCode: 'PERMANENT' });
    expect(event.type === 'message.status' && event.message.errorMessage).toContain('Old number');
  });

  test('a worker idles until started, and a restarted worker still wakes on new work (not only on its poll)', async () => {
    clock.step = 1;
    const adapter = new ScriptedSmsAdapter([
      { providerMessageId: 'SM-0004', status: 'sent' },
      { providerMessageId: 'SM-0005', status: 'sent' },
    ]);
    // A poll far in the future: only the 'outbox.enqueued' event can wake this worker in time.
    const worker = new OutboxWorker(
      { store, channels: new ChannelRegistry([adapter]), events, secrets, log, now },
      { ...DEFAULT_OUTBOX_OPTIONS, pollMs: 600_000 },
    );
    workers.push(worker);
    const early = await send('Written before the worker started');
    worker.start(); // the first pass picks up what was already waiting
    await recorder.next(isStatusOf(early.id));
    await worker.stop();
    worker.start();
    const message = await send('After a restart');
    const event = await recorder.next(isStatusOf(message.id));
    await worker.stop();
    expect(event.type === 'message.status' && event.message).toMatchObject({ status: 'sent', providerMessageId: 'SM-0005' });
    expect(adapter.calls.map((c) => c.message.id)).toEqual([early.id, message.id]);
  });

  test('a private note never enters the outbox', async () => {
    clock.step = 1;
    const { message } = await reply()({
      conversationId: conversation.id,
      actor: agent,
      parts: [{ type: 'text', text: 'internal only' }],
      private: true,
    });
    expect(await outboxRow(message.id)).toBeUndefined();
    expect(message.status).toBe('sent');
  });
});
