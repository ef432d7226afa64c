import { Router } from 'express';
import { z } from 'zod';
import { isId } from '../../core/ids.ts';
import { notFound, PlatformError } from '../../core/errors.ts';
import { getSession } from '../../core/repositories/sessions.ts';
import {
  deleteTestSuite,
  getTestSuite,
  insertTestSuite,
  listTestSuites,
  lockTestSuite,
  updateTestSuite,
  type TestSuiteRow,
} from '../../core/repositories/test-suites.ts';
import { deleteCallerClips, deleteSuiteClips } from '../../core/test-suites/caller-clips.ts';
import { assertClipsOwned, droppedClips } from '../../core/test-suites/clip-ownership.ts';
import { clipsOf, MAX_SCENARIOS, scenarioList, withScenarioIds } from '../../core/test-suites/scenario-config.ts';
import { replayOfSession, withRecordedClips } from '../../core/test-suites/scenario-from-session.ts';
import { assertSuitePatterns } from '../../core/test-suites/suite-patterns.ts';
import type { ApiDeps } from '../deps.ts';
import { toPublicScenario, toPublicTestSuite } from '../presenters/test-suite.ts';
import { paginationQuery } from '../http/pagination.ts';
import { authOf } from '../http/request-context.ts';
import { pathId } from '../http/route-helpers.ts';
import { serveTenantList, serveTenantObject } from '../http/tenant-object.ts';
import { parseBody, parseBodyAsync } from '../http/validation.ts';

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable(),
};

export const createTestSuiteBody = z.strictObject({
  name: fields.name,
  description: fields.description.default(null),
  scenarios: scenarioList.default([]),
});

export const updateTestSuiteBody = z.strictObject({
  name: fields.name.optional(),
  description: fields.description.optional(),
  scenarios: scenarioList.optional(),
});

export const scenarioFromSessionBody = z.strictObject({
  session_id: z.string().refine((id) => isId('session', id), 'must be a session id'),
  input: z.enum(['text', 'speech']).default('text'),
  name: fields.name.optional(),
});

function assertRoomForScenario(suite: TestSuiteRow): void {
  if (suite.scenarios.length >= MAX_SCENARIOS) {
    throw new PlatformError('conflict', 'too_many_scenarios', `Test suite "${suite.id}" already has ${MAX_SCENARIOS} scenarios, the most a suite holds.`);
  }
}

/** `/v1/test-suites`: suites of scenarios that simulated callers play against an assistant (docs/test-suites.md). */
export function testSuiteRoutes({ db, media }: ApiDeps): Router {
  const router = Router();
  const storage = media?.storage;

  router.post('/', async (req, res) => {
    const { orgId } = authOf(req);
    const body = await parseBodyAsync(createTestSuiteBody, req);
    assertClipsOwned([], body.scenarios);
    const row = await db.tenant(orgId, (trx) =>
      insertTestSuite(trx, { orgId, name: body.name, description: body.description, scenarios: withScenarioIds(body.scenarios) }),
    );
    res.status(201).json(toPublicTestSuite(row));
  });

  router.get('/', serveTenantList(db, paginationQuery('testSuite'), listTestSuites, toPublicTestSuite));

  router.get('/:id', serveTenantObject(db, { kind: 'testSuite', resource: 'test suite' }, getTestSuite, toPublicTestSuite));

  router.patch('/:id', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'testSuite', 'test suite');
    const body = await parseBodyAsync(updateTestSuiteBody, req);
    let dropped: string[] = [];
    const row = await db.tenant(orgId, async (trx) => {
      const stored = await lockTestSuite(trx, orgId, id);
      if (!stored) throw notFound('test suite', id);
      const scenarios = body.scenarios === undefined ? undefined : withScenarioIds(body.scenarios);
      if (scenarios) {
        assertClipsOwned(stored.scenarios, scenarios);
        dropped = droppedClips(stored.scenarios, scenarios);
      }
      return updateTestSuite(trx, orgId, id, { name: body.name, description: body.description, scenarios });
    });
    if (!row) throw notFound('test suite', id);
    // After the commit: a failed update keeps the clips its scenarios still name.
    if (storage) await deleteCallerClips(storage, { orgId, suiteId: id }, dropped);
    res.json(toPublicTestSuite(row));
  });

  router.delete('/:id', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'testSuite', 'test suite');
    if (!(await db.tenant(orgId, (trx) => deleteTestSuite(trx, orgId, id)))) throw notFound('test suite', id);
    if (storage) await deleteSuiteClips(storage, { orgId, suiteId: id });
    res.status(204).end();
  });

  router.post('/:id/scenarios/from-session', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'testSuite', 'test suite');
    const body = parseBody(scenarioFromSessionBody, req);
    // Read, then copy the recorded clips with no transaction open, then append under the suite's lock.
    const replay = await db.tenant(orgId, async (trx) => {
      const suite = await getTestSuite(trx, orgId, id);
      if (!suite) throw notFound('test suite', id);
      const session = await getSession(trx, orgId, body.session_id);
      if (!session) throw notFound('session', body.session_id, 'session_id');
      assertRoomForScenario(suite);
      return replayOfSession(trx, session, { input: body.input, name: body.name });
    });
    const scenario = storage ? await withRecordedClips(storage, { orgId, suiteId: id }, replay) : replay.scenario;
    await db
      .tenant(orgId, async (trx) => {
        const suite = await lockTestSuite(trx, orgId, id);
        if (!suite) throw notFound('test suite', id);
        assertRoomForScenario(suite);
        await assertSuitePatterns([...suite.scenarios, scenario], id);
        await updateTestSuite(trx, orgId, id, { scenarios: [...suite.scenarios, scenario] });
      })
      .catch(async (error: unknown) => {
        // Nothing names the clips of a scenario that was not saved.
        if (storage) await deleteCallerClips(storage, { orgId, suiteId: id }, clipsOf(scenario));
        throw error;
      });
    res.status(201).json(toPublicScenario(scenario));
  });

  return router;
}
