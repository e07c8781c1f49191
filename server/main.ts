// Composition root: read .env once, start the node, shut down gracefully on SIGTERM/SIGINT.
import 'dotenv/config';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { FlowError } from './ivr/flow.js';

// The placeholder .env.example ships with; starting with it is allowed, but loudly.
const EXAMPLE_ADMIN_PASSWORD = 'change-me-to-a-long-password';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nFix these in .env (see .env.example) and start again.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log);
  if (config.admin?.password === EXAMPLE_ADMIN_PASSWORD) {
    log.warn('ADMIN_PASSWORD is still the example from .env.example: change it in .env, and change the admin password in the console');
  }
  if (!config.admin) log.warn('no ADMIN_EMAIL/ADMIN_PASSWORD set: set them in .env to create the first admin on an empty database');
  process.stdout.write(
    `Omnidesk is up: console ${server.url}/  widget demo ${server.url}/widget/demo  API ${server.url}/api/v1/openapi.json\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing work in flight');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof FlowError) {
    process.stderr.write(
      `Omnidesk could not start: an IVR flow is broken.\n${err.message}\nFix the flow file (see ivr-flows/README.md) and start again.\n`,
    );
    process.exit(78);
  }
  process.stderr.write(`Omnidesk could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
