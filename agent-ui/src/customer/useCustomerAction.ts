// One small async action of the customer panel (add an identity, record consent, link two profiles):
// busy while it runs, its error kept to show, and the profile read again once it has succeeded.
import { useCallback, useState } from 'react';

export function useCustomerAction<A extends unknown[]>(run: (...args: A) => Promise<unknown>, onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const act = useCallback(
    async (...args: A): Promise<boolean> => {
      setBusy(true);
      setError(null);
      try {
        await run(...args);
        onDone();
        return true;
      } catch (err) {
        setError(err);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [run, onDone],
  );
  return { act, busy, error, clearError: () => setError(null) };
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
