import { ApiError } from '../../api/api-error';
import { type Schemas } from '../../api/client';
import { listAll } from '../../api/list-all';
import { readKey, signOut } from '../../auth/key-store';

export type ScriptedCaller = { turns: string[] };
export type PersonaCaller = { persona: string; goal: string; max_turns: number };
export type ScenarioInputMode = 'text' | 'speech';

export interface Scenario {
  id: string;
  name: string;
  caller: ScriptedCaller | PersonaCaller;
  input: ScenarioInputMode;
  criteria: Schemas['Criterion'][];
  timeout_s: number;
  source_session_id: string | null;
}

export interface ScenarioInput {
  id?: string;
  name: string;
  caller: ScriptedCaller | PersonaCaller;
  input: ScenarioInputMode;
  criteria: Schemas['CriterionInput'][];
  timeout_s?: number;
}

export interface TestSuite {
  id: string;
  object: 'test_suite';
  name: string;
  description: string | null;
  scenarios: Scenario[];
  created_at: string;
  updated_at: string;
}

export type TestSuiteRequest = { name: string; description?: string | null; scenarios?: ScenarioInput[] };

export type TestRunStatus = 'queued' | 'running' | 'completed' | 'failed';
export type ScenarioResultStatus = 'pending' | 'running' | 'passed' | 'failed' | 'error';

export interface ScenarioResult {
  scenario_id: string;
  scenario_name: string;
  status: ScenarioResultStatus;
  session_id: string | null;
  scores: Schemas['CriterionScore'][];
  error: string | null;
  duration_ms: number | null;
}

export interface TestRun {
  id: string;
  object: 'test_run';
  suite_id: string;
  assistant_id: string;
  assistant_patch: Schemas['UpdateAssistantRequest'] | null;
  status: TestRunStatus;
  results: ScenarioResult[];
  summary: { total: number; passed: number; failed: number; errored: number; duration_ms: number | null };
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

interface List<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor?: string | null;
}

/** One call to the public API with the signed-in key; an ApiError for any error answer. */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${readKey() ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && readKey()) signOut();
  const payload: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) throw ApiError.from(response.status, payload);
  return payload as T;
}

const query = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(params).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]]))).toString();

export const testSuitesApi = {
  listSuites: () => listAll((starting_after) => call<List<TestSuite>>('GET', `/v1/test-suites?${query({ limit: 100, starting_after })}`)),
  getSuite: (id: string) => call<TestSuite>('GET', `/v1/test-suites/${encodeURIComponent(id)}`),
  createSuite: (body: TestSuiteRequest) => call<TestSuite>('POST', '/v1/test-suites', body),
  updateSuite: (id: string, body: Partial<TestSuiteRequest>) => call<TestSuite>('PATCH', `/v1/test-suites/${encodeURIComponent(id)}`, body),
  deleteSuite: (id: string) => call<void>('DELETE', `/v1/test-suites/${encodeURIComponent(id)}`),
  scenarioFromSession: (suiteId: string, body: { session_id: string; input?: ScenarioInputMode; name?: string }) =>
    call<Scenario>('POST', `/v1/test-suites/${encodeURIComponent(suiteId)}/scenarios/from-session`, body),
  startRun: (suiteId: string, body: { assistant_id: string; assistant_patch?: Schemas['UpdateAssistantRequest'] }) =>
    call<TestRun>('POST', `/v1/test-suites/${encodeURIComponent(suiteId)}/runs`, body),
  getRun: (id: string) => call<TestRun>('GET', `/v1/test-runs/${encodeURIComponent(id)}`),
  /** The newest runs first, of one suite or one assistant. */
  listRuns: (filter: { suite_id?: string; assistant_id?: string }) => call<List<TestRun>>('GET', `/v1/test-runs?${query({ ...filter, limit: 20 })}`),
};
