// The agent console's build. `npm run build:ui` writes agent-ui/dist, which the server serves at `/`.
// `npx vite agent-ui` runs a dev server that proxies the API and socket.io to a local `npm run dev`.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const backend = process.env.OMNIDESK_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  publicDir: false,
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
});
