// Builds the agent console (agent-ui/) into agent-ui/dist, which the server serves at `/`.
// Usage: npm run build:ui
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'agent-ui');

export async function buildUi({ quiet = false } = {}) {
  await build({
    root,
    configFile: path.join(root, 'vite.config.ts'),
    logLevel: quiet ? 'warn' : 'info',
    build: { outDir: path.join(root, 'dist'), emptyOutDir: true },
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildUi().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
