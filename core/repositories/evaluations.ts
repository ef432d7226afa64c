import type { Knex } from 'knex';
import { toPublicEvaluation } from '../../contract/evaluation.ts';
import type { Transaction } from '../db/database.ts';
import type { AnalysisConfig } from '../evaluations/analysis-config.ts';
import type { CriterionScore, EvaluationStatus, JudgeUsage } from '../evaluations/evaluation-result.ts';
import { appendEvent } from '../webhooks/outbox.ts';
import { newId } from '../ids.ts';

export interface EvaluationRow {
  id: string;
  org_id: string;
  session_id: string;
  assistant_id: string;
  status: EvaluationStatus;
  analysis: AnalysisConfig;
  summary: string | null;
  structured_data: Record<string, unknown> | null;
  scores: CriterionScore[];
  overall_score: number | null;
  passed: boolean | null;
  judge: { model: string; prompt_version: string } | null;
  usage: JudgeUsage | null;
  error: string | null;
  skipped_reason: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

/** What a finished run writes, once. */
export type EvaluationOutcome = Pick<
  EvaluationRow,
  'summary' | 'structured_data' | 'scores' | 'overall_score' | 'passed' | 'judge' | 'usage' | 'error' | 'skipped_reason'
> & { status: 'completed' | 'failed' | 'skipped' };

const UNFINISHED: EvaluationStatus[] = ['pending', 'running'];
/** Earlier runs a session's evaluation shows as its history. */
export const HISTORY_LIMIT = 20;

export async function insertPendingEvaluation(
  trx: Transaction,
  input: { orgId: string; sessionId: string; assistantId: string; analysis: AnalysisConfig },
): Promise<EvaluationRow> {
  const [row] = await trx<EvaluationRow>('evaluations')
    .insert({
      id: newId('evaluation'),
      org_id: input.orgId,
      session_id: input.sessionId,
      assistant_id: input.assistantId,
      status: 'pending',
      analysis: JSON.stringify(input.analysis) as never,
    })
    .returning('*');
  return row!;
}

function evaluationsOf(q: Knex, orgId: string) {
  return q<EvaluationRow>('evaluations').where({ org_id: orgId });
}

/** A session's runs, newest first: the current result and then its history. */
export async function sessionEvaluations(trx: Transaction, orgId: string, sessionId: string): Promise<EvaluationRow[]> {
  return evaluationsOf(trx, orgId).where({ session_id: sessionId }).orderBy('id', 'desc').limit(HISTORY_LIMIT + 1);
}

/** The ids of a session's runs still to do (their jobs are enqueued after the transaction that created them commits). */
export async function unfinishedEvaluationIds(trx: Transaction, orgId: string, sessionId: string): Promise<string[]> {
  const rows = await evaluationsOf(trx, orgId).where({ session_id: sessionId }).whereIn('status', UNFINISHED).select('id');
  return rows.map((row) => row.id);
}

/** pending → running; undefined when the run is already over (a job delivered again after it finished). */
export async function markEvaluationRunning(trx: Transaction, orgId: string, id: string): Promise<EvaluationRow | undefined> {
  const [row] = await evaluationsOf(trx, orgId)
    .where({ id })
    .whereIn('status', UNFINISHED)
    .update({ status: 'running', started_at: trx.fn.now() as never })
    .returning('*');
  return row;
}

/**
 * Writes a run's result and its `evaluation.completed` / `evaluation.failed` event, exactly once: the conditional
 * update is the lock, so of two deliveries of the same job (one whose worker was presumed dead) only one writes.
 */
export async function finishEvaluation(trx: Transaction, orgId: string, id: string, outcome: EvaluationOutcome): Promise<EvaluationRow | undefined> {
  const [row] = await evaluationsOf(trx, orgId)
    .where({ id })
    .whereIn('status', UNFINISHED)
    .update({
      ...outcome,
      structured_data: outcome.structured_data === null ? null : (JSON.stringify(outcome.structured_data) as never),
      scores: JSON.stringify(outcome.scores) as never,
      judge: outcome.judge === null ? null : (JSON.stringify(outcome.judge) as never),
      usage: outcome.usage === null ? null : (JSON.stringify(outcome.usage) as never),
      completed_at: trx.fn.now() as never,
    })
    .returning('*');
  if (!row) return undefined;
  // A run that could score nothing (`skipped`) is over too: it is announced as completed, its status says the rest.
  await appendEvent(trx, {
    orgId,
    type: row.status === 'failed' ? 'evaluation.failed' : 'evaluation.completed',
    sessionId: row.session_id,
    assistantId: row.assistant_id,
    data: toPublicEvaluation(row),
  });
  return row;
}

/** Runs created a while ago and never finished: their job was lost (its enqueue never happened) or is still retrying. */
export async function staleEvaluations(trx: Transaction, olderThanS: number, limit: number): Promise<Array<Pick<EvaluationRow, 'id' | 'org_id'>>> {
  return trx<EvaluationRow>('evaluations')
    .whereIn('status', UNFINISHED)
    .where('created_at', '<', trx.raw(`now() - (? * interval '1 second')`, [olderThanS]))
    .orderBy('created_at')
    .limit(limit)
    .select('id', 'org_id');
}

/** Adds each session's latest evaluation outcome (`evaluation_status`, `evaluation_passed`, `evaluation_overall_score`) to a sessions query. */
export function withLatestEvaluation(query: Knex.QueryBuilder): Knex.QueryBuilder {
  return query
    .joinRaw(
      `LEFT JOIN LATERAL (
         SELECT status, passed, overall_score FROM evaluations
         WHERE evaluations.org_id = sessions.org_id AND evaluations.session_id = sessions.id
         ORDER BY evaluations.id DESC LIMIT 1
       ) AS latest_evaluation ON true`,
    )
    .select('latest_evaluation.status as evaluation_status', 'latest_evaluation.passed as evaluation_passed', 'latest_evaluation.overall_score as evaluation_overall_score');
}
