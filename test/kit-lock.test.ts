import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireKitLock, KIT_PID_FILE, kitLockHolder } from '../store/kit-lock.ts';
import { lockHolder, type LockHolder } from './kit-lock-process.ts';
import { tempStores } from '../store/test-fixtures.ts';

const base = tempStores({ scope: 'file', prefix: 'fieldkit-kit-lock-' }).dir();
const holders: LockHolder[] = [];
afterEach(async () => {
  await Promise.all(holders.splice(0).map((h) => h.kill()));
});

let n = 0;
function freshDir(): string {
  const dir = join(base, `d${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function hold(dir: string, at?: number): LockHolder {
  const h = lockHolder(dir, at);
  holders.push(h);
  return h;
}

const pidFile = (dir: string) => join(dir, KIT_PID_FILE);
const pidInFile = (dir: string) => (JSON.parse(readFileSync(pidFile(dir), 'utf8')) as { pid: number }).pid;

/** The pid of a process that has exited and been reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid;
}

describe('kit.pid (store/kit-lock.ts)', () => {
  it('a live holder in another process refuses this one (in_use, naming its pid); once it is killed its stale file is replaced', async () => {
    const dir = freshDir();
    const other = hold(dir);
    expect(await other.outcome).toBe('held');
    const pid = other.child.pid!;
    expect(kitLockHolder(dir)?.pid).toBe(pid);
    let refused: unknown;
    try {
      acquireKitLock(dir, 'restore');
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'in_use' });
    expect((refused as Error).message).toContain(`pid ${pid}`);
    expect((refused as Error).message).toContain('stop the kit first');
    expect(pidInFile(dir)).toBe(pid);

    await other.kill();
    expect(kitLockHolder(dir)).toBeUndefined(); // stale: ESRCH
    const lock = acquireKitLock(dir, 'restore');
    expect(pidInFile(dir)).toBe(process.pid);
    lock.release();
    expect(existsSync(pidFile(dir))).toBe(false);
  });

  it('a file naming a dead pid is stale, and release leaves a file that is not this process', () => {
    const dir = freshDir();
    writeFileSync(pidFile(dir), JSON.stringify({ pid: deadPid(), startedAt: 'x', command: 'start' }));
    expect(kitLockHolder(dir)).toBeUndefined();
    const lock = acquireKitLock(dir, 'start');
    expect(pidInFile(dir)).toBe(process.pid);
    // Someone else's file in its place is not ours to remove.
    writeFileSync(pidFile(dir), JSON.stringify({ pid: deadPid(), startedAt: 'y', command: 'start' }));
    lock.release();
    expect(existsSync(pidFile(dir))).toBe(true);
  });

  it.runIf(process.platform === 'linux')(
    'a live pid from an earlier boot, or a pid now used by a later process, is stale',
    async () => {
      const dir = freshDir();
      const other = hold(dir);
      expect(await other.outcome).toBe('held');
      const real = JSON.parse(readFileSync(pidFile(dir), 'utf8')) as Record<string, unknown>;
      expect(typeof real.bootId).toBe('string');
      expect(typeof real.procStart).toBe('string');
      expect(kitLockHolder(dir)?.pid).toBe(other.child.pid);
      writeFileSync(pidFile(dir), JSON.stringify({ ...real, bootId: 'an-earlier-boot' }));
      expect(kitLockHolder(dir)).toBeUndefined();
      writeFileSync(pidFile(dir), JSON.stringify({ ...real, procStart: '1' }));
      expect(kitLockHolder(dir)).toBeUndefined();
      writeFileSync(pidFile(dir), JSON.stringify(real));
      expect(kitLockHolder(dir)?.pid).toBe(other.child.pid);
    },
  );

  it('an unparseable file is taken as being written for a few seconds, then as debris', () => {
    const dir = freshDir();
    writeFileSync(pidFile(dir), '');
    expect(() => acquireKitLock(dir, 'start')).toThrow(/being written/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(pidFile(dir), old, old);
    acquireKitLock(dir, 'start').release();
    // Pids that would make process.kill signal a process group are never believed.
    writeFileSync(pidFile(dir), JSON.stringify({ pid: 0, startedAt: 'x', command: 'start' }));
    utimesSync(pidFile(dir), old, old);
    expect(kitLockHolder(dir)).toBeUndefined();
  });

  it('a takeover guard left by a process that died mid-takeover is cleared once old', () => {
    const dir = freshDir();
    writeFileSync(pidFile(dir), JSON.stringify({ pid: deadPid(), startedAt: 'x', command: 'start' }));
    writeFileSync(`${pidFile(dir)}.takeover`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${pidFile(dir)}.takeover`, old, old);
    acquireKitLock(dir, 'start').release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['a free directory', false],
    ["a crashed kit's stale file", true],
  ])('of six processes racing for %s exactly one wins', async (_what, stale) => {
    const dir = freshDir();
    if (stale)
      writeFileSync(pidFile(dir), JSON.stringify({ pid: deadPid(), startedAt: 'x', command: 'start' }));
    const at = Date.now() + 2000;
    const racers = Array.from({ length: 6 }, () => hold(dir, at));
    const outcomes = await Promise.all(racers.map((r) => r.outcome));
    expect(outcomes.filter((o) => o === 'held')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(5);
    const winner = racers[outcomes.indexOf('held')]!;
    expect(pidInFile(dir)).toBe(winner.child.pid);
  });
});
