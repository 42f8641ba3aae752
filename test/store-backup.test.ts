import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../store/audit/audit-log.ts';
import { KIT_PID_FILE, openStore, restoreBackup, verifyBackup, writeBackup } from '../store/index.ts';
import { fingerprint } from './helpers/data-dir.ts';
import { failRestoreAudit } from './helpers/fail-restore-audit.ts';
import { onLines } from './helpers/lines.ts';
import { lockHolder } from './kit-lock-process.ts';
import { buildStoreChild } from './store-child.ts';
import { contextOf } from '../store/record-store.ts';
import { tempStores } from '../store/test-fixtures.ts';

const base = tempStores({ scope: 'file', prefix: 'fieldkit-backup-' }).dir();
const data = join(base, 'kit');
const backupFile = join(base, '..', 'kit.fkbackup');
let bundle = '';
beforeAll(async () => {
  bundle = await buildStoreChild();
});

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

    const target = join(base, 'restored');
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
    const target = join(base, 'restored');
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
    const target = join(base, 'restored');
    const result = await restoreBackup(backupFile, target, 'crash-test');
    expect(result.previous && existsSync(result.previous)).toBe(true);
  });
});

/** Names in the directory holding `target`: a staging copy or a kept store would show here. */
const siblings = (target: string) => readdirSync(dirname(target)).sort();

describe('restore: audit entry and the running-kit guard', () => {
  it('appends one restore entry (actor, backup-<SHA-256 of the file>, when it was taken); the chain verifies', async () => {
    const target = join(base, 'audited');
    const result = await restoreBackup(backupFile, target, 'crash-test', { actor: 'restore-tester' });
    const sha = createHash('sha256').update(readFileSync(backupFile)).digest('hex');
    expect(result.backupName).toBe(`backup-${sha.slice(0, 16)}`);
    const store = await openStore({ path: target, passphrase: 'crash-test', create: false });
    try {
      const verdict = await store.verifyAudit();
      expect(verdict.ok).toBe(true);
      const entries = readAudit(contextOf(store), 1, 100_000);
      expect(entries).toHaveLength(verdict.entries);
      const restores = entries.filter((e) => e.action === 'restore');
      expect(restores).toHaveLength(1);
      expect(entries.at(-1)).toMatchObject({
        action: 'restore',
        table: 'store',
        actor: 'restore-tester',
        recordIds: [`backup-${sha.slice(0, 16)}`, `taken-${result.trailer.createdAt}`],
      });
      // No path, so no patient name in a file name, reaches the log.
      expect(JSON.stringify(restores[0]?.recordIds)).not.toContain(base);
    } finally {
      await store.close();
    }
  });

  it('fails as write_failed when the restore entry cannot be written, and changes nothing', async () => {
    const target = join(base, 'restored');
    const before = fingerprint(target);
    const around = siblings(target);
    const undo = failRestoreAudit();
    try {
      await expect(restoreBackup(backupFile, target, 'crash-test')).rejects.toMatchObject({
        code: 'write_failed',
        message: expect.stringContaining('audit log') as unknown,
      });
    } finally {
      undo();
    }
    expect(fingerprint(target)).toBe(before);
    expect(siblings(target)).toEqual(around);
  });

  it('refuses (in_use) while kit.pid names a live process, changing nothing', async () => {
    const target = join(base, 'restored');
    const holder = lockHolder(target);
    try {
      expect(await holder.outcome).toBe('held');
      const before = fingerprint(target);
      const around = siblings(target);
      await expect(restoreBackup(backupFile, target, 'crash-test')).rejects.toMatchObject({
        code: 'in_use',
        message: expect.stringMatching(new RegExp(`pid ${holder.child.pid}.*stop the kit first`)) as unknown,
      });
      // Refused before the backup is even read: a wrong passphrase is not what it reports.
      await expect(restoreBackup(backupFile, target, 'not-the-passphrase')).rejects.toMatchObject({
        code: 'in_use',
      });
      expect(fingerprint(target)).toBe(before);
      expect(siblings(target)).toEqual(around);
    } finally {
      await holder.kill();
    }
    // Its holder gone, the file is stale: the restore runs, and the file leaves with the old store.
    const result = await restoreBackup(backupFile, target, 'crash-test');
    expect(result.previous).toBeDefined();
    expect(existsSync(join(result.previous ?? '', KIT_PID_FILE))).toBe(false);
    expect(existsSync(join(target, KIT_PID_FILE))).toBe(false);
  });

  it('a pid file naming a dead process does not block a restore', async () => {
    const target = join(base, 'restored');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(
      join(target, KIT_PID_FILE),
      JSON.stringify({ pid: dead, startedAt: 'x', command: 'start' }),
    );
    const result = await restoreBackup(backupFile, target, 'crash-test');
    expect(existsSync(join(result.previous ?? '', KIT_PID_FILE))).toBe(false);
  });
});
