// Builds the tablet app (Preact) into pwa/dist with esbuild, then its service worker: the worker
// is bundled by esbuild and Workbox's injectManifest writes the precache list (every file the app
// can need offline, with content revisions) into it. Then the specialist's console (pwa/console)
// into pwa/dist-console, which the hub serves. Run by `npm install` (prepare) and by the test
// setup; the kit serves pwa/dist as static files.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { injectManifest } from 'workbox-build';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = `${root}pwa/tablet/`;
const out = `${root}pwa/dist/`;
const target = ['chrome100', 'safari15', 'firefox100'];

// A clean folder: the precache lists exactly this build's files.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const app = await build({
  entryPoints: [`${src}app/main.tsx`],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  target,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  // Russian strings as UTF-8, not \uXXXX escapes: a third of the bytes to fetch and parse.
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(app.metafile.outputs);
const entry = outputs.find(([, o]) => o.entryPoint?.endsWith('main.tsx'));
if (!entry) throw new Error('build-pwa: no entry output');
const url = (file) => `/${relative(out, resolve(file)).replace(/\\/g, '/')}`;
const js = url(entry[0]);
const css = entry[1].cssBundle ? url(entry[1].cssBundle) : null;
// The chunks the entry imports statically are announced up front (modulepreload), so the
// browser fetches and compiles them beside the entry instead of after parsing it.
const preloads = entry[1].imports
  .filter((i) => i.kind === 'import-statement')
  .map((i) => `<link rel="modulepreload" href="${url(i.path)}" />`)
  .join('');
const html = readFileSync(`${src}index.html`, 'utf8')
  .replace('<!--styles-->', css ? `<link rel="stylesheet" href="${css}" />` : '')
  .replace('<!--scripts-->', `${preloads}<script type="module" src="${js}"></script>`);
writeFileSync(`${out}index.html`, html);
copyFileSync(`${src}manifest.webmanifest`, `${out}manifest.webmanifest`);
copyFileSync(`${src}icon.svg`, `${out}icon.svg`);

// The worker: bundled first (workbox modules are ES modules), then the manifest injected.
const swTemp = join(tmpdir(), `fieldkit-sw-${process.pid}.js`);
await build({
  entryPoints: [`${src}sw/sw.ts`],
  outfile: swTemp,
  bundle: true,
  format: 'iife',
  target,
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
const { count, size, warnings } = await injectManifest({
  swSrc: swTemp,
  swDest: `${out}sw.js`,
  globDirectory: out,
  globPatterns: ['**/*.{html,js,css,svg,webmanifest}'],
  globIgnores: ['sw.js', '**/*.map'],
});
rmSync(swTemp, { force: true });
for (const w of warnings) console.warn(`build-pwa: ${w}`);
console.log(`tablet app built into ${out} (${count} files precached, ${Math.round(size / 1024)} KiB)`);

// The specialist's console: the same toolchain, its own folder (the hub serves it; the kit never
// does). No service worker yet: the console needs the hub to be of any use.
const consoleSrc = `${root}pwa/console/`;
const consoleOut = `${root}pwa/dist-console/`;
rmSync(consoleOut, { recursive: true, force: true });
mkdirSync(consoleOut, { recursive: true });
const consoleApp = await build({
  entryPoints: [`${consoleSrc}app/main.tsx`],
  outdir: consoleOut,
  bundle: true,
  splitting: true,
  format: 'esm',
  target,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  // libsodium's Emscripten glue names Node modules it only loads under Node.
  external: ['fs', 'path', 'crypto'],
  logLevel: 'warning',
});
const consoleUrl = (file) => `/${relative(consoleOut, resolve(file)).replace(/\\/g, '/')}`;
const consoleEntry = Object.entries(consoleApp.metafile.outputs).find(([, o]) =>
  o.entryPoint?.endsWith('main.tsx'),
);
if (!consoleEntry) throw new Error('build-pwa: no console entry output');
const consoleCss = consoleEntry[1].cssBundle ? consoleUrl(consoleEntry[1].cssBundle) : null;
writeFileSync(
  `${consoleOut}index.html`,
  readFileSync(`${consoleSrc}index.html`, 'utf8')
    .replace('<!--styles-->', consoleCss ? `<link rel="stylesheet" href="${consoleCss}" />` : '')
    .replace('<!--scripts-->', `<script type="module" src="${consoleUrl(consoleEntry[0])}"></script>`),
);
copyFileSync(`${consoleSrc}manifest.webmanifest`, `${consoleOut}manifest.webmanifest`);
copyFileSync(`${consoleSrc}icon.svg`, `${consoleOut}icon.svg`);
console.log(`specialist console built into ${consoleOut}`);
