import type { EvaluationRow } from '../core/repositories/evaluations.ts';

/** The public evaluation, as the API returns it and the `evaluation.completed` and `evaluation.failed` events carry it. */
export function toPublicEvaluation(row: EvaluationRow) {
  return {
    id: row.id,
    object: 'evaluation' as const,
    session_id: row.session_id,
    assistant_id: row.assistant_id,
    status: row.status,
    summary: row.summary,
    structured_data: row.structured_data,
    scores: row.scores,
    overall_score: row.overall_score,
    passed: row.passed,
    judge: row.judge,
    usage: row.usage,
    error: row.error,
    skipped_reason: row.skipped_reason,
    created_at: row.created_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}
