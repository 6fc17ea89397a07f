import { defineConfig } from 'vite';

/** The web UI (web/): a React single-page app built into dist/web and served by `capstan serve`. */
export default defineConfig({
  root: 'web',
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/oauth': 'http://127.0.0.1:8080' } },
});
