import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The embedded database belongs to one process: two PGlite instances on one folder each keep their own view of it and
 * overwrite each other's pages. Whoever opens the folder first holds a lock file in it (created atomically) naming
 * the process; any other process is refused with that name, until the holder closes the database or exits.
 *
 * A holder killed outright cannot remove its file, so a lock whose process is gone is stale and taken over, as
 * PostgreSQL does with postmaster.pid. "Gone" is decided on the same host only: the PID no longer runs, or runs a
 * process that started at another time (the PID was reused), or the machine booted since. A lock held on another
 * host (a shared network folder) is never taken over.
 */
const LOCK_FILE = 'echosphere.lock';

export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
  command: string;
  /** Linux only: the kernel's boot id and the process's start time in clock ticks since boot, to spot a reused PID. */
  boot_id?: string;
  start_ticks?: string;
}

export class DataFolderInUseError extends Error {
  constructor(
    readonly folder: string,
    readonly holder: LockHolder | undefined,
    readonly lockFile: string,
  ) {
    super(
      holder
        ? `The embedded database in ${folder} is in use by process ${holder.pid} on ${holder.host}, running since ${holder.started_at} (${holder.command}).`
        : `The embedded database in ${folder} is locked by ${lockFile}, which names no process; remove that file if no EchoSphere process uses this folder.`,
    );
  }
}

export interface DataFolderLock {
  /** Removes the lock file, if it is still this process's. Safe to call more than once. */
  release(): void;
}

/** Lock files this process holds: a second open of the same folder here is refused as well. */
const heldHere = new Set<string>();

export function lockDataFolder(folder: string): DataFolderLock {
  fs.mkdirSync(folder, { recursive: true });
  const lockFile = path.join(folder, LOCK_FILE);
  const mine = JSON.stringify(describeThisProcess());
  // Written aside, then linked into place: the lock file appears whole or not at all.
  const draft = `${lockFile}.${process.pid}.draft`;
  fs.writeFileSync(draft, mine);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(draft, lockFile);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const found = readLock(lockFile);
      if (found === undefined) continue; // released in the meantime
      const holder = parseHolder(found);
      if (attempt >= 5 || !holder || heldHere.has(lockFile) || !isGone(holder)) throw new DataFolderInUseError(folder, holder, lockFile);
      removeStale(lockFile, found);
    }
  } finally {
    fs.rmSync(draft, { force: true });
  }
  heldHere.add(lockFile);

  const release = () => {
    if (!heldHere.delete(lockFile)) return;
    process.off('exit', release);
    if (readLock(lockFile) === mine) fs.rmSync(lockFile, { force: true });
  };
  // process.exit() and fatal errors skip close(); the lock must not outlive the process on those paths either.
  process.on('exit', release);
  return { release };
}

function describeThisProcess(): LockHolder {
  return {
    pid: process.pid,
    host: os.hostname(),
    started_at: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    command: process.argv.slice(1).join(' '),
    boot_id: bootId(),
    start_ticks: startTicks(process.pid),
  };
}

function readLock(lockFile: string): string | undefined {
  try {
    return fs.readFileSync(lockFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    return Number.isInteger(holder.pid) && typeof holder.host === 'string' ? (holder as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

function isGone(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return false;
  // Not held here (checked before), so our own PID in it is a reused one: a container restarts with the same PID.
  if (holder.pid === process.pid) return true;
  const boot = bootId();
  if (holder.boot_id && boot && holder.boot_id !== boot) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const ticks = startTicks(holder.pid);
  return holder.start_ticks !== undefined && ticks !== undefined && ticks !== holder.start_ticks;
}

/**
 * Removes a stale lock only if it is still the one judged stale: moved aside first (one process wins the rename),
 * and put back if another process had taken over in between.
 */
function removeStale(lockFile: string, stale: string): void {
  const aside = `${lockFile}.${process.pid}.stale`;
  try {
    fs.renameSync(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if (fs.readFileSync(aside, 'utf8') !== stale) fs.linkSync(aside, lockFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function bootId(): string | undefined {
  return readProc('/proc/sys/kernel/random/boot_id')?.trim();
}

/** Field 22 of /proc/PID/stat, counted after the command name (which may itself hold spaces and parentheses). */
function startTicks(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
