import type { Schemas } from '../../api/client';
import { numberOr, orNull } from '../assistants/assistant-form';
import { criterionRequest, toCriterionForm, type CriterionFormValues } from '../evaluations/analysis-form';
import type { Scenario, ScenarioInput, ScenarioInputMode, TestSuite } from './test-suites-api';

/**
 * A suite as form values, shaped like the API's body so an error's `param` (`scenarios.1.caller.goal`,
 * `scenarios.0.criteria.2.pattern`) names its input. A scripted caller's lines are one per line of a text box.
 */
export interface SuiteFormValues {
  name: string;
  description: string;
  scenarios: ScenarioFormValues[];
}

export interface ScenarioFormValues {
  /**
   * The scenario's id; empty for one not saved yet. Sent back so the API keeps it (and its runs' references). Not
   * named `id`, which the form library uses for its own row keys.
   */
  saved_id: string;
  name: string;
  input: ScenarioInputMode;
  timeout_s: string;
  caller: { kind: 'turns' | 'persona'; turns: string; persona: string; goal: string; max_turns: string };
  criteria: CriterionFormValues[];
  source_session_id: string | null;
}

const DEFAULT_TIMEOUT_S = 120;
const DEFAULT_MAX_TURNS = 10;

export function newScenario(kind: ScenarioFormValues['caller']['kind']): ScenarioFormValues {
  return {
    saved_id: '',
    name: '',
    input: 'text',
    timeout_s: String(DEFAULT_TIMEOUT_S),
    caller: { kind, turns: '', persona: '', goal: '', max_turns: String(DEFAULT_MAX_TURNS) },
    criteria: [],
    source_session_id: null,
  };
}

function toScenarioForm(scenario: Scenario): ScenarioFormValues {
  const form = newScenario('turns' in scenario.caller ? 'turns' : 'persona');
  if ('turns' in scenario.caller) form.caller.turns = scenario.caller.turns.join('\n');
  else Object.assign(form.caller, { persona: scenario.caller.persona, goal: scenario.caller.goal, max_turns: String(scenario.caller.max_turns) });
  return {
    ...form,
    saved_id: scenario.id,
    name: scenario.name,
    input: scenario.input,
    timeout_s: String(scenario.timeout_s),
    criteria: scenario.criteria.map(toCriterionForm),
    source_session_id: scenario.source_session_id,
  };
}

export function toSuiteForm(suite: TestSuite): SuiteFormValues {
  return { name: suite.name, description: suite.description ?? '', scenarios: suite.scenarios.map(toScenarioForm) };
}

function scenarioRequest(form: ScenarioFormValues): ScenarioInput {
  const caller: ScenarioInput['caller'] =
    form.caller.kind === 'turns'
      ? { turns: form.caller.turns.split('\n').map((line) => line.trim()).filter(Boolean) }
      : { persona: form.caller.persona.trim(), goal: form.caller.goal.trim(), max_turns: numberOr(form.caller.max_turns, DEFAULT_MAX_TURNS) };
  return {
    ...(form.saved_id ? { id: form.saved_id } : {}),
    name: form.name.trim(),
    input: form.input,
    timeout_s: numberOr(form.timeout_s, DEFAULT_TIMEOUT_S),
    caller,
    criteria: form.criteria.map(criterionRequest),
  };
}

export function toSuiteRequest(form: SuiteFormValues): Schemas['UpdateTestSuiteRequest'] {
  return { name: form.name.trim(), description: orNull(form.description), scenarios: form.scenarios.map(scenarioRequest) };
}
