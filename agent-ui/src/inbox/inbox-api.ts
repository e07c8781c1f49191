// The inbox's calls, typed, on top of Api.json: list pages, the queues I work, and one conversation.
import type { Conversation, ConversationSummary } from '../../../server/domain/types.js';
import type { Api } from '../api';

export interface ListPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
}

export interface QueueName {
  id: string;
  name: string;
}

const at = (id: string) => encodeURIComponent(id);

export const inboxApi = (api: Api) => ({
  /** One page of `GET /conversations` for the given filters (see list-query.ts), after `cursor`. */
  page: (params: string, cursor: string | null) => {
    const query = new URLSearchParams(params);
    if (cursor) query.set('cursor', cursor);
    return api.json<ListPage>('GET', `/conversations?${query}`);
  },
  myQueueIds: async (userId: string) =>
    (await api.json<{ routing: { queueIds: string[] } }>('GET', `/users/${at(userId)}/routing`)).routing.queueIds,
  queues: async () => (await api.json<{ queues: QueueName[] }>('GET', '/queues')).queues.map(({ id, name }) => ({ id, name })),
  conversation: async (id: string) => (await api.json<{ conversation: Conversation }>('GET', `/conversations/${at(id)}`)).conversation,
});

export type InboxApi = ReturnType<typeof inboxApi>;
