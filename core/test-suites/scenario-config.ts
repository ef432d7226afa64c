import { z } from 'zod';
import { criterionWithUncompiledPattern } from '../evaluations/analysis-config.ts';
import { isId, newId } from '../ids.ts';
import { suitePatternProblems } from './suite-patterns.ts';

/**
 * A test suite's scenarios (see docs/test-suites.md): who calls (a scripted caller saying its lines in order, or a
 * persona a model plays until its goal is met), how it speaks (typed text, or synthesised speech streamed through the
 * transcriber), and the scorecard criteria — exactly the evaluation ones — that decide whether the call passed.
 */

export const MAX_SCENARIOS = 100;
export const MAX_SCRIPTED_TURNS = 50;
const MAX_PERSONA_TURNS = 30;
const DEFAULT_PERSONA_TURNS = 10;
export const DEFAULT_TIMEOUT_S = 120;
const MAX_TIMEOUT_S = 1800;

/** The longest line a scripted caller says. */
export const MAX_LINE_CHARS = 2000;

const line = z.string().trim().min(1).max(MAX_LINE_CHARS);
const clipId = z.string().refine((id) => isId('callerClip', id), 'must be a caller clip id (clip_…)').nullable();

/** Either form of caller, checked as one object so every problem is named by its field. */
const callerInput = z
  .strictObject({
    turns: z.array(line).min(1).max(MAX_SCRIPTED_TURNS).optional(),
    /** Per line, the recorded clip a speech scenario plays instead of synthesising the line (see caller-clips.ts). */
    turn_audio: z.array(clipId).max(MAX_SCRIPTED_TURNS).optional(),
    persona: z.string().trim().min(1).max(4000).optional(),
    goal: z.string().trim().min(1).max(2000).optional(),
    max_turns: z.number().int().min(1).max(MAX_PERSONA_TURNS).optional(),
  })
  .superRefine((caller, ctx) => {
    const scripted = caller.turns !== undefined;
    const persona = caller.persona !== undefined || caller.goal !== undefined || caller.max_turns !== undefined;
    if (scripted && persona) return void ctx.addIssue({ code: 'custom', message: 'must have either turns (a scripted caller) or persona and goal, not both' });
    if (caller.turn_audio !== undefined && caller.turn_audio.length !== caller.turns?.length) {
      return void ctx.addIssue({ code: 'custom', path: ['turn_audio'], message: 'must have one entry (a clip id or null) per line of turns' });
    }
    if (scripted) return;
    if (caller.persona === undefined) ctx.addIssue({ code: 'custom', path: ['persona'], message: 'is required (or give turns for a scripted caller)' });
    if (caller.goal === undefined) ctx.addIssue({ code: 'custom', path: ['goal'], message: 'is required with a persona' });
  })
  .transform((caller): CallerConfig =>
    caller.turns !== undefined
      ? { turns: caller.turns, ...(caller.turn_audio ? { turn_audio: caller.turn_audio } : {}) }
      : { persona: caller.persona!, goal: caller.goal!, max_turns: caller.max_turns ?? DEFAULT_PERSONA_TURNS },
  );

/** `turn_audio`, when present, has an entry per line: the id of its recorded clip, or null to synthesise the line. */
export type ScriptedCaller = { turns: string[]; turn_audio?: Array<string | null> };
export type PersonaCaller = { persona: string; goal: string; max_turns: number };
export type CallerConfig = ScriptedCaller | PersonaCaller;

const scenarioInput = z.strictObject({
  /** Kept when given (a PATCH that replaces the list keeps the scenarios it names); new scenarios get one. */
  id: z.string().refine((id) => isId('scenario', id), 'must be a scenario id').optional(),
  name: z.string().trim().min(1).max(200),
  caller: callerInput,
  input: z.enum(['text', 'speech']).default('text'),
  /** Their regex patterns are compiled with the rest of the suite's, within its budget (`scenarioList`). */
  criteria: z
    .array(criterionWithUncompiledPattern)
    .max(50)
    .refine((criteria) => new Set(criteria.map((criterion) => criterion.name)).size === criteria.length, 'criterion names must be unique')
    .default([]),
  timeout_s: z.number().int().min(5).max(MAX_TIMEOUT_S).default(DEFAULT_TIMEOUT_S),
  source_session_id: z.string().refine((id) => isId('session', id), 'must be a session id').nullable().default(null),
});

export const scenarioList = z
  .array(scenarioInput)
  .max(MAX_SCENARIOS)
  .refine((scenarios) => {
    const ids = scenarios.flatMap((scenario) => (scenario.id ? [scenario.id] : []));
    return new Set(ids).size === ids.length;
  }, 'must not repeat a scenario id')
  .superRefine(async (scenarios, ctx) => {
    for (const problem of await suitePatternProblems(scenarios)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.reason });
  });

export type ScenarioInput = z.output<typeof scenarioInput>;
export type Scenario = Omit<ScenarioInput, 'id'> & { id: string };

/** The stored scenarios: each keeps the id it was given, new ones get one. */
export function withScenarioIds(scenarios: ScenarioInput[]): Scenario[] {
  return scenarios.map((scenario) => ({ ...scenario, id: scenario.id ?? newId('scenario') }));
}

export function isScripted(caller: CallerConfig): caller is ScriptedCaller {
  return 'turns' in caller;
}

/** The recorded clips a scenario's lines play. */
export function clipsOf(scenario: Pick<Scenario, 'caller'>): string[] {
  return isScripted(scenario.caller) ? (scenario.caller.turn_audio ?? []).filter((clip): clip is string => clip !== null) : [];
}
