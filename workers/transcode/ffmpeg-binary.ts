import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The ffmpeg to run: an explicit path, else a system ffmpeg on PATH (Debian's 5.x is current and stable), else the
 * static 2018 build shipped by @ffmpeg-installer/ffmpeg. Only features both support are used (ADTS and MPEG-TS
 * muxing, stream copy); the master playlist is written by us because the old build crashes on `-master_pl_name`.
 */
export function resolveFfmpeg(explicit?: string): string {
  if (explicit) return explicit;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'ffmpeg');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  const require = createRequire(import.meta.url);
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

/**
 * ffmpeg did not finish. With an exit code it ran and refused its input or arguments: the same input fails the same
 * way again. Killed by a signal (`exitCode` null: out of memory, shutdown) it may well succeed on another attempt.
 */
export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

/** Runs ffmpeg to completion; rejects with an FfmpegError carrying the tail of its log when it fails. */
export function runFfmpeg(ffmpeg: string, args: string[], stdin?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args.filter((arg) => arg !== '-nostdin')], {
      stdio: [stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr!.on('data', (data: Buffer) => {
      log = (log + data.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new FfmpegError(`ffmpeg exited with ${signal ?? code}: ${log.trim().split('\n').slice(-3).join(' | ')}`, signal ? null : code));
    });
    if (stdin && child.stdin) {
      child.stdin.on('error', () => {}); // ffmpeg failing early closes stdin; the exit code carries the error.
      child.stdin.end(stdin);
    }
  });
}
