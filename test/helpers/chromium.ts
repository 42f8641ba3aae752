import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium, installed by .ci/run (playwright's own browser download cannot work here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Options of {@link launchChromium}. */
export interface ChromiumOptions {
  /**
   * CA certificates (PEM) the profile trusts for TLS servers, as a user who installed them would:
   * they go into a fresh NSS database at `$HOME/.pki/nssdb` (Chromium on Linux reads user trust
   * from there, not from the profile directory), made with `certutil` from libnss3-tools, and
   * Chromium runs with that HOME. No certificate-error bypass flag is used.
   */
  readonly trustCaPem?: readonly string[];
  /** `--host-resolver-rules`, e.g. `MAP kit.test 127.0.0.1`, so a test can use real host names. */
  readonly hostResolverRules?: string;
  readonly viewport?: { width: number; height: number };
}

/** Makes `$home/.pki/nssdb` trusting the given CAs for websites. */
export function nssDbWithTrust(home: string, cas: readonly string[]): void {
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  cas.forEach((pem, i) => {
    const file = join(home, `ca-${i}.pem`);
    writeFileSync(file, pem);
    execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', `test-ca-${i}`, '-t', 'C,,', '-i', file]);
  });
}

/**
 * Launches real headless Chromium with the flags this machine needs (no sandbox as root, no
 * background networking to a closed network) and a fresh profile directory (`--user-data-dir`,
 * which playwright sets from the persistent-context path) and, when asked, a fresh HOME whose
 * NSS database trusts the given CAs.
 */
export async function launchChromium(
  options: ChromiumOptions = {},
): Promise<{ browser: BrowserContext; close: () => Promise<void> }> {
  const base = mkdtempSync(join(tmpdir(), 'fieldkit-chromium-'));
  const profile = join(base, 'profile');
  const home = join(base, 'home');
  mkdirSync(home);
  if (options.trustCaPem && options.trustCaPem.length > 0) nssDbWithTrust(home, options.trustCaPem);
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    env: { ...process.env, HOME: home },
    ...(options.viewport ? { viewport: options.viewport } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.hostResolverRules ? [`--host-resolver-rules=${options.hostResolverRules}`] : []),
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
