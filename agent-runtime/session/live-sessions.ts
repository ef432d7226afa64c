import type { Database } from '../../core/db/database.ts';
import { listenForNotifications } from '../../core/db/notifications.ts';
import { parseSessionEndRequest, SESSION_CONTROL_CHANNEL } from '../../core/domain/session-control.ts';
import type { Logger } from '../../core/logger.ts';
import type { SessionTransportKind } from '../../core/metrics/session-metrics.ts';
import { observeSession } from '../metrics/session-observer.ts';
import type { SessionRun } from './run-session.ts';
import type { SessionOutcome } from './runtime-deps.ts';

/** The sessions this process is running, so a connection can be refused and a shutdown can end them all. */
export class LiveSessions {
  private readonly runs = new Map<string, SessionRun>();

  constructor(private readonly transport: SessionTransportKind) {}

  has(sessionId: string): boolean {
    return this.runs.has(sessionId);
  }

  get size(): number {
    return this.runs.size;
  }

  add(run: SessionRun): void {
    this.runs.set(run.session.id, run);
    observeSession(this.transport, run);
    void run.done.finally(() => this.runs.delete(run.session.id));
  }

  /**
   * Ends the sessions of this process that any process asks to end (`requestSessionEnd`: the api handling
   * `POST /v1/sessions/{id}/end` may not be the process running the session). Resolves to a function that stops it.
   */
  listenForEndRequests(db: Database, logger: Logger): Promise<() => Promise<void>> {
    return listenForNotifications(
      db,
      SESSION_CONTROL_CHANNEL,
      (payload) => {
        const request = parseSessionEndRequest(payload);
        if (request) void this.end(request.sessionId, request.reason);
      },
      logger,
    );
  }

  /** Ends one session if it runs in this process; undefined when it does not. */
  async end(sessionId: string, reason: string): Promise<SessionOutcome | undefined> {
    return this.runs.get(sessionId)?.end(reason);
  }

  /**
   * Ends every live session with `server-shutdown` and waits up to `graceMs` for them to be persisted. Resolves with
   * the outcomes that made it in time.
   */
  async shutdownAll(graceMs: number): Promise<SessionOutcome[]> {
    const runs = [...this.runs.values()];
    const ended = Promise.all(runs.map((run) => run.end('server-shutdown')));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SessionOutcome[]>((resolve) => {
      timer = setTimeout(() => resolve([]), graceMs);
    });
    try {
      return await Promise.race([ended, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
