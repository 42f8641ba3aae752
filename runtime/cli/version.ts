import { readFileSync } from 'node:fs';

/** The package version, printed by `--version` and announced by the server. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
