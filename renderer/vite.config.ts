import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { contentSecurityPolicyMeta } from '../electron/shared/csp.js';

/** Puts the app's one CSP into the built index.html, so the page is locked down even when opened as a file. */
function cspMetaTag(): Plugin {
  return {
    name: 'scan-station-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicyMeta }, injectTo: 'head-prepend' },
    ],
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative URLs so the same build loads from app://scan-station/ and from http://127.0.0.1:PORT/.
  base: './',
  plugins: [react(), cspMetaTag()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // No inline <script> or data: module preload polyfill: the CSP forbids both.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
