import type { Database, Transaction } from '../db/database.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import { insertPendingEvaluation, unfinishedEvaluationIds } from '../repositories/evaluations.ts';
import { hasAnalysis, type AnalysisConfig } from './analysis-config.ts';

/**
 * How a session's evaluation is requested. The request is a `pending` evaluations row, written in the transaction
 * that ends the session, so it exists exactly when the end does; its job is enqueued once that commits, and a row
 * whose job was never enqueued (the process died in between) is found again by the evaluation sweep.
 */

export const EVALUATION_QUEUE = 'evaluation.run';

export interface EvaluationJobRef {
  orgId: string;
  evaluationId: string;
}

export function enqueueEvaluation(queue: JobQueue, ref: EvaluationJobRef): Promise<void> {
  return queue.enqueue(EVALUATION_QUEUE, { ...ref }, { singletonKey: ref.evaluationId, maxAttempts: 5 });
}

/** Inside the session-end transaction: the evaluation the session's assistant snapshot asks for, if any. */
export async function requestEvaluationAtSessionEnd(trx: Transaction, ref: { orgId: string; sessionId: string; assistantId: string }): Promise<void> {
  const session = await trx('sessions').where({ org_id: ref.orgId, id: ref.sessionId }).first('assistant');
  const analysis = (session?.assistant as { analysis?: AnalysisConfig | null } | undefined)?.analysis;
  if (!hasAnalysis(analysis)) return;
  await insertPendingEvaluation(trx, { orgId: ref.orgId, sessionId: ref.sessionId, assistantId: ref.assistantId, analysis });
}

/** Once the session end has committed: enqueue the jobs of the evaluations it requested. */
export async function enqueueSessionEvaluations(db: Database, queue: JobQueue, ref: { orgId: string; sessionId: string }): Promise<void> {
  const ids = await db.tenant(ref.orgId, (trx) => unfinishedEvaluationIds(trx, ref.orgId, ref.sessionId));
  for (const evaluationId of ids) await enqueueEvaluation(queue, { orgId: ref.orgId, evaluationId });
}
