// What the kill -9 tests share: a fresh database on the engine, the local fake of Twilio, the first
// real server process (`server/main.ts`) on that database, and a connection of the test's own to read
// the database between processes. `restart` starts the next process on the same database.
import { openDatabase, type Database } from '../../db/connection.js';
import { childDatabaseUrl, children, startChild, type Child } from './child-server.js';
import { FakeTwilio } from './fake-twilio.js';
import { freshDatabase, type Engine, type TestDatabase } from './harness.js';

export interface CrashScene {
  fake: FakeTwilio;
  testDb: TestDatabase;
  /** The test's own connection to the database. */
  raw: Database;
  first: Child;
  /** Another server process on the same database, configured as the first. */
  restart(): Promise<Child>;
  /** Kills any process still running and drops the database. */
  close(): Promise<void>;
}

/** Starts the scene; `name` keeps this test's cluster apart from others running at the same time. */
export async function startCrashScene(engine: Engine, name: string, env: Record<string, string>): Promise<CrashScene> {
  const fake = await FakeTwilio.start();
  const testDb = await freshDatabase(engine);
  const childEnv = { ...env, CLUSTER_NAME: `${name}-${process.pid}-${engine}` };
  const restart = () => startChild(childDatabaseUrl(testDb), testDb.dataDir, childEnv);
  const first = await restart();
  const raw = openDatabase(testDb.url, { schema: testDb.schema });
  return {
    fake,
    testDb,
    raw,
    first,
    restart,
    close: async () => {
      killChildren();
      await raw.close();
      await testDb.drop();
      await fake.close();
    },
  };
}

/** Kills every server process a test started and left running. */
export function killChildren(): void {
  for (const proc of children) proc.kill('SIGKILL');
}
