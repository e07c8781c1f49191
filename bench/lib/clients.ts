// Socket clients of the load generator: one designated agent (a normal socket.io client that
// decodes every event, whose arrival times are the measurement), the other agents (real sockets
// the server must write to, but counted instead of decoded so that 50 listeners do not make the
// load generator the bottleneck), and the visitors that send.
import { io, type Socket } from 'socket.io-client';
import * as parser from 'socket.io-parser';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/contract.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Event packets received by the counted (non-designated) agent sockets. */
export const fanout = { frames: 0 };

// socket.io-parser hands every decoded string to `add`. An EVENT packet ("2[...]") is counted and
// dropped; everything else (CONNECT, CONNECT_ERROR, DISCONNECT) goes through the normal decoder.
class CountingDecoder extends parser.Decoder {
  override add(obj: unknown): void {
    if (typeof obj === 'string' && obj.charCodeAt(0) === 50) {
      fanout.frames++;
      return;
    }
    super.add(obj);
  }
}
const countingParser = { ...parser, Decoder: CountingDecoder };

function open(url: string, auth: object, counted = false): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
    ...(counted ? { parser: countingParser } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`socket connect to ${url} failed: ${err.message}`));
    });
  });
}

/** Connects `auths` with at most `limit` handshakes in flight. */
export async function connectAll(url: string, auths: object[], opts: { counted?: boolean; limit?: number } = {}): Promise<ClientSocket[]> {
  const sockets: ClientSocket[] = new Array(auths.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(opts.limit ?? 16, auths.length) }, async () => {
    while (next < auths.length) {
      const i = next++;
      sockets[i] = await open(url, auths[i]!, opts.counted);
    }
  });
  await Promise.all(lanes);
  return sockets;
}

/** The designated agent (decodes everything) followed by the counted ones. */
export async function connectAgents(url: string, auths: { token: string }[]): Promise<{ designated: ClientSocket; all: ClientSocket[] }> {
  const [first, ...rest] = auths;
  if (!first) throw new Error('need at least one agent');
  const designated = (await connectAll(url, [first]))[0]!;
  const others = await connectAll(url, rest, { counted: true });
  return { designated, all: [designated, ...others] };
}

export function closeAll(sockets: ClientSocket[]): void {
  for (const s of sockets) s.close();
}
