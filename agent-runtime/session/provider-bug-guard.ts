import type { Logger } from '../../core/logger.ts';

let installed = false;

/**
 * @livekit/agents-plugin-openai 1.9.0: closing a realtime transcription stream rejects a promise nobody awaits
 * ("WritableStream is locked"), which under Node's default policy kills the process — every session in it. The
 * runtime avoids that path where it can (non-realtime STT by default); this guard is for the realtime-only models.
 * Only that known rejection is swallowed; any other unhandled rejection keeps Node's default behaviour.
 */
export function installProviderBugGuard(logger: Logger): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof Error && /WritableStream is locked/.test(reason.message)) {
      logger.warn('Ignored a known provider plugin bug (realtime STT close)', { error: reason.message });
      return;
    }
    // Another listener decides for everything else; alone, we keep Node's default (crash) for the unknown.
    if (process.listenerCount('unhandledRejection') > 1) return;
    throw reason;
  });
}
