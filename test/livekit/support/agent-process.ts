import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const cli = path.resolve(import.meta.dirname, '../../../bin/echosphere.mjs');

/** `echosphere start --roles agent` in a process of its own; resolves once its agent has registered, with its id. */
export function startAgentProcess(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; id: string }> {
  const child = spawn(process.execPath, [cli, 'start', '--roles', 'agent'], {
    // Two agents on one machine: each takes free ports for its session streams and metrics.
    env: { ...process.env, ...env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ECHOSPHERE_AGENT_PORT: '0', ECHOSPHERE_METRICS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const started = /"agent_process_id":"(agent_[0-9a-f]+)"[^\n]*"livekit agent started"|"livekit agent started"[^\n]*"agent_process_id":"(agent_[0-9a-f]+)"/.exec(output);
      if (started) resolve({ child, id: (started[1] ?? started[2])! });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`agent process exited with ${code}:\n${output}`)));
  });
}
