// A call's record (`message.meta.call`) changes while the call goes on: in the IVR, queued, put
// through, ended with its talk time and outcome. The server announces each change as `message:status`
// for the call's message, but that event carries no meta (server/realtime/broadcast-rooms.ts), so the
// changed message is read again and merged in place; the card updates without a reload.
import { useEffect, useRef } from 'react';
import type { Conversation, Message } from '../../../server/domain/types.js';
import type { MessageStatusEvent } from '../../../server/realtime/contract.js';
import type { Api } from '../api';
import type { AgentSocket } from '../socket';

/** A few: enough to reach the changed message past any the console has not read yet. */
const READ_AHEAD = 5;

export function useLiveCallRecords(
  api: Api,
  socket: AgentSocket | null,
  conversation: Pick<Conversation, 'id' | 'channelKind'>,
  messages: Message[],
  addMessages: (messages: Message[]) => void,
): void {
  const shown = useRef(messages);
  shown.current = messages;
  // Only the latest read of a message is merged: answers to a quick run of changes may cross.
  const reads = useRef(new Map<string, number>());
  const { id, channelKind } = conversation;

  useEffect(() => {
    if (!socket) return;
    const onStatus = (event: MessageStatusEvent) => {
      if (event.conversationId !== id) return;
      const known = shown.current.find((m) => m.id === event.id);
      // A call conversation's messages, and a callback's record on any other conversation.
      if (!known || (channelKind !== 'voice' && !known.meta?.call)) return;
      const before = shown.current
        .map((m) => m.id)
        .filter((other) => other < event.id)
        .sort()
        .at(-1);
      const read = (reads.current.get(event.id) ?? 0) + 1;
      reads.current.set(event.id, read);
      const query = new URLSearchParams({ ...(before && { after: before }), limit: String(READ_AHEAD) });
      api.json<{ messages: Message[] }>('GET', `/conversations/${encodeURIComponent(id)}/messages?${query}`).then(
        (answer) => {
          if (reads.current.get(event.id) !== read) return;
          addMessages(answer.messages.filter((m) => m.id === event.id));
        },
        () => undefined, // the next change, a reconnect's catch-up or a reload shows it
      );
    };
    socket.on('message:status', onStatus);
    return () => {
      socket.off('message:status', onStatus);
    };
  }, [api, socket, id, channelKind, addMessages]);
}
