import { defineConfig } from 'vite';

// Serves the repository root so e2e pages import src/ and test/ as the library's users would.
export default defineConfig({
  root: '.',
  server: { fs: { strict: true } },
  optimizeDeps: { noDiscovery: true, include: [] },
  logLevel: 'warn',
});
