import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DataFolderInUseError, lockDataFolder, type LockHolder } from './data-folder-lock.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'echosphere-folder-lock-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let folders = 0;
const newFolder = () => path.join(root, String(++folders));
const lockFileOf = (folder: string) => path.join(folder, 'echosphere.lock');
const holderOf = (folder: string) => JSON.parse(fs.readFileSync(lockFileOf(folder), 'utf8')) as LockHolder;

function refusedBy(pid: number) {
  return (error: unknown) => error instanceof DataFolderInUseError && error.holder?.pid === pid && error.message.includes(`in use by process ${pid} `);
}

/** Another process that takes the lock on `folder` and keeps it until killed. */
async function holderProcess(folder: string): Promise<ChildProcess> {
  const lockModule = path.join(import.meta.dirname, 'data-folder-lock.ts');
  const script = `const { lockDataFolder } = await import(${JSON.stringify(lockModule)}); lockDataFolder(process.argv[1]); console.log('locked'); setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, folder], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return child;
}

const killed = (child: ChildProcess) => new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  child.kill('SIGKILL');
});

test('the lock file names the process holding it, and release removes it', () => {
  const folder = newFolder();
  const lock = lockDataFolder(folder);
  const holder = holderOf(folder);
  assert.equal(holder.pid, process.pid);
  assert.equal(holder.host, os.hostname());
  assert.ok(Date.parse(holder.started_at) <= Date.now());
  assert.match(holder.command, /\S/);
  assert.throws(() => lockDataFolder(folder), refusedBy(process.pid), 'a second open in the same process is refused too');
  lock.release();
  assert.equal(fs.existsSync(lockFileOf(folder)), false);
  lockDataFolder(folder).release();
});

test('a folder locked by a running process is refused naming it; once that process is killed, its lock is stale', async () => {
  const folder = newFolder();
  const child = await holderProcess(folder);
  try {
    assert.throws(() => lockDataFolder(folder), refusedBy(child.pid!));
  } finally {
    await killed(child);
  }
  assert.equal(holderOf(folder).pid, child.pid, 'a killed holder leaves its file behind');
  const lock = lockDataFolder(folder);
  assert.equal(holderOf(folder).pid, process.pid);
  lock.release();
});

test('a running PID whose process started at another time is a reused PID: the lock is stale', async () => {
  const childFolder = newFolder();
  const child = await holderProcess(childFolder);
  const folder = newFolder();
  try {
    // The child's own lock, as if written by an earlier process that had its PID.
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(lockFileOf(folder), JSON.stringify({ ...holderOf(childFolder), start_ticks: '1' }));
    const lock = lockDataFolder(folder);
    assert.equal(holderOf(folder).pid, process.pid);
    lock.release();
  } finally {
    await killed(child);
  }
});

test('a lock taken on another host is never taken over, and release leaves a lock that is not ours alone', () => {
  const folder = newFolder();
  const lock = lockDataFolder(folder);
  const foreign: LockHolder = { pid: 999_999_999, host: `not-${os.hostname()}`, started_at: new Date().toISOString(), command: 'echosphere start' };
  fs.writeFileSync(lockFileOf(folder), JSON.stringify(foreign));
  lock.release();
  assert.deepEqual(holderOf(folder), foreign, 'release removed only its own lock');
  assert.throws(() => lockDataFolder(folder), refusedBy(foreign.pid));
});

test('a lock file that names no process is refused with what to do', () => {
  const folder = newFolder();
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(lockFileOf(folder), 'garbage');
  assert.throws(() => lockDataFolder(folder), /names no process; remove that file if no EchoSphere process uses this folder/);
});
