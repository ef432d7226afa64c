import type { TestSuiteRow } from '../../core/repositories/test-suites.ts';
import type { Scenario } from '../../core/test-suites/scenario-config.ts';

export function toPublicScenario(scenario: Scenario) {
  return {
    id: scenario.id,
    name: scenario.name,
    caller: scenario.caller,
    input: scenario.input,
    criteria: scenario.criteria,
    timeout_s: scenario.timeout_s,
    source_session_id: scenario.source_session_id,
  };
}

export function toPublicTestSuite(row: TestSuiteRow) {
  return {
    id: row.id,
    object: 'test_suite' as const,
    name: row.name,
    description: row.description,
    scenarios: row.scenarios.map(toPublicScenario),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
