import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'bin/echosphere.mjs');
const baseEnv = { PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info' };

/** `echosphere start` as a child process; `ready` resolves with the API's base URL once the welcome text is out. */
export function startEchoSphere(
  env: NodeJS.ProcessEnv,
  nodeOptions: string[] = [],
): { child: ChildProcess; output: () => string; ready: Promise<string> } {
  const child = spawn(process.execPath, [...nodeOptions, cli, 'start'], {
    env: { ...process.env, ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const api = /API\s+(http:\/\/\S+)\/v1/.exec(output);
      if (api && output.includes('Health')) resolve(api[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output, ready };
}

/** An `echosphere` command run to its end: its exit code and what it wrote to each stream. */
export function runEchoSphere(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return exitCode(child).then((code) => ({ code, stdout, stderr }));
}

/** A JSON log line of `echosphere start` (LOG_FORMAT=json), with the fields the tests read. */
interface LogLine {
  message?: string;
  pid?: number;
  session_id?: string;
  ended_reason?: string;
  port?: number;
  url?: string;
}

/** The JSON lines of a process's output, other text left out. */
export function logLines(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** The exit code, or the signal that ended the process (so a failure says which). */
export function exitCode(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

/** The secret key and organization id the welcome text printed, if it printed one. */
export function printedKey(output: string): { key: string; orgId: string } | undefined {
  const key = /sk_[A-Za-z0-9_-]{43}/.exec(output)?.[0];
  const orgId = /\((org_[0-9A-Z]{26})\)/.exec(output)?.[1];
  return key && orgId ? { key, orgId } : undefined;
}
