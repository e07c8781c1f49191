// Opens the database named by DATABASE_URL: SQLite (embedded default) or PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from './migrations/index.js';

// int8 (bigint) columns hold epoch-millisecond timestamps; they fit in a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export type Engine = 'sqlite' | 'postgres';

export interface Database {
  knex: Knex;
  engine: Engine;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL schema to use (tests isolate themselves in a schema of their own). */
  schema?: string;
}

export function openDatabase(url: string, options: OpenOptions = {}): Database {
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    const knex = knexFactory({
      // better-sqlite3 rather than sqlite3: synchronous calls without a thread-pool round trip per
      // statement; it quadrupled sustained ingest (figures in README.md and bench/README.md).
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        idleTimeoutMillis: 2 ** 31 - 1,
        // WAL keeps committed transactions across a process crash (kill -9) while letting readers run;
        // synchronous=NORMAL is durable against process death, only an OS crash can lose the last commits.
        afterCreate(conn: SqliteConn, done: (err: Error | null, conn: SqliteConn) => void) {
          try {
            conn.pragma('journal_mode = WAL');
            conn.pragma('synchronous = NORMAL');
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 5000');
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
    });
    return { knex, engine: 'sqlite', close: () => knex.destroy() };
  }
  const knex = knexFactory({
    client: 'pg',
    connection: url,
    searchPath: options.schema ? [options.schema] : undefined,
    pool: { min: 0, max: 10 },
  });
  return { knex, engine: 'postgres', close: () => knex.destroy() };
}

interface SqliteConn {
  pragma(sql: string): unknown;
}

export async function migrate(db: Database): Promise<void> {
  await db.knex.migrate.latest({ migrationSource });
}

/** Thrown inside a transaction when a concurrent writer took a unique key first; the transaction is retried. */
export class WriteConflict extends Error {
  constructor(what: string) {
    super(`concurrent write conflict: ${what}`);
    this.name = 'WriteConflict';
  }
}

/** True when `err` is a unique-constraint violation (either engine) or a WriteConflict. */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof WriteConflict) return true;
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  return e.code === '23505' || (Boolean(e.code?.startsWith('SQLITE_CONSTRAINT')) && /UNIQUE/.test(e.message ?? ''));
}
