import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The operator console, built by `npm run build` into dist/console, which the app serves at
 * `console.path`. Every URL in the build is relative (`base: './'`), so the page works under a
 * gateway's path prefix. Preact's JSX is compiled by Vite's own transformer (Oxc): no plugin.
 */
export default defineConfig({
  root,
  base: './',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // No inline script: the console's Content-Security-Policy allows only its own files.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  logLevel: 'warn',
});
