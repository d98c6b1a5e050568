/** The admin console's build: served by the API at /console (src/console.ts). */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1024 },
  // `npx vite --config console/vite.config.ts` while the API runs on :4000 (live reload of the console).
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true }, '/console/demo-personas.json': 'http://localhost:4000' } },
});
