// Owns the socket for one session: its connection state, a counter that moves on every reconnect
// (screens refetch what they may have missed), and the end of the session when the server says so.
import { useEffect, useRef, useState } from 'react';
import { createAgentSocket, type AgentSocket, type ConnectionState } from '../socket';

export interface AgentConnection {
  socket: AgentSocket | null;
  state: ConnectionState;
  /** 0 until the first reconnect; then increments on each one. */
  reconnects: number;
}

export function useAgentSocket(token: string, onExpired: () => void): AgentConnection {
  const [socket, setSocket] = useState<AgentSocket | null>(null);
  const [state, setState] = useState<ConnectionState>('connecting');
  const [reconnects, setReconnects] = useState(0);
  const expired = useRef(onExpired);
  useEffect(() => {
    expired.current = onExpired;
  }, [onExpired]);

  useEffect(() => {
    const s = createAgentSocket(token);
    let connectedBefore = false;
    let ended = false;
    const end = () => {
      ended = true;
      expired.current();
    };
    s.on('connect', () => {
      setState('connected');
      if (connectedBefore) setReconnects((n) => n + 1);
      connectedBefore = true;
    });
    s.on('disconnect', (reason) => {
      setState('reconnecting');
      // The server ended this socket without expiring the session (e.g. a restart): try again.
      if (reason === 'io server disconnect' && !ended) s.connect();
    });
    s.on('connect_error', (err) => {
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (code === 'UNAUTHENTICATED') end();
      else setState(connectedBefore ? 'reconnecting' : 'connecting');
    });
    s.on('session:expired', end);
    s.connect();
    setSocket(s);
    return () => {
      s.removeAllListeners();
      s.disconnect();
      setSocket(null);
    };
  }, [token]);

  return { socket, state, reconnects };
}
