// Waits for a condition the server reaches asynchronously (a routing step after an event), by
// reading it again and again in a bounded loop: no fixed sleeps, and a clear failure if it never holds.
export async function until<T>(read: () => Promise<T>, holds: (value: T) => boolean, what: string, attempts = 1_000): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await read();
    if (holds(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`gave up waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}
