// The ingest use case alone, in this process, on a fresh SQLite file: no sockets, no fan-out. It is
// the ceiling the storage path puts on the pipeline, and it counts and times the SQL statements of
// one web chat message (the same `webChat.receive` the socket handler calls).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openDatabase } from '../../db/connection.js';
import { createStore } from '../../db/store.js';
import { EventBus } from '../../server/event-bus.js';
import { FileStorage } from '../../server/storage/file-storage.js';
import { makeIngestMessage } from '../../server/usecases/ingest-message.js';
import { makeWebChat, type WebChatSession } from '../../server/usecases/web-chat.js';
import { summarize, type Summary } from './stats.js';

export interface IngestMicroResult {
  statementsPerMessage: number;
  statements: Record<string, number>;
  sequential: { messages: number; perMessageMs: Summary; msgsPerSecond: number; sqlMsPerMessage: number };
  concurrent: { messages: number; concurrency: number; msgsPerSecond: number };
}

export async function runIngestMicro(opts: { messages: number; sessions: number; concurrency: number }): Promise<IngestMicroResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-ingest-'));
  const db = openDatabase(`sqlite:${path.join(dir, 'omnidesk.sqlite')}`);
  try {
    await migrate(db);
    const store = createStore(db);
    const events = new EventBus(() => undefined);
    const now = Date.now;
    const ingest = makeIngestMessage({ store, events, now }, { reopenWindowMs: 72 * 3_600_000 });
    const webChat = makeWebChat({ store, files: new FileStorage(path.join(dir, 'files')), now, ingest });
    const account = await store.channelAccounts.create({ kind: 'web_chat', name: 'Bench', settings: {}, credentialsSealed: null }, now());
    const sessions: WebChatSession[] = [];
    for (let i = 0; i < opts.sessions; i++) {
      const { token } = await webChat.startSession(account.id, { name: `Visitor ${i}` });
      sessions.push((await webChat.resolveSession(token))!);
    }
    // Warm-up: one message per session (creates the conversations, as in the socket bench).
    for (const [i, s] of sessions.entries()) await webChat.receive(s, { clientMessageId: `w-${i}`, text: 'warm-up' });

    // Count and time every statement knex sends (begin/commit included).
    const kinds: Record<string, number> = {};
    let statements = 0;
    let sqlMs = 0;
    const started = new Map<string, number>();
    db.knex.on('query', (q: { sql: string; __knexQueryUid: string }) => {
      statements++;
      const kind = q.sql.trim().split(/\s+/, 1)[0]!.toLowerCase();
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      started.set(q.__knexQueryUid, performance.now());
    });
    const finished = (_r: unknown, q: { __knexQueryUid: string }) => {
      const t = started.get(q.__knexQueryUid);
      if (t !== undefined) sqlMs += performance.now() - t;
      started.delete(q.__knexQueryUid);
    };
    db.knex.on('query-response', finished);
    db.knex.on('query-error', (_e: unknown, q: { __knexQueryUid: string }) => finished(undefined, q));

    const perMessage: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < opts.messages; i++) {
      const t = performance.now();
      await webChat.receive(sessions[i % sessions.length]!, { clientMessageId: `s-${i}`, text: `sequential message ${i}` });
      perMessage.push(performance.now() - t);
    }
    const seqMs = performance.now() - t0;
    const statementsPerMessage = statements / opts.messages;
    const statementKinds = Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, Math.round((v / opts.messages) * 100) / 100]));
    const sqlMsPerMessage = sqlMs / opts.messages;
    db.knex.removeAllListeners('query');
    db.knex.removeAllListeners('query-response');
    db.knex.removeAllListeners('query-error');

    // Concurrent: many messages in flight (as under socket load); the single connection serializes them.
    let next = 0;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < opts.messages) {
          const i = next++;
          await webChat.receive(sessions[i % sessions.length]!, { clientMessageId: `c-${i}`, text: `concurrent message ${i}` });
        }
      }),
    );
    const concMs = performance.now() - t1;
    return {
      statementsPerMessage: Math.round(statementsPerMessage * 100) / 100,
      statements: statementKinds,
      sequential: {
        messages: opts.messages,
        perMessageMs: summarize(perMessage),
        msgsPerSecond: Math.round(opts.messages / (seqMs / 1000)),
        sqlMsPerMessage: Math.round(sqlMsPerMessage * 1000) / 1000,
      },
      concurrent: { messages: opts.messages, concurrency: opts.concurrency, msgsPerSecond: Math.round(opts.messages / (concMs / 1000)) },
    };
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
