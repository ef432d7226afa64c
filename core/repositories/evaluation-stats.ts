import { runSql, type Transaction } from '../db/database.ts';
import { sql } from '../db/sql.ts';

export type StatsBucket = 'hour' | 'day' | 'week';

interface CriterionStats {
  criterion: string;
  kind: 'llm' | 'metric' | 'match';
  scored: number;
  passed: number;
  pass_rate: number | null;
  mean_score: number | null;
}

export interface EvaluationStatsBucket {
  start: string;
  evaluations: number;
  passed: number;
  pass_rate: number | null;
  mean_overall_score: number | null;
  criteria: CriterionStats[];
}

const rate = (part: number, whole: number) => (whole === 0 ? null : round(part / whole));
const round = (value: number) => Math.round(value * 10_000) / 10_000;
const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : round(Number(value)));

/**
 * Pass rates and mean scores of an assistant's completed evaluations per bucket of completion time (UTC), counting
 * only the latest completed run of each session, so a re-run replaces its session's earlier result instead of adding
 * to it. Criterion scores are normalized to 0-1 like the overall score; skipped criteria are not counted.
 */
export async function evaluationStats(
  trx: Transaction,
  input: { orgId: string; assistantId: string; from: Date; to: Date; bucket: StatsBucket },
): Promise<EvaluationStatsBucket[]> {
  const latest = sql`WITH latest AS (
      SELECT DISTINCT ON (session_id) passed, overall_score, scores,
             date_trunc(${input.bucket}, completed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket_start
      FROM evaluations
      WHERE org_id = ${input.orgId} AND assistant_id = ${input.assistantId} AND status = 'completed'
        AND completed_at >= ${input.from} AND completed_at < ${input.to}
      ORDER BY session_id, id DESC
    )`;
  const buckets = (await runSql(
    trx,
    sql`${latest}
      SELECT bucket_start, count(*) AS evaluations, count(*) FILTER (WHERE passed) AS passed, avg(overall_score) AS mean_overall_score
      FROM latest GROUP BY bucket_start ORDER BY bucket_start`,
  )) as Array<{ bucket_start: Date; evaluations: string; passed: string; mean_overall_score: number | null }>;
  const criteria = (await runSql(
    trx,
    sql`${latest}
      SELECT bucket_start, score->>'criterion' AS criterion, score->>'kind' AS kind, count(*) AS scored,
             count(*) FILTER (WHERE (score->>'passed')::boolean) AS passed,
             avg(CASE score->>'scale'
                   WHEN '1-5' THEN ((score->>'score')::float8 - 1) / 4
                   WHEN '0-10' THEN (score->>'score')::float8 / 10
                   ELSE (score->>'score')::float8 END) AS mean_score
      FROM latest CROSS JOIN LATERAL jsonb_array_elements(scores) AS score
      WHERE score->>'status' = 'scored'
      GROUP BY bucket_start, criterion, kind ORDER BY bucket_start, criterion`,
  )) as Array<{ bucket_start: Date; criterion: string; kind: CriterionStats['kind']; scored: string; passed: string; mean_score: number | null }>;
  return buckets.map((bucket) => {
    const start = new Date(bucket.bucket_start).toISOString();
    const evaluations = Number(bucket.evaluations);
    const passed = Number(bucket.passed);
    return {
      start,
      evaluations,
      passed,
      pass_rate: rate(passed, evaluations),
      mean_overall_score: numberOrNull(bucket.mean_overall_score),
      criteria: criteria
        .filter((row) => new Date(row.bucket_start).toISOString() === start)
        .map((row) => ({
          criterion: row.criterion,
          kind: row.kind,
          scored: Number(row.scored),
          passed: Number(row.passed),
          pass_rate: rate(Number(row.passed), Number(row.scored)),
          mean_score: numberOrNull(row.mean_score),
        })),
    };
  });
}
