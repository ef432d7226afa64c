import { InvalidFieldsError, type FieldProblem } from '../errors.ts';
import { clipsOf, isScripted, type Scenario, type ScenarioInput } from './scenario-config.ts';

/**
 * Recorded clips are made only from sessions (`scenarios/from-session`) and belong to the scenario they were made
 * for: a new list of scenarios may keep a clip where its scenario (same id) had it, or drop it (null), but never name a
 * clip its scenario does not own — another scenario's, another suite's, or one that does not exist. Each such entry is
 * a 400 naming it.
 */
export function assertClipsOwned(stored: Scenario[], next: ScenarioInput[]): void {
  const owned = new Map(stored.map((scenario) => [scenario.id, new Set(clipsOf(scenario))]));
  const problems: FieldProblem[] = next.flatMap((scenario, index) => {
    if (!isScripted(scenario.caller)) return [];
    const mine = (scenario.id && owned.get(scenario.id)) || new Set<string>();
    return (scenario.caller.turn_audio ?? []).flatMap((clip, line) => {
      if (clip === null || mine.has(clip)) return [];
      const param = `scenarios.${index}.caller.turn_audio.${line}`;
      return [{ code: 'invalid_field', message: `${param}: "${clip}" is not a recorded clip of this scenario; clips come from scenarios/from-session (keep the ones a scenario has, or use null).`, param }];
    });
  });
  const [first, ...rest] = problems;
  if (first) throw new InvalidFieldsError([first, ...rest]);
}

/** The clips the stored scenarios have and the new list no longer names: delete them once the list is saved. */
export function droppedClips(stored: Scenario[], kept: Scenario[]): string[] {
  const still = new Set(kept.flatMap(clipsOf));
  return stored.flatMap(clipsOf).filter((clip) => !still.has(clip));
}
