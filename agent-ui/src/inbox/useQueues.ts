// The queues for the inbox: every queue's name (the queue filter) and the ones I work ("My queues"),
// read on start and again after a reconnect (an admin may have changed my queues meanwhile).
import { useEffect, useMemo, useState } from 'react';
import type { Api } from '../api';
import { inboxApi, type QueueName } from './inbox-api';

export interface InboxQueues {
  all: QueueName[];
  /** The queues I work; null until read. */
  mine: string[] | null;
}

export function useQueues(api: Api, userId: string, reconnects: number): InboxQueues {
  const inbox = useMemo(() => inboxApi(api), [api]);
  const [all, setAll] = useState<QueueName[]>([]);
  const [mine, setMine] = useState<string[] | null>(null);

  useEffect(() => {
    let cancelled = false;
    inbox.queues().then(
      (queues) => !cancelled && setAll(queues),
      () => undefined, // the filter then lists no queues; the lists still work
    );
    inbox.myQueueIds(userId).then(
      (ids) => !cancelled && setMine((current) => (current && same(current, ids) ? current : ids)),
      () => !cancelled && setMine((current) => current ?? []),
    );
    return () => {
      cancelled = true;
    };
  }, [inbox, userId, reconnects]);

  return { all, mine };
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
