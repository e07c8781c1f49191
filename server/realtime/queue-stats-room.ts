// Live queue statistics reach supervisors as deltas (routing/stats-publisher.ts). A socket that joins
// the supervisors room first gets the full report, so the deltas that follow have something to apply
// to. The report and the deltas come from the routing leader, whichever node the supervisor is on.
import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import type { QueueStatsDelta, QueueStatsFull } from '../domain/routing/stats-delta.js';
import type { ServerToClientEvents } from './contract.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any client events, any socket data: only emits here
type Io = Server<any, ServerToClientEvents, any, any>;

/**
 * Sends the full report to each socket joining `supervisors` on this node, and returns how the
 * statistics publisher (on the routing leader) pushes: deltas, and a full report when a new leader
 * starts a new stream. Both go through the adapter, so supervisors on every node get them.
 */
export function queueStatsRoom(
  io: Io,
  full: () => Promise<QueueStatsFull>,
  log: Logger,
): { pushDelta: (delta: QueueStatsDelta) => void; pushFull: (report: QueueStatsFull) => void } {
  io.of('/').adapter.on('join-room', (room: string, socketId: string) => {
    if (room !== 'supervisors') return;
    full().then(
      (report) => io.to(socketId).emit('queue:stats', report),
      (err: unknown) => log.warn({ err }, 'could not send the queue statistics to a supervisor who joined'),
    );
  });
  return {
    pushDelta: (delta) => io.to('supervisors').emit('queue:stats', delta),
    pushFull: (report) => io.to('supervisors').emit('queue:stats', report),
  };
}
