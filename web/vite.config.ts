import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is built to web/dist, which the server serves at `/` (src/server/plugins/web-app.ts):
// hashed files under /assets/ (cached for a year), index.html revalidated. No inline script is emitted,
// so the page runs under the server's Content-Security-Policy (script-src 'self').
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite web` during development: API calls go to a server started with `npm run dev`.
    proxy: { '/api': 'http://127.0.0.1:8000', '/ws': { target: 'ws://127.0.0.1:8000', ws: true } },
  },
});
