import { spawn } from 'node:child_process';

/**
 * Runs a TypeScript script in a Node process of its own, as a worker runs beside the api, so a test can kill it
 * mid-job. Its stdout is piped for the test to read; its stderr joins the test's. `exited` settles with the exit code
 * (null when a signal ended it).
 */
export function startScriptProcess(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}
