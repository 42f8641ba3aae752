// Builds the tablet app (Preact) into pwa/dist with esbuild. Run by `npm install` (prepare) and
// by the test setup; the kit serves pwa/dist as static files.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = `${root}pwa/dist/`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${root}pwa/app/main.tsx`],
  outfile: `${out}app.js`,
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'safari15', 'firefox100'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
copyFileSync(`${root}pwa/app/index.html`, `${out}index.html`);
copyFileSync(`${root}pwa/app/app.css`, `${out}app.css`);
console.log(`tablet app built into ${out}`);
