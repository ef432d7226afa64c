import { Router } from 'express';
import { z } from 'zod';
import { isId } from '../../core/ids.ts';
import { notFound, PlatformError } from '../../core/errors.ts';
import { getAssistant } from '../../core/repositories/assistants.ts';
import { toPublicTestRun } from '../../contract/test-run.ts';
import { countUnfinishedTestRunsLocked, getTestRun, insertTestRun, listTestRuns } from '../../core/repositories/test-runs.ts';
import { getTestSuite } from '../../core/repositories/test-suites.ts';
import { assertSuitePatterns } from '../../core/test-suites/suite-patterns.ts';
import { enqueueTestRun } from '../../core/test-suites/test-run-jobs.ts';
import type { ApiDeps } from '../deps.ts';
import { paginationQuery } from '../http/pagination.ts';
import { authOf } from '../http/request-context.ts';
import { pathId } from '../http/route-helpers.ts';
import { serveTenantList, serveTenantObject } from '../http/tenant-object.ts';
import { parseBody } from '../http/validation.ts';
import { checkAssistantPatch } from './assistant-patch.ts';
import { assistantUrlChecks } from './assistant-urls.ts';

const DEFAULT_RUN_CONCURRENCY = 2;

const assistantId = z.string().refine((id) => isId('assistant', id), 'must be an assistant id');

export const createTestRunBody = z.strictObject({
  assistant_id: assistantId,
  /** Checked in full once the assistant is known, as `PATCH /v1/assistants/{id}` checks it. */
  assistant_patch: z.record(z.string(), z.unknown()).nullable().default(null),
  concurrency: z.number().int().min(1).max(8).default(DEFAULT_RUN_CONCURRENCY),
});

const listTestRunsQuery = paginationQuery('testRun').extend({
  suite_id: z.string().refine((id) => isId('testSuite', id), 'must be a test suite id').optional(),
  assistant_id: assistantId.optional(),
});

/** `POST /v1/test-suites/{id}/runs`: a run of the suite's scenarios against an assistant, or an unsaved variant of it. */
export function suiteRunRoutes({ db, config, media }: ApiDeps): Router {
  const router = Router();
  const urlChecks = assistantUrlChecks(config);

  router.post('/:id/runs', async (req, res) => {
    const { orgId } = authOf(req);
    const suiteId = pathId(req, 'testSuite', 'test suite');
    const body = parseBody(createTestRunBody, req);
    const run = await db.tenant(orgId, async (trx) => {
      const suite = await getTestSuite(trx, orgId, suiteId);
      if (!suite) throw notFound('test suite', suiteId);
      const assistant = await getAssistant(trx, orgId, body.assistant_id);
      if (!assistant) throw notFound('assistant', body.assistant_id, 'assistant_id');
      if (suite.scenarios.length === 0) throw new PlatformError('conflict', 'test_suite_empty', `Test suite "${suiteId}" has no scenarios to run.`);
      await assertSuitePatterns(suite.scenarios, suiteId);
      if (body.assistant_patch) await checkAssistantPatch(trx, { orgId, assistant, patch: body.assistant_patch, param: 'assistant_patch', urlChecks });
      const unfinished = await countUnfinishedTestRunsLocked(trx, orgId);
      if (unfinished >= config.maxUnfinishedTestRuns) {
        throw new PlatformError(
          'conflict',
          'test_run_limit_reached',
          `The organization already has ${unfinished} test runs queued or running, the most it may have at once; start this one when one of them has finished.`,
        );
      }
      return insertTestRun(trx, {
        orgId,
        suiteId,
        assistantId: assistant.id,
        assistantPatch: body.assistant_patch,
        scenarios: suite.scenarios,
        concurrency: body.concurrency,
      });
    });
    // Without a queue here, the workers' test-run sweep picks the run up.
    if (media?.queue) await enqueueTestRun(media.queue, { orgId, testRunId: run.id });
    res.status(202).json(toPublicTestRun(run));
  });

  return router;
}

/** `/v1/test-runs`: run reports, newest first. */
export function testRunRoutes({ db }: ApiDeps): Router {
  const router = Router();

  router.get(
    '/',
    serveTenantList(db, listTestRunsQuery, (trx, orgId, query) => listTestRuns(trx, orgId, { suiteId: query.suite_id, assistantId: query.assistant_id }, query), toPublicTestRun),
  );

  router.get('/:id', serveTenantObject(db, { kind: 'testRun', resource: 'test run' }, getTestRun, toPublicTestRun));

  return router;
}
