// A Customers list read a page at a time: the first page on mount, More appends the next, and an
// action on one item (merge, dismiss, undo) says how it went and reads the list again from the top.
// A failed read keeps what is shown and says why. A page that answers after the list was read again from
// the top is dropped (it belongs to the old list), and More pressed twice reads its page once.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useStrings } from '../i18n';
import { errorText } from './format';
import { CUSTOMERS_STRINGS } from './strings';

export interface Notice {
  text: string;
  error?: boolean;
}

export interface PagedList<T, P> {
  /** null until the first page is read. */
  items: T[] | null;
  /** The last page read, for what the API says beside the items. */
  last: P | null;
  cursor: string | null;
  notice: Notice | null;
  /** An action is running: the item buttons wait. */
  busy: boolean;
  load: (after?: string | null) => Promise<void>;
  /** Runs an action; the text it resolves with is the notice. */
  act: (action: () => Promise<string>) => Promise<void>;
}

/** `read` must keep its identity across renders (a method of a memoized API object). */
export function usePagedList<P extends { nextCursor: string | null }, T>(
  read: (cursor?: string | null) => Promise<P>,
  itemsOf: (page: P) => T[],
): PagedList<T, P> {
  const s = useStrings(CUSTOMERS_STRINGS);
  const [items, setItems] = useState<T[] | null>(null);
  const [last, setLast] = useState<P | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const fail = (err: unknown) => setNotice({ text: s('failed', { error: errorText(err) }), error: true });

  const generation = useRef(0);
  const appending = useRef<string | null>(null);

  const load = useCallback(
    async (after?: string | null) => {
      if (after) {
        if (appending.current === after) return;
        appending.current = after;
      } else {
        generation.current++;
      }
      const started = generation.current;
      try {
        const page = await read(after);
        if (started !== generation.current) return;
        setItems((list) => (after ? [...(list ?? []), ...itemsOf(page)] : itemsOf(page)));
        setLast(page);
      } catch (err) {
        if (started !== generation.current) return;
        setItems((list) => list ?? []);
        fail(err);
      } finally {
        if (after && appending.current === after) appending.current = null;
      }
    },
    [read],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (action: () => Promise<string>) => {
    setBusy(true);
    try {
      setNotice({ text: await action() });
      await load();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  return { items, last, cursor: last?.nextCursor ?? null, notice, busy, load, act };
}
