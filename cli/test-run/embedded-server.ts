import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dispose as disposeLiveKitNativeClient } from '@livekit/rtc-node';
import { parseConfig } from '../../core/config.ts';
import { provisionOrganization } from '../../core/provisioning.ts';
import { startServer, type RunningServer } from '../start.ts';

/**
 * What the embedded server of a run owns, whatever the environment says: its database, storage and queue live in the
 * temporary folder, it listens on a free port of this machine only, and it runs the roles a test run needs (the api,
 * and the workers that play the scenarios and evaluate them) with nothing outside it: no LiveKit, no Stripe, no S3.
 * Everything else (provider keys, private provider URLs, ffmpeg) is the environment's; its log, on standard error, has
 * only errors unless LOG_LEVEL says otherwise: the run's outcome is the table.
 */
const EMBEDDED_SETTINGS: NodeJS.ProcessEnv = {
  DATABASE_URL: '',
  ECHOSPHERE_ENCRYPTION_KEY: '',
  PORT: '0',
  HOST: '127.0.0.1',
  PUBLIC_URL: '',
  ECHOSPHERE_ROLES: 'api,workers',
  ECHOSPHERE_PROCESSES: '1',
  ECHOSPHERE_STORAGE_DRIVER: 'local',
  ECHOSPHERE_STORAGE_DIR: '',
  ECHOSPHERE_QUEUE_DRIVER: 'database',
  ECHOSPHERE_TRANSCODE_ENGINE: 'ffmpeg',
  STRIPE_SECRET_KEY: '',
  STRIPE_WEBHOOK_SECRET: '',
  STRIPE_API_URL: '',
  LIVEKIT_URL: '',
  LIVEKIT_PUBLIC_URL: '',
  LIVEKIT_API_KEY: '',
  LIVEKIT_API_SECRET: '',
};

/** Exit codes of a process ended by SIGINT (Ctrl-C) or SIGTERM, as shells report them. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Starts an EchoSphere in this process for one command, on the embedded database in a new temporary folder, with an
 * organization of its own; `use` gets the API's address and that organization's secret key. The server is stopped and
 * the folder deleted when `use` settles, whichever way. On Ctrl-C (or SIGTERM) the folder is deleted and the process
 * ends at once: what was in flight belonged to this run only, and nothing would read it. This is the process's last
 * use of the session runtime.
 */
export async function withEmbeddedServer<T>(env: NodeJS.ProcessEnv, use: (api: { baseUrl: string; key: string }) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-test-run-'));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  const onSignal = (signal: keyof typeof SIGNAL_EXIT_CODES) => {
    removeDataDir();
    process.stderr.write(`\nInterrupted (${signal}); the embedded server's data in ${dataDir} was deleted.\n`);
    process.exit(SIGNAL_EXIT_CODES[signal]);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);

  let server: RunningServer | undefined;
  try {
    process.stderr.write(`Starting an embedded EchoSphere for this run (data in ${dataDir}, deleted afterwards)…\n`);
    const config = parseConfig({ ...env, ...EMBEDDED_SETTINGS, ECHOSPHERE_DATA_DIR: dataDir, LOG_LEVEL: env.LOG_LEVEL || 'error' });
    server = await startServer(config, { logToStderr: true });
    const { db, secretBox } = server.platform;
    const { secretKey } = await provisionOrganization(db, secretBox, 'Test run');
    return await use({ baseUrl: server.baseUrl!, key: secretKey });
  } finally {
    try {
      await server?.stop();
      // The sessions' audio went through LiveKit's native library, whose event listener would keep the process alive
      // once the command is done (`echosphere start` ends with process.exit instead).
      await disposeLiveKitNativeClient();
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      removeDataDir();
    }
  }
}
