// The console's socket.io connection, typed by the shared contract.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/contract.js';

export type AgentSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

export function createAgentSocket(token: string): AgentSocket {
  // WebSocket only: long-polling would need sticky sessions once several nodes serve the console.
  return io({ auth: { token }, transports: ['websocket'], autoConnect: false });
}

/** Joins a room and resolves with whether the server allowed it. */
export async function joinRoom(socket: AgentSocket, room: string): Promise<boolean> {
  try {
    const ack = await socket.timeout(10_000).emitWithAck('room:join', { room });
    return ack.ok;
  } catch {
    return false; // no answer in time: the next reconnect joins again
  }
}
