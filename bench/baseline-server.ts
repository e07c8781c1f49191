// The bare baseline: express + socket.io on one node process, no storage, no validation, no auth.
// A visitor's `visitor:send` is turned into a message of the same shape Omnidesk broadcasts, relayed
// to every agent socket in queue:default, and acknowledged to the sender. What Omnidesk adds on top
// of this (auth, validation, rate limits, the ingest transaction, connection-state recovery) is
// what the ratio to this server measures.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/realtime/contract.js';
import type { Message } from '../server/domain/types.js';

const app = express();
app.get('/health', (_req, res) => {
  res.json({ ok: true });
});
const httpServer = http.createServer(app);
const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, { cors: { origin: true } });
const channelAccountId = randomUUID();

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { token?: string; visitorToken?: string };
  if (typeof auth.token === 'string') {
    void socket.join('queue:default');
    return;
  }
  const sessionId = String(auth.visitorToken ?? socket.id);
  const conversationId = randomUUID();
  const customerId = randomUUID();
  socket.on('visitor:send', (input, ack) => {
    const now = Date.now();
    const text = input.text ?? '';
    const message: Message = {
      id: randomUUID(),
      conversationId,
      channelAccountId,
      direction: 'inbound',
      senderType: 'customer',
      senderId: customerId,
      parts: [{ type: 'text', text }],
      text,
      private: false,
      providerMessageId: `${sessionId}:${input.clientMessageId}`,
      status: 'received',
      errorCode: null,
      errorMessage: null,
      createdAt: now,
      updatedAt: now,
    };
    io.to('queue:default').emit('message:created', message);
    if (typeof ack === 'function') {
      const { id, direction, parts, status } = message;
      ack({
        ok: true,
        duplicate: false,
        message: { id, direction, parts, status, createdAt: now, clientMessageId: input.clientMessageId },
      });
    }
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`baseline is up: http://127.0.0.1:${(httpServer.address() as AddressInfo).port}\n`);
});
const stop = () => io.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
