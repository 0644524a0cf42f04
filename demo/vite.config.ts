import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// The demo app. `npm run dev` serves it on 127.0.0.1 (a secure origin, so WebGPU is exposed),
// without a service worker; `npm start` builds it into build/demo and previews it on :4173 as
// an installable PWA that works offline after the first visit.

/** The icon's background (scripts/make-icons.mjs draws it): the browser's bar and splash. */
const THEME = '#0f172a';

/** Bigger files are left to the runtime cache below, fetched only when first used. */
const PRECACHE_MAX_BYTES = 5 * 1024 * 1024;

/** The head tags a PWA needs beside the manifest link, kept here rather than in index.html. */
function pwaHead(): Plugin {
  return {
    name: 'memkeeper-pwa-head',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { name: 'theme-color', content: THEME }, injectTo: 'head' },
      {
        tag: 'link',
        attrs: { rel: 'icon', href: 'icons/icon.svg', type: 'image/svg+xml' },
        injectTo: 'head',
      },
      {
        tag: 'link',
        attrs: { rel: 'apple-touch-icon', href: 'icons/apple-touch-icon.png' },
        injectTo: 'head',
      },
    ],
  };
}

export default defineConfig({
  root: 'demo',
  server: { host: '127.0.0.1', port: 5173, fs: { allow: ['..'] } },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: { outDir: '../build/demo', emptyOutDir: true },
  plugins: [
    pwaHead(),
    VitePWA({
      // The new service worker takes over at once (skipWaiting + clientsClaim); with no
      // `virtual:pwa-register` import in the app, the plugin adds its own register script.
      registerType: 'autoUpdate',
      injectRegister: 'auto',
      // The glob below already precaches every icon in demo/public; listing them again would
      // only repeat them in the precache manifest.
      includeManifestIcons: false,
      manifest: {
        name: 'memkeeper',
        short_name: 'memkeeper',
        description: 'A chat app whose assistant remembers: memory kept in your browser, offline.',
        id: './',
        start_url: './',
        scope: './',
        display: 'standalone',
        theme_color: THEME,
        background_color: THEME,
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: 'icons/maskable-192.png',
            sizes: '192x192',
            type: 'image/png',
            purpose: 'maskable',
          },
          {
            src: 'icons/maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        // The app shell, precached at install so that the app opens offline.
        globPatterns: ['**/*.{html,js,mjs,css,wasm,json,svg,png,ico,webp,woff,woff2}'],
        // onnxruntime-web's WASM (10–25 MB) is needed only when the in-browser LLM is picked:
        // precaching it would make every first visit download it, and fail the install when
        // it fails. It is cached at first use instead (runtime rules below). Only ORT's own
        // files: the app's chunk that points at them (ort-wasm-<hash>.js) is precached.
        globIgnores: ['**/ort-wasm-simd-threaded*'],
        maximumFileSizeToCacheInBytes: PRECACHE_MAX_BYTES,
        navigateFallback: 'index.html',
        runtimeCaching: [
          {
            // Same-origin WASM left out of the precache (ORT's, or anything over the limit).
            urlPattern: ({ sameOrigin, url }) => sameOrigin && /\.(wasm|mjs)$/.test(url.pathname),
            handler: 'CacheFirst',
            options: {
              cacheName: 'memkeeper-wasm',
              expiration: { maxEntries: 16 },
              cacheableResponse: { statuses: [200] },
            },
          },
          {
            // transformers.js loads ORT's runtime from jsDelivr by default; the URLs carry the
            // version, so a cached copy never goes stale. (Model weights are cached by
            // transformers.js itself, in Cache Storage, and not duplicated here.)
            urlPattern: /^https:\/\/cdn\.jsdelivr\.net\/npm\/onnxruntime-web@[^/]+\/dist\//,
            handler: 'CacheFirst',
            options: {
              cacheName: 'memkeeper-onnxruntime',
              expiration: { maxEntries: 16 },
              cacheableResponse: { statuses: [200] },
            },
          },
        ],
      },
    }),
  ],
});
