import { judgeOf } from '../../core/evaluations/analysis-config.ts';
import { EVALUATION_QUEUE, enqueueEvaluation } from '../../core/evaluations/evaluation-jobs.ts';
import { evaluationDuration, evaluationFailures } from '../../core/metrics/worker-metrics.ts';
import type { JobContext, JobData, JobQueue } from '../../core/queue/job-queue.ts';
import { finishEvaluation, markEvaluationRunning, staleEvaluations } from '../../core/repositories/evaluations.ts';
import { loadEvaluatedSession } from './evaluated-session.ts';
import { openJudge, type JudgeAccessDeps } from './judge/judge-access.ts';
import { evaluateSession } from './run-evaluation.ts';

export interface EvaluationWorkerDeps extends JudgeAccessDeps {
  queue: JobQueue;
  concurrency?: number;
  /** Seconds between sweeps for runs whose job was lost; 0 turns the sweep off. */
  sweepIntervalS?: number;
  onError?: (error: unknown, context: Record<string, unknown>) => void;
}

/** A run still unfinished this long after it was requested has lost its job (or is retrying): it is enqueued again. */
const STALE_AFTER_S = 120;
const SWEEP_BATCH = 100;

/**
 * Consumes the evaluation queue. A job may run more than once (a retry, a worker killed mid-job and its job taken
 * over): each run computes the result again and `finishEvaluation` writes it only if no run has yet, so a session
 * gets one result and one event. Returns a function that stops the sweep.
 */
export async function startEvaluationWorker(deps: EvaluationWorkerDeps): Promise<() => void> {
  await deps.queue.work(EVALUATION_QUEUE, (data, context) => runEvaluationJob(deps, data, context), { concurrency: deps.concurrency ?? 4 });
  const intervalS = deps.sweepIntervalS ?? 60;
  if (intervalS === 0) return () => {};
  const timer = setInterval(() => {
    sweepStaleEvaluations(deps).catch((error: unknown) => deps.onError?.(error, { sweep: true }));
  }, intervalS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

export async function runEvaluationJob(deps: EvaluationWorkerDeps, data: JobData, context: JobContext): Promise<void> {
  const orgId = String(data.orgId);
  const evaluationId = String(data.evaluationId);
  const evaluation = await deps.db.tenant(orgId, (trx) => markEvaluationRunning(trx, orgId, evaluationId));
  if (!evaluation) return;
  const measured = evaluationDuration.startTimer();
  try {
    const session = await deps.db.tenant(orgId, (trx) => loadEvaluatedSession(trx, orgId, evaluation.session_id));
    // Deleting a session deletes its evaluations: nothing is left to write.
    if (!session) return;
    const outcome = await evaluateSession(evaluation.analysis, session, () => openJudge(deps, orgId, judgeOf(evaluation.analysis)));
    await deps.db.tenant(orgId, (trx) => finishEvaluation(trx, orgId, evaluationId, outcome));
    measured({ outcome: outcome.status });
    if (outcome.status === 'failed') evaluationFailures.inc();
  } catch (error) {
    deps.onError?.(error, { evaluation_id: evaluationId, attempt: context.attempt });
    if (context.attempt < context.maxAttempts) {
      measured({ outcome: 'retrying' });
      throw error;
    }
    measured({ outcome: 'failed' });
    evaluationFailures.inc();
    const message = `The evaluation failed after ${context.attempt} attempts: ${(error as Error).message}`;
    await deps.db.tenant(orgId, (trx) =>
      finishEvaluation(trx, orgId, evaluationId, {
        status: 'failed',
        summary: null,
        structured_data: null,
        scores: [],
        overall_score: null,
        passed: null,
        judge: null,
        usage: null,
        error: message,
        skipped_reason: null,
      }),
    );
  }
}

/**
 * Enqueues the runs whose job was never enqueued (a crash between the session end and its enqueue); duplicates are dropped.
 * @internal exported for its tests
 */
export async function sweepStaleEvaluations(deps: Pick<EvaluationWorkerDeps, 'db' | 'queue'>): Promise<number> {
  const stale = await deps.db.system((trx) => staleEvaluations(trx, STALE_AFTER_S, SWEEP_BATCH));
  for (const row of stale) await enqueueEvaluation(deps.queue, { orgId: row.org_id, evaluationId: row.id });
  return stale.length;
}
