// Loads a section's data once on mount (switching tabs remounts, so data is fresh), with the error
// to show when the API refuses (a supervisor reading an admin-only list, a server without the route).
import { useEffect, useState } from 'react';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  set: (update: (data: T) => T) => void;
}

export function useLoaded<T>(load: () => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setData(value),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, []); // once per mount: the section then keeps its copy up to date from each answer
  return { data, error, set: (update) => setData((d) => (d === null ? d : update(d))) };
}
