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
  /** The saved lines and the recorded clip each replays (none for a scenario without recorded audio). */
  recorded: RecordedLine[];
}

export interface RecordedLine {
  line: string;
  clip: string | null;
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
    recorded: [],
  };
}

function toScenarioForm(scenario: Scenario): ScenarioFormValues {
  const form = newScenario('turns' in scenario.caller ? 'turns' : 'persona');
  if ('turns' in scenario.caller) {
    const { turns, turn_audio } = scenario.caller;
    form.caller.turns = turns.join('\n');
    form.recorded = turn_audio ? turns.map((line, index) => ({ line, clip: turn_audio[index] ?? null })) : [];
  }
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

export function callerLines(turns: string): string[] {
  return turns.split('\n').map((line) => line.trim()).filter(Boolean);
}

/**
 * The recorded clip each line replays: a line keeps the clip of a saved line with the same words (the first not
 * already taken, so reordered lines keep theirs); an edited or new line has none and is synthesised. Sent back on
 * every save, because a clip a save leaves out is deleted.
 */
export function clipsForLines(lines: string[], recorded: RecordedLine[]): Array<string | null> {
  const unused = [...recorded];
  return lines.map((line) => {
    const index = unused.findIndex((saved) => saved.clip && saved.line === line);
    return index < 0 ? null : unused.splice(index, 1)[0]!.clip;
  });
}

function scenarioRequest(form: ScenarioFormValues): ScenarioInput {
  const turns = callerLines(form.caller.turns);
  const turnAudio = clipsForLines(turns, form.recorded);
  const caller: ScenarioInput['caller'] =
    form.caller.kind === 'turns'
      ? { turns, ...(turnAudio.some(Boolean) ? { turn_audio: turnAudio } : {}) }
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
