import { defineConfig } from 'vite';

// The demo app; `npm run dev` serves it on 127.0.0.1 (a secure origin, so WebGPU is exposed).
export default defineConfig({
  root: 'demo',
  server: { host: '127.0.0.1', port: 5173, fs: { allow: ['..'] } },
  build: { outDir: '../build/demo', emptyOutDir: true },
});
