import cluster, { type Worker } from 'node:cluster';
import { serveGroupMetrics } from '../api/http/group-metrics.ts';
import type { Logger } from '../core/logger.ts';
import { CliError } from './cli-error.ts';

/** A process that dies after start-up is replaced after this pause (so a crash loop does not spin a core). */
const RESTART_DELAY_MS = 1000;
/** Beyond the shutdown grace period, how long a process may take to persist and exit before it is killed. */
const EXIT_MARGIN_MS = 5000;

export interface ServerProcesses {
  /** The port every process listens on, once all of them do; rejects if one dies before that. */
  listening: Promise<number>;
  /** Asks every process to shut down (each ends its live sessions within graceMs) and waits until all have exited. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Forks `count` processes that each run the api and agent roles on one shared port (node:cluster hands every new
 * connection to one of them in turn). Sessions are independent, so this spreads them over the cores; a session
 * lives in the process its WebSocket landed on, and is reached from the others through the database (session
 * control notifications), as it is across hosts.
 */
export function startServerProcesses(count: number, logger: Logger): ServerProcesses {
  let stopping = false;
  let started = false;
  const log = logger.child({ component: 'server-processes' });
  serveGroupMetrics();

  const listening = new Promise<number>((resolve, reject) => {
    let listeningCount = 0;
    cluster.on('listening', (_worker, address) => {
      if (++listeningCount === count) {
        started = true;
        resolve(address.port);
      }
    });
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      // The process printed its own reason (a taken port, say); this line only adds that start-up stopped for it.
      if (!started) return reject(new CliError(`A server process exited during start-up (${signal ?? `exit code ${code}`}); see its message above.`));
      log.error('server process exited; starting another', { pid: worker.process.pid, code, signal });
      setTimeout(() => stopping || cluster.fork(), RESTART_DELAY_MS);
    });
  });
  for (let i = 0; i < count; i++) cluster.fork();

  return {
    listening,
    async stop(graceMs) {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      await Promise.all(workers.map((worker) => stopWorker(worker, graceMs + EXIT_MARGIN_MS)));
    },
  };
}

function stopWorker(worker: Worker, deadlineMs: number): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => worker.process.kill('SIGKILL'), deadlineMs);
    worker.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    worker.process.kill('SIGTERM');
  });
}
