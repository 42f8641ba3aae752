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
import { iconPng } from './icon-png.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = `${root}pwa/tablet/`;
const out = `${root}pwa/dist/`;
const target = ['chrome100', 'safari15', 'firefox100'];

/**
 * One Preact app from `srcDir` (app/main.tsx, index.html, manifest, icon) into a clean `outDir`:
 * split ESM bundles, and index.html naming the entry's stylesheet, its statically imported chunks
 * (modulepreload, fetched beside the entry instead of after parsing it) and the entry script. The
 * tablet app and the console are built the same way; only extra esbuild options differ. With
 * `format: 'iife'` in `extra` the app is one classic script (`defer`) instead (see the tablet's).
 */
async function buildApp(srcDir, outDir, extra = {}) {
  // A clean folder: a precache lists exactly this build's files.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [`${srcDir}app/main.tsx`],
    outdir: outDir,
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
    ...extra,
  });
  const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint?.endsWith('main.tsx'));
  if (!entry) throw new Error(`build-pwa: no entry output for ${srcDir}`);
  const url = (file) => `/${relative(outDir, resolve(file)).replace(/\\/g, '/')}`;
  const css = entry[1].cssBundle ? url(entry[1].cssBundle) : null;
  const preloads = entry[1].imports
    .filter((i) => i.kind === 'import-statement')
    .map((i) => `<link rel="modulepreload" href="${url(i.path)}" />`)
    .join('');
  const script =
    extra.format === 'iife'
      ? `<script defer src="${url(entry[0])}"></script>`
      : `${preloads}<script type="module" src="${url(entry[0])}"></script>`;
  const html = readFileSync(`${srcDir}index.html`, 'utf8')
    .replace('<!--styles-->', css ? `<link rel="stylesheet" href="${css}" />` : '')
    .replace('<!--scripts-->', script);
  writeFileSync(`${outDir}index.html`, html);
  copyFileSync(`${srcDir}manifest.webmanifest`, `${outDir}manifest.webmanifest`);
  copyFileSync(`${srcDir}icon.svg`, `${outDir}icon.svg`);
}

// The tablet app is ONE classic script, not split ES modules: Chromium keeps a V8 code cache
// (every function compiled) for a classic script its service worker stored at install, and loads
// the app from it on the warm path; module scripts got no code cache from the worker's cache, so
// every start compiled them lazily, function by function, while drawing the visit screen (in a
// trace with the CPU slowed 4x: render 234 -> 40 ms, module evaluation 77 -> ~6 ms). The screens
// that were split off (consult, outbox, instruments) ride along: about 4 KiB gzip more.
// Its first line is V8's explicit compile hint `//# allFunctionsCalledOnLoad`: every function is
// compiled with the script, so the code cache Chromium makes when the service worker stores it
// holds them all (consumed cache 153 -> 313 KB). Without it that cache held only what ran at
// install, and a new page compiled the rest on its main thread while drawing the visit screen
// (traces, fresh renderer, CPU 4x: 46 lazy compiles, 20-30 ms of thread CPU before the first
// frame; with it 9, 3-7 ms). The cold start compiles the whole script instead of a part, off
// the main thread when Chromium streams it.
await buildApp(src, out, {
  format: 'iife',
  splitting: false,
  banner: { js: '//# allFunctionsCalledOnLoad' },
});
// The tablet page's start script, inlined in its head: opens the tablet's database while the
// app's script loads (see pwa/tablet/app/db/early-open.ts).
const early = await build({
  entryPoints: [`${src}app/db/early-entry.ts`],
  bundle: true,
  format: 'iife',
  target,
  minify: true,
  write: false,
  logLevel: 'warning',
});
const earlyJs = early.outputFiles[0].text.trim();
if (earlyJs.includes('</')) throw new Error('build-pwa: the start script cannot be inlined');
writeFileSync(
  `${out}index.html`,
  readFileSync(`${out}index.html`, 'utf8').replace('<!--early-->', `<script>${earlyJs}</script>`),
);
// The tablet's favicon: a small PNG (see icon-png.js for why not the SVG).
writeFileSync(`${out}icon-32.png`, iconPng(32));

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
  globPatterns: ['**/*.{html,js,css,svg,png,webmanifest}'],
  globIgnores: ['sw.js', '**/*.map'],
});
rmSync(swTemp, { force: true });
for (const w of warnings) console.warn(`build-pwa: ${w}`);
console.log(`tablet app built into ${out} (${count} files precached, ${Math.round(size / 1024)} KiB)`);

// The specialist's console: the same toolchain, its own folder (the hub serves it; the kit never
// does), and its own service worker the same way as the tablet's, so that it opens without the hub.
const consoleOut = `${root}pwa/dist-console/`;
await buildApp(`${root}pwa/console/`, consoleOut, {
  // libsodium's Emscripten glue names Node modules it only loads under Node.
  external: ['fs', 'path', 'crypto'],
});
const consoleSwTemp = join(tmpdir(), `fieldkit-console-sw-${process.pid}.js`);
await build({
  entryPoints: [`${root}pwa/console/sw/sw.ts`],
  outfile: consoleSwTemp,
  bundle: true,
  format: 'iife',
  target,
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
const consoleSw = await injectManifest({
  swSrc: consoleSwTemp,
  swDest: `${consoleOut}sw.js`,
  globDirectory: consoleOut,
  globPatterns: ['**/*.{html,js,css,svg,webmanifest,wasm}'],
  globIgnores: ['sw.js', '**/*.map'],
  // The console's bundle carries libsodium (about 2 MB).
  maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
});
rmSync(consoleSwTemp, { force: true });
for (const w of consoleSw.warnings) console.warn(`build-pwa: ${w}`);
console.log(
  `specialist console built into ${consoleOut} (${consoleSw.count} files precached, ${Math.round(consoleSw.size / 1024)} KiB)`,
);
