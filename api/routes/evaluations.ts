import { Router } from 'express';
import { z } from 'zod';
import { hasAnalysis } from '../../core/evaluations/analysis-config.ts';
import { enqueueEvaluation } from '../../core/evaluations/evaluation-jobs.ts';
import { PlatformError, invalid, notFound } from '../../core/errors.ts';
import { assistantConfigOf, getAssistant } from '../../core/repositories/assistants.ts';
import { evaluationStats, type StatsBucket } from '../../core/repositories/evaluation-stats.ts';
import { toPublicEvaluation } from '../../contract/evaluation.ts';
import { HISTORY_LIMIT, insertPendingEvaluation, sessionEvaluations } from '../../core/repositories/evaluations.ts';
import { getSession } from '../../core/repositories/sessions.ts';
import type { ApiDeps } from '../deps.ts';
import { authOf } from '../http/request-context.ts';
import { pathId } from '../http/route-helpers.ts';
import { parse } from '../http/validation.ts';

const conflict = (code: string, message: string) => new PlatformError('conflict', code, message);

/** `/v1/sessions/{id}/evaluation`: a session's latest evaluation with its history, and re-runs. */
export function sessionEvaluationRoutes({ db, media }: ApiDeps): Router {
  const router = Router();

  router.get('/:id/evaluation', async (req, res) => {
    const { orgId } = authOf(req);
    const sessionId = pathId(req, 'session', 'session');
    const runs = await db.tenant(orgId, async (trx) => {
      if (!(await getSession(trx, orgId, sessionId))) throw notFound('session', sessionId);
      return sessionEvaluations(trx, orgId, sessionId);
    });
    const [latest, ...history] = runs;
    if (!latest) throw new PlatformError('not_found', 'evaluation_not_found', `Session "${sessionId}" has no evaluation.`, 'id');
    res.json({ ...toPublicEvaluation(latest), history: history.slice(0, HISTORY_LIMIT).map(toPublicEvaluation) });
  });

  router.post('/:id/evaluation', async (req, res) => {
    const { orgId } = authOf(req);
    const sessionId = pathId(req, 'session', 'session');
    const evaluation = await db.tenant(orgId, async (trx) => {
      const session = await getSession(trx, orgId, sessionId);
      if (!session) throw notFound('session', sessionId);
      if (session.status !== 'ended' && session.status !== 'failed') throw conflict('session_not_ended', `Session "${sessionId}" has not ended yet.`);
      const [latest] = await sessionEvaluations(trx, orgId, sessionId);
      if (latest && (latest.status === 'pending' || latest.status === 'running')) {
        throw conflict('evaluation_in_progress', `An evaluation of session "${sessionId}" is still running (${latest.id}).`);
      }
      const assistant = await getAssistant(trx, orgId, session.assistant_id);
      if (!assistant) throw conflict('assistant_deleted', `The session's assistant "${session.assistant_id}" was deleted; there are no current settings to evaluate with.`);
      const { analysis } = assistantConfigOf(assistant);
      if (!hasAnalysis(analysis)) throw conflict('analysis_not_configured', `Assistant "${assistant.id}" has no analysis settings (summary, structured_data or scorecard).`);
      return insertPendingEvaluation(trx, { orgId, sessionId, assistantId: assistant.id, analysis });
    });
    // Without a queue here, the workers' evaluation sweep picks the run up.
    if (media?.queue) await enqueueEvaluation(media.queue, { orgId, evaluationId: evaluation.id });
    res.status(202).json(toPublicEvaluation(evaluation));
  });

  return router;
}

const MAX_BUCKETS = 366;
const BUCKET_MS: Record<StatsBucket, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };
const DEFAULT_WINDOW_MS = 30 * 86_400_000;

const statsQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  bucket: z.enum(['hour', 'day', 'week']).default('day'),
});

/** `/v1/assistants/{id}/evaluation-stats`: pass rates and mean scores over time. */
export function assistantEvaluationRoutes({ db }: ApiDeps): Router {
  const router = Router();

  router.get('/:id/evaluation-stats', async (req, res) => {
    const { orgId } = authOf(req);
    const assistantId = pathId(req, 'assistant', 'assistant');
    const query = parse(statsQuery, req.query, 'query');
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_WINDOW_MS);
    if (from >= to) throw invalid('invalid_query', 'from: must be before to.', 'from');
    if ((to.getTime() - from.getTime()) / BUCKET_MS[query.bucket] > MAX_BUCKETS) {
      throw invalid('invalid_query', `The window spans more than ${MAX_BUCKETS} ${query.bucket} buckets; narrow it or use a larger bucket.`, 'bucket');
    }
    const buckets = await db.tenant(orgId, async (trx) => {
      if (!(await getAssistant(trx, orgId, assistantId))) throw notFound('assistant', assistantId);
      return evaluationStats(trx, { orgId, assistantId, from, to, bucket: query.bucket });
    });
    res.json({ object: 'evaluation_stats', assistant_id: assistantId, from: from.toISOString(), to: to.toISOString(), bucket: query.bucket, buckets });
  });

  return router;
}
