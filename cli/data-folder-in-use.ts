import type { DataFolderInUseError } from '../core/db/data-folder-lock.ts';

/**
 * What the operator can do when the embedded database is open in another process. The command line does not go
 * through the running server: organizations are made only here (the API has no operator credential that could make
 * one), and the server already applied every migration when it started. Stopping the server, or using the API it
 * serves, is always possible; two processes writing one PGlite folder never is.
 */
export function dataFolderInUseMessage(command: string | undefined, error: DataFolderInUseError): string {
  const stop = error.holder ? `stop it first (Ctrl-C where it runs, or \`kill ${error.holder.pid}\`)` : 'stop it first';
  const hints: Record<string, string> = {
    start: `EchoSphere is already running on this data folder: use that one, ${stop}, or give this one its own ECHOSPHERE_DATA_DIR.`,
    migrate: `The running server applied every migration when it started; to run migrate on its own, ${stop}.`,
    orgs: `To create an organization, ${stop}, run this again, then start the server.`,
    keys: `While it runs, create keys with POST /v1/api-keys or the dashboard's API keys page; or ${stop} and run this again.`,
  };
  return `${error.message}\n${hints[command ?? ''] ?? `${stop[0]!.toUpperCase()}${stop.slice(1)}.`}`;
}
