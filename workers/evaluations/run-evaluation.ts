import { needsJudge, type AnalysisConfig, type LlmCriterion } from '../../core/evaluations/analysis-config.ts';
import { overallOf, type CriterionScore } from '../../core/evaluations/evaluation-result.ts';
import type { EvaluationOutcome } from '../../core/repositories/evaluations.ts';
import { evidenceOf, spokenMessages, type EvaluatedSession } from './evaluated-session.ts';
import type { JudgeAccess } from './judge/judge-access.ts';
import { JudgeError, type Judge } from './judge/judge-client.ts';
import { criterionRequest, JUDGE_PROMPT_VERSION, renderTranscript, structuredDataRequest, summaryRequest } from './judge/judge-prompts.ts';
import { scoreMatch } from './match-criteria.ts';
import { scoreMetric } from './metric-criteria.ts';

/** What the judge produced; any part it was not asked for stays empty. */
interface JudgeResults {
  summary: string | null;
  structuredData: Record<string, unknown> | null;
  llmScores: Map<string, CriterionScore>;
}

/**
 * Evaluates one session with one analysis. Metric and match criteria are computed here; the summary, structured data
 * and llm criteria go to the judge, opened only when the analysis needs it and the session said something. Without
 * a judge those parts are skipped with the reason and the rest still scores; a judge that fails after its retries
 * makes the run `failed` with its message, keeping the model-free scores.
 */
export async function evaluateSession(analysis: AnalysisConfig, session: EvaluatedSession, openJudge: () => Promise<JudgeAccess>): Promise<EvaluationOutcome> {
  const criteria = analysis.scorecard?.criteria ?? [];
  let skippedReason: string | null = null;
  let error: string | null = null;
  let judge: Judge | undefined;
  let results: JudgeResults = { summary: null, structuredData: null, llmScores: new Map() };
  if (needsJudge(analysis)) {
    const spoken = spokenMessages(session);
    try {
      const access = spoken.length === 0 ? { skipped: 'Nothing was said in the session, so there is nothing for the judge to read.' } : await openJudge();
      if ('skipped' in access) skippedReason = access.skipped;
      else {
        judge = access.judge;
        results = await askJudge(judge, analysis, session, (failure) => (error ??= failure.message));
      }
    } catch (failure) {
      if (!(failure instanceof JudgeError)) throw failure;
      error = failure.message;
    }
  }
  const notJudged = skippedReason ?? (error ? `Not scored: ${error}` : 'Not scored.');
  const scores = criteria.map((criterion): CriterionScore => {
    if (criterion.kind === 'metric') return scoreMetric(criterion, session);
    if (criterion.kind === 'match') return scoreMatch(criterion, session);
    return results.llmScores.get(criterion.name) ?? skippedLlmScore(criterion, notJudged);
  });
  const overall = overallOf(scores, analysis.scorecard?.pass_threshold ?? null);
  const producedSomething = overall.overall_score !== null || results.summary !== null || results.structuredData !== null;
  return {
    status: error ? 'failed' : producedSomething ? 'completed' : 'skipped',
    summary: results.summary,
    structured_data: results.structuredData,
    scores,
    ...overall,
    judge: judge ? { model: judge.model, prompt_version: JUDGE_PROMPT_VERSION } : null,
    usage: judge ? { ...judge.usage } : null,
    error,
    skipped_reason: skippedReason ?? (producedSomething || error ? null : 'No criterion could be scored.'),
  };
}

function skippedLlmScore(criterion: LlmCriterion, reason: string): CriterionScore {
  return { criterion: criterion.name, kind: 'llm', status: 'skipped', score: null, scale: criterion.scale, passed: null, rationale: reason, evidence: [] };
}

/**
 * Every judge request of the run at once. A request that fails is reported to `onFailure` (which fails the run) and
 * the others' answers are kept: a summary the judge gave is not thrown away because a criterion's request failed.
 */
async function askJudge(judge: Judge, analysis: AnalysisConfig, session: EvaluatedSession, onFailure: (error: JudgeError) => void): Promise<JudgeResults> {
  const spoken = spokenMessages(session);
  const transcript = renderTranscript(spoken);
  const byId = new Map(spoken.map((message) => [message.id, message]));
  const results: JudgeResults = { summary: null, structuredData: null, llmScores: new Map() };
  const tasks: Array<Promise<void>> = [];
  if (analysis.summary?.enabled) {
    const request = summaryRequest(analysis, transcript);
    tasks.push(judge.ask('summary', request.schema, request.messages).then((answer) => void (results.summary = (answer as { summary: string }).summary)));
  }
  if (analysis.structured_data) {
    const request = structuredDataRequest(analysis, transcript);
    tasks.push(judge.ask('structured_data', request.schema, request.messages).then((answer) => void (results.structuredData = answer as Record<string, unknown>)));
  }
  for (const criterion of analysis.scorecard?.criteria ?? []) {
    if (criterion.kind !== 'llm') continue;
    const request = criterionRequest(criterion, transcript, [...byId.keys()]);
    tasks.push(
      judge.ask('criterion', request.schema, request.messages).then((answer) => {
        const { rationale, evidence_message_ids: ids, score } = answer as { rationale: string; evidence_message_ids: string[]; score: boolean | number };
        const value = typeof score === 'boolean' ? Number(score) : score;
        results.llmScores.set(criterion.name, {
          criterion: criterion.name,
          kind: 'llm',
          status: 'scored',
          score: value,
          scale: criterion.scale,
          passed: value >= passMinOf(criterion),
          rationale,
          evidence: evidenceOf([...new Set(ids)].map((id) => byId.get(id))),
        });
      }),
    );
  }
  for (const outcome of await Promise.allSettled(tasks)) {
    if (outcome.status === 'fulfilled') continue;
    if (!(outcome.reason instanceof JudgeError)) throw outcome.reason;
    onFailure(outcome.reason);
  }
  return results;
}

function passMinOf(criterion: LlmCriterion): number {
  if (criterion.pass_min !== null) return criterion.pass_min;
  return criterion.scale === 'pass_fail' ? 1 : criterion.scale === '1-5' ? 4 : 7;
}
