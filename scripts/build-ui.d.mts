// Types for scripts/build-ui.mjs (a plain ESM script, also run by node directly).
export function buildUi(options?: { quiet?: boolean }): Promise<void>;
