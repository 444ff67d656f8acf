/**
 * The console builds into the server package (`packages/server/dist/console`),
 * which serves it at `/` and ships it in the `jobcenter` package. In
 * development, `npm run dev -w packages/web` proxies the API to a server on
 * JOBCENTER_URL (default http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.JOBCENTER_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../server/dist/console', import.meta.url)),
    // The folder is outside this package: Vite empties it only when told to.
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { proxy: { '/api': api, '/metrics': api } },
});
