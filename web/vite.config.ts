import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is built into web/dist, which `amends serve` serves at `/`.
// `npx vite --config web/vite.config.ts` runs it against a server on AMENDS_API (default http://127.0.0.1:3000).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Mantine and React together are one vendor chunk of about 150 kB gzipped; each page is its own lazy chunk.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: { '/api': { target: process.env.AMENDS_API ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
