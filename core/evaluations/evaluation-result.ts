import type { LlmScale } from './analysis-config.ts';

/** The result of an evaluation as it is stored and published (see docs/evaluations.md). */

export type EvaluationStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';
type ScoreScale = LlmScale;

/** A moment in the conversation a score rests on. */
export interface Evidence {
  message_id: string;
  start_ms: number | null;
}

export interface CriterionScore {
  criterion: string;
  kind: 'llm' | 'metric' | 'match';
  /** `skipped`: the criterion could not be scored (no judge model); `rationale` says why. */
  status: 'scored' | 'skipped';
  score: number | null;
  scale: ScoreScale;
  passed: boolean | null;
  rationale: string;
  evidence: Evidence[];
}

export interface JudgeUsage {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
}

/** A score on its scale as a fraction of the best score: 0 to 1. */
function normalizedScore(score: number, scale: ScoreScale): number {
  switch (scale) {
    case 'pass_fail':
      return score;
    case '1-5':
      return (score - 1) / 4;
    case '0-10':
      return score / 10;
  }
}

/**
 * The overall score is the mean of the scored criteria's normalized scores; the session passes when it reaches
 * `passThreshold`, or, without one, when every scored criterion passed. Nothing scored: neither.
 */
export function overallOf(scores: CriterionScore[], passThreshold: number | null): { overall_score: number | null; passed: boolean | null } {
  const scored = scores.filter((score) => score.status === 'scored' && score.score !== null);
  if (scored.length === 0) return { overall_score: null, passed: null };
  const mean = scored.reduce((sum, score) => sum + normalizedScore(score.score!, score.scale), 0) / scored.length;
  const overall = Math.round(mean * 10_000) / 10_000;
  return { overall_score: overall, passed: passThreshold === null ? scored.every((score) => score.passed) : overall >= passThreshold };
}
