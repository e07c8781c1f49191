// The worker thread behind db/crm/segment-reads.ts: its own connection to the SQLite file for reads
// (WAL lets it read while the node writes), answering one message at a time (a count can run between
// two chunks of a refresh). Its writes go back to the node's connection, the file's one writer.
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Knex } from 'knex';
import { openDatabase } from '../connection.js';
import type { RefreshOptions } from './rfm-refresh.js';
import { runSegmentOp, type SegmentOp } from './segment-reads.js';

const { url, refreshOptions } = workerData as { url: string; refreshOptions: RefreshOptions };

// This thread yields its core to the node's: on Linux a nice value is per thread, so the event loop keeps
// its priority while a refresh or a count runs here (on 2 cores, a third busy task otherwise makes the
// loop wait a whole scheduling period, ~25 ms, for a core). Where lowering is refused, it runs as is.
try {
  os.setPriority(19);
} catch {
  // not permitted here: the refresh still runs, only without the lower priority
}
const database = openDatabase(url);
const port = parentPort!;

let nextWrite = 1;
const writes = new Map<number, { resolve: (changes: number) => void; reject: (err: Error) => void }>();
const write = (sql: string, bindings: Knex.Value[]): Promise<number> =>
  new Promise((resolve, reject) => {
    const wid = nextWrite++;
    writes.set(wid, { resolve, reject });
    port.postMessage({ write: { wid, sql, bindings } });
  });

port.on('message', (message: { id: number; job: SegmentOp } | { written: { wid: number; changes?: number; error?: string } }) => {
  if ('written' in message) {
    const { wid, changes, error } = message.written;
    const w = writes.get(wid);
    writes.delete(wid);
    if (error !== undefined) w?.reject(new Error(error));
    else w?.resolve(changes ?? 0);
    return;
  }
  runSegmentOp(database.knex, message.job, refreshOptions, write).then(
    (result) => port.postMessage({ id: message.id, result }),
    (err: unknown) => port.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
