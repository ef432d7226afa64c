import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../../core/db/database.ts';
import type { Logger } from '../../core/logger.ts';
import { finishTestRun, renewTestRunLease, saveScenarioResult, takeTestRunLease, type ScenarioResult, type TestRunRow } from '../../core/repositories/test-runs.ts';

export interface LeaseTiming {
  /** How long a lease lasts unless renewed: how soon a dead runner's run is taken over. */
  leaseS: number;
  /** How often the runner renews it: a third of the lease, so two renewals can fail before it runs out. */
  renewEveryS: number;
}

export const DEFAULT_LEASE: LeaseTiming = { leaseS: 60, renewEveryS: 20 };

/**
 * One runner's hold on a test run while it plays it. It is renewed in the background; once it is lost — another
 * runner took the run over after the lease ran out (this one stalled), or the run was finished elsewhere — `signal`
 * aborts, and every write is refused, so a runner that lost its run writes nothing more into it.
 */
export class TestRunLease {
  private readonly lost = new AbortController();
  private readonly renewal: NodeJS.Timeout;

  private constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly run: Pick<TestRunRow, 'org_id' | 'id'>,
    private readonly owner: string,
    private readonly timing: LeaseTiming,
  ) {
    this.renewal = setInterval(() => void this.renew(), timing.renewEveryS * 1000);
    this.renewal.unref();
  }

  /** The run, held by a new lease; undefined when it is finished or another runner holds it. */
  static async take(db: Database, logger: Logger, orgId: string, testRunId: string, timing: LeaseTiming): Promise<{ lease: TestRunLease; run: TestRunRow } | undefined> {
    const owner = `${hostname()}/${process.pid}/${randomUUID()}`;
    const run = await db.tenant(orgId, (trx) => takeTestRunLease(trx, orgId, testRunId, owner, timing.leaseS));
    return run ? { lease: new TestRunLease(db, logger, run, owner, timing), run } : undefined;
  }

  /** Aborts once the lease is lost. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  async saveResult(index: number, result: ScenarioResult): Promise<void> {
    const { org_id: orgId, id } = this.run;
    await this.holding(() => this.db.tenant(orgId, (trx) => saveScenarioResult(trx, orgId, id, this.owner, index, result)));
  }

  async finish(status: 'completed' | 'failed', results: ScenarioResult[]): Promise<void> {
    const { org_id: orgId, id } = this.run;
    await this.holding(async () => Boolean(await this.db.tenant(orgId, (trx) => finishTestRun(trx, orgId, id, this.owner, status, results))));
    this.release();
  }

  /** Stops renewing (the run is finished, or the runner gives it up). */
  release(): void {
    clearInterval(this.renewal);
  }

  private async renew(): Promise<void> {
    const { org_id: orgId, id } = this.run;
    try {
      await this.holding(() => this.db.tenant(orgId, (trx) => renewTestRunLease(trx, orgId, id, this.owner, this.timing.leaseS)));
    } catch (error) {
      // The next renewal tries again; the lease outlasts two failed ones.
      this.logger.warn('test-run lease renewal failed', { test_run_id: id, error: String(error) });
    }
  }

  /** Runs a write guarded by the lease, unless it is already lost; one that finds the lease gone loses it. */
  private async holding(write: () => Promise<boolean>): Promise<void> {
    if (this.lost.signal.aborted) return;
    if (await write()) return;
    this.release();
    this.lost.abort(new Error('The run was taken over by another worker.'));
    this.logger.warn('test-run lease lost; the run is left to the worker that holds it', { test_run_id: this.run.id });
  }
}
