import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Bundles test/store-crash-child.ts next to node_modules (so it resolves the same native
 * packages) and returns its path: a plain `node child.mjs` starts in ~0.2 s where tsx takes ~1 s,
 * which is what lets the crash test kill 50 children within the CI budget.
 */
export async function buildStoreChild(): Promise<string> {
  const dir = `${root}node_modules/.cache/fieldkit-store-child`;
  mkdirSync(dir, { recursive: true });
  const outfile = `${dir}/child-${process.pid}.mjs`;
  await build({
    entryPoints: [`${root}test/store-crash-child.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return outfile;
}
