// What a web chat visitor may see of a message: no private notes, no internal ids of agents.
import type { Message, MessagePart, MessageStatus } from '../../server/domain/types.js';

export interface VisitorMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  parts: MessagePart[];
  status: MessageStatus;
  createdAt: number;
  /** The visitor's own client id for messages they sent (lets the widget match its pending bubble). */
  clientMessageId: string | null;
  /** A satisfaction survey: the widget shows 1-5 buttons under it (`visitor:csat`), or the score given. */
  csat?: { score: number | null };
}

export function toVisitorMessage(m: Message, status: MessageStatus = m.status): VisitorMessage {
  return {
    id: m.id,
    direction: m.direction,
    parts: m.parts,
    status,
    createdAt: m.createdAt,
    clientMessageId: m.direction === 'inbound' ? (m.providerMessageId?.split(':').slice(1).join(':') ?? null) : null,
    ...(m.meta?.csat && { csat: { score: m.meta.csat.score } }),
  };
}
