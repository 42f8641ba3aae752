import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, restoreBackup, verifyBackup, writeBackup } from '../store/index.ts';
import { tempDir } from '../store/testing.ts';
import { onLines } from './helpers/lines.ts';
import { buildStoreChild } from './store-child.ts';

const t = tempDir('fieldkit-backup-');
const data = join(t.dir, 'kit');
const backupFile = join(t.dir, '..', 'kit.fkbackup');
let bundle = '';
beforeAll(async () => {
  bundle = await buildStoreChild();
});
afterAll(() => t.cleanup());

/** Starts the writer child on `data` and resolves once it has acknowledged `n` readings. */
function startWriter(n: number) {
  const child = spawn(process.execPath, [bundle, data, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Map<string, number>();
  const enough = new Promise<void>((resolve, reject) => {
    onLines(child.stdout, (line) => {
      const [id, v] = line.split(' ');
      if (id && v) acked.set(id, Number(v));
      if (acked.size >= n) resolve();
    });
    child.on('exit', (code) => reject(new Error(`writer exited (${code})`)));
  });
  return { child, acked, enough };
}

describe('backup and restore', () => {
  it('backs up while another process is writing, verifies, and restores what was acknowledged', async () => {
    const writer = startWriter(2000);
    await writer.enough;
    const ackedBefore = new Map(writer.acked);
    const store = await openStore({
      path: data,
      passphrase: 'crash-test',
      create: false,
      actor: 'backup-cli',
    });
    const summary = await writeBackup(store, backupFile);
    await store.close();
    writer.child.kill('SIGKILL');
    expect(summary.bytes).toBeGreaterThan(0);
    expect((await verifyBackup(backupFile, 'crash-test')).frames).toBe(summary.frames);

    const target = join(t.dir, 'restored');
    const restored = await restoreBackup(backupFile, target, 'crash-test');
    expect(restored.previous).toBeUndefined();
    const again = await openStore({ path: target, passphrase: 'crash-test', create: false });
    for (const [id, v] of ackedBefore) {
      const o = await again.getObservation(id);
      expect(o.value?.kind === 'quantity' && o.value.value).toBe(v);
    }
    expect((await again.verifyAudit()).ok).toBe(true);
    await again.close();
  });

  it('refuses a wrong passphrase, a flipped byte and a truncated file, changing nothing', async () => {
    const target = join(t.dir, 'restored');
    const before = readdirSync(target).sort();
    await expect(restoreBackup(backupFile, target, 'nope')).rejects.toMatchObject({
      code: 'wrong_passphrase',
    });
    const bytes = readFileSync(backupFile);
    const flipped = Buffer.from(bytes);
    const at = bytes.length - 5000;
    flipped[at] = (flipped[at] ?? 0) ^ 0x10;
    writeFileSync(`${backupFile}.flipped`, flipped);
    await expect(restoreBackup(`${backupFile}.flipped`, target, 'crash-test')).rejects.toMatchObject({
      code: 'backup_invalid',
    });
    writeFileSync(`${backupFile}.cut`, bytes.subarray(0, bytes.length - 100));
    await expect(verifyBackup(`${backupFile}.cut`, 'crash-test')).rejects.toMatchObject({
      code: 'backup_invalid',
    });
    expect(readdirSync(target).sort()).toEqual(before);
    expect(existsSync(`${target}.restoring-${process.pid}`)).toBe(false);
  });

  it('keeps the replaced store aside when restoring over an existing one', async () => {
    const target = join(t.dir, 'restored');
    const result = await restoreBackup(backupFile, target, 'crash-test');
    expect(result.previous && existsSync(result.previous)).toBe(true);
  });
});
