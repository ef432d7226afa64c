import { api, unwrap, type Schemas } from '../../api/client';
import { listAll } from '../../api/list-all';

export type TestSuite = Schemas['TestSuite'];
export type Scenario = Schemas['Scenario'];
export type ScenarioInput = Schemas['ScenarioInput'];
export type ScenarioInputMode = Scenario['input'];
export type TestRun = Schemas['TestRun'];
export type ScenarioResult = Schemas['ScenarioResult'];

const path = (id: string) => ({ params: { path: { id } } });

/** The calls of the test-suite pages, typed from the contract. */
export const testSuitesApi = {
  listSuites: () =>
    listAll((starting_after) => unwrap(api.GET('/v1/test-suites', { params: { query: { limit: 100, ...(starting_after ? { starting_after } : {}) } } }))),
  getSuite: (id: string) => unwrap(api.GET('/v1/test-suites/{id}', path(id))),
  createSuite: (body: Schemas['CreateTestSuiteRequest']) => unwrap(api.POST('/v1/test-suites', { body })),
  updateSuite: (id: string, body: Schemas['UpdateTestSuiteRequest']) => unwrap(api.PATCH('/v1/test-suites/{id}', { ...path(id), body })),
  deleteSuite: (id: string) => unwrap(api.DELETE('/v1/test-suites/{id}', path(id))),
  scenarioFromSession: (suiteId: string, body: Schemas['ScenarioFromSessionRequest']) =>
    unwrap(api.POST('/v1/test-suites/{id}/scenarios/from-session', { ...path(suiteId), body })),
  startRun: (suiteId: string, body: Schemas['CreateTestRunRequest']) => unwrap(api.POST('/v1/test-suites/{id}/runs', { ...path(suiteId), body })),
  getRun: (id: string) => unwrap(api.GET('/v1/test-runs/{id}', path(id))),
  /** The newest runs first, of one suite or one assistant. */
  listRuns: (filter: { suite_id: string } | { assistant_id: string }) => unwrap(api.GET('/v1/test-runs', { params: { query: { ...filter, limit: 20 } } })),
};
