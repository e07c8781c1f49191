// Builds the agent console once before any test file runs, so browser tests running in parallel
// all load the same finished build (never one that another file is rewriting).
import { buildUi } from '../../scripts/build-ui.mjs';

export default async function setup(): Promise<void> {
  await buildUi({ quiet: true });
}
