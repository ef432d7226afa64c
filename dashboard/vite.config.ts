import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev:dashboard` proxies the API to a server started with `npm start` (PORT 3000 by default).
const api = process.env.ECHOSPHERE_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/v1': { target: api, ws: true },
      '/media': api,
      '/dashboard/session': api,
    },
  },
});
