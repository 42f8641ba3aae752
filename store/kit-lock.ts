import { closeSync, linkSync, openSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSynced } from './durable-file.ts';
import { StoreError } from './errors.ts';

/**
 * The data directory's pid file. `fieldkit start` holds it while the kit runs and `restore`
 * holds it while it swaps directories, so that neither runs under the other: a restore would
 * swap files under an open LMDB, and two kits on one store would both serve tablets. It is not
 * part of the store: backups copy the LMDB database, never this file.
 */
export const KIT_PID_FILE = 'kit.pid';

/** A pid file that does not parse is taken as one being written for this long, then as debris. */
const UNREADABLE_GRACE_MS = 10_000;

/** What the pid file records about the process holding a data directory. */
export interface KitPidInfo {
  readonly pid: number;
  /** When the holder took the directory (ISO time), for the operator's message. */
  readonly startedAt: string;
  /** The fieldkit command holding it (`start`, `restore`). */
  readonly command: string;
  /** Linux: the boot the holder ran in (a file left from an earlier boot is stale). */
  readonly bootId?: string;
  /** Linux: the holder's start in clock ticks since boot (`/proc/<pid>/stat` field 22): tells a reused pid. */
  readonly procStart?: string;
}

/** A data directory held by this process; {@link KitLock.release} gives it back. */
export interface KitLock {
  /** What this process wrote into the pid file. */
  readonly info: KitPidInfo;
  /**
   * Removes the pid file from `dir` (default: the directory it was taken in; a restore passes
   * the directory the old store was moved to) if it is still this process's. Never throws.
   */
  release(dir?: string): void;
}

/**
 * The live process, other than this one, holding `dir`; undefined when the directory is free
 * (no pid file, or a stale one: its process is gone, or it is from an earlier boot, or its pid now
 * belongs to a later process). Only reads.
 */
export function kitLockHolder(dir: string): KitPidInfo | undefined {
  const found = readPidFile(join(dir, KIT_PID_FILE));
  return found && isHeldByOther(found) ? found.info : undefined;
}

/** One line for the operator: who holds the directory and what to do. */
export function describeKitHolder(dir: string, holder: KitPidInfo): string {
  const since = `(pid ${holder.pid}, since ${holder.startedAt})`;
  return holder.command === 'start'
    ? `The kit is running on ${dir} ${since}: stop the kit first.`
    : `A fieldkit ${holder.command} is running on ${dir} ${since}: wait for it to finish.`;
}

/**
 * Takes `dir` for this process: writes the pid file in full under a temporary name and links it
 * into place, which fails if a pid file is already there, so of two processes racing exactly one
 * wins. A stale pid file (see {@link kitLockHolder}) is removed and replaced. Throws
 * StoreError `in_use` when a live process holds the directory. `dir` must exist.
 */
export function acquireKitLock(dir: string, command: string): KitLock {
  const file = join(dir, KIT_PID_FILE);
  const info = ownInfo(command);
  const bytes = Buffer.from(`${JSON.stringify(info)}\n`);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSynced(temp, bytes);
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (linkExclusive(temp, file, bytes)) return heldLock(dir, info, bytes);
      const found = readPidFile(file);
      if (!found) continue; // removed in between: try again
      if (isHeldByOther(found)) {
        throw new StoreError(
          'in_use',
          found.info
            ? describeKitHolder(dir, found.info)
            : `${file} is being written by another fieldkit process: stop the kit first.`,
        );
      }
      if (!removeStale(file, found.raw)) pause(10);
    }
    throw new StoreError('in_use', `Could not take ${file}: other processes keep changing it.`);
  } finally {
    rmSync(temp, { force: true });
  }
}

interface PidFile {
  readonly raw: Buffer;
  /** Undefined when the file does not parse (being written, or left half-written by a crash). */
  readonly info: KitPidInfo | undefined;
  readonly ageMs: number;
}

function readPidFile(file: string): PidFile | undefined {
  let raw: Buffer;
  let age: number;
  try {
    raw = readFileSync(file);
    age = Date.now() - statSync(file).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { raw, info: parseInfo(raw), ageMs: age };
}

function parseInfo(raw: Buffer): KitPidInfo | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  // A pid of 0 or below would make process.kill signal a whole process group.
  if (typeof o.pid !== 'number' || !Number.isSafeInteger(o.pid) || o.pid <= 0) return undefined;
  if (typeof o.startedAt !== 'string' || typeof o.command !== 'string') return undefined;
  return {
    pid: o.pid,
    startedAt: o.startedAt,
    command: o.command,
    ...(typeof o.bootId === 'string' ? { bootId: o.bootId } : {}),
    ...(typeof o.procStart === 'string' ? { procStart: o.procStart } : {}),
  };
}

function isHeldByOther(found: PidFile): boolean {
  if (!found.info) return found.ageMs < UNREADABLE_GRACE_MS;
  return found.info.pid !== process.pid && isAlive(found.info);
}

function isAlive(info: KitPidInfo): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user; it is alive.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const boot = bootId();
  if (info.bootId !== undefined && boot !== undefined && boot !== info.bootId) return false;
  const started = procStart(info.pid);
  if (info.procStart !== undefined && started !== undefined && started !== info.procStart) return false;
  return true;
}

function ownInfo(command: string): KitPidInfo {
  const boot = bootId();
  const started = procStart(process.pid);
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    command,
    ...(boot !== undefined ? { bootId: boot } : {}),
    ...(started !== undefined ? { procStart: started } : {}),
  };
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces) start at field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Puts the complete temp file at `file` unless something is there. Where hard links are not
 * supported (FAT, some network shares) it creates `file` exclusively and writes it; a reader
 * that meets it before the write finishes sees an unparseable file and waits it out.
 */
function linkExclusive(temp: string, file: string, bytes: Buffer): boolean {
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
  }
  try {
    writeFileSynced(file, bytes, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  return true;
}

/**
 * Removes a stale pid file, unless it changed since it was read. Removal is serialised by an
 * exclusively created `kit.pid.takeover`, so of several processes that found the same stale file
 * only one removes it, and never the live file a faster one has linked in meanwhile; all then
 * race for the exclusive link, which exactly one wins. Returns false when another process holds
 * the takeover (the caller waits and looks again).
 */
function removeStale(file: string, staleBytes: Buffer): boolean {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Left by a process that died in the middle of a takeover (which takes microseconds).
    if (ageMs(guard) > UNREADABLE_GRACE_MS) rmSync(guard, { force: true });
    return false;
  }
  closeSync(fd);
  try {
    if (readFileSync(file).equals(staleBytes)) unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    rmSync(guard, { force: true });
  }
  return true;
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Blocks this thread for `ms` (the lock is taken synchronously, once per process). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function heldLock(dir: string, info: KitPidInfo, bytes: Buffer): KitLock {
  return {
    info,
    release(where = dir) {
      const file = join(where, KIT_PID_FILE);
      try {
        if (readFileSync(file).equals(bytes)) unlinkSync(file);
      } catch {
        // Gone already, or unreadable: nothing of ours to remove.
      }
    },
  };
}
