// Live queue statistics reach supervisors as deltas (routing/stats-publisher.ts). A socket that joins
// the supervisors room first gets the full report, so the deltas that follow have something to apply
// to, and it comes from this node (the REST report might come from another).
import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import type { QueueStatsDelta, QueueStatsFull } from '../domain/routing/stats-delta.js';
import type { ServerToClientEvents } from './contract.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any client events, any socket data: only emits here
type Io = Server<any, ServerToClientEvents, any, any>;

/** Sends the full report to each socket joining `supervisors`; returns how to push a delta to the room. */
export function queueStatsRoom(io: Io, full: () => Promise<QueueStatsFull>, log: Logger): (delta: QueueStatsDelta) => void {
  io.of('/').adapter.on('join-room', (room: string, socketId: string) => {
    if (room !== 'supervisors') return;
    full().then(
      (report) => io.to(socketId).emit('queue:stats', report),
      (err: unknown) => log.warn({ err }, 'could not send the queue statistics to a supervisor who joined'),
    );
  });
  // Local: with a cross-node adapter, each node pushes its own stream to its own sockets.
  return (delta) => io.local.to('supervisors').emit('queue:stats', delta);
}
