import { InvalidFieldsError } from '../errors.ts';
import type { CriterionConfig } from '../evaluations/analysis-config.ts';
import { compileWithinBudget } from '../tenant-regex/pattern-budget.ts';
import { TimeSlice } from '../time-slice.ts';

/**
 * The cost all the `regex` match criteria of a suite (or of a run's scenarios) may have together, in regex
 * instructions (core/tenant-regex/pattern-cost.ts), on top of each pattern's own limit. It bounds the compiling one
 * request can cause — 100 scenarios of 50 criteria at the per-pattern limit would be five million instructions,
 * about a minute of compiling on the event loop — to about 0.1 s. 100 scenarios with three ordinary patterns of some
 * 30 characters each cost about 7,000.
 */
const MAX_SUITE_PATTERN_COST = 10_000;

const OVER_BUDGET =
  `makes the suite's regex patterns cost more than ${MAX_SUITE_PATTERN_COST.toLocaleString('en-US')} regex instructions in all ` +
  '(use fewer or simpler regex criteria, or contains criteria)';

/** Where a pattern sits among the scenarios: `N.criteria.M.pattern`, under `scenarios`. */
type PatternPath = [number, 'criteria', number, 'pattern'];

export interface PatternProblem {
  path: PatternPath;
  reason: string;
}

/**
 * Compiles the scenarios' regex patterns, in order, within the suite's budget: a problem for each pattern that cannot
 * run, and for the one that spent the budget (those after it are not compiled, nor reported). Pauses for other
 * requests as it goes.
 */
export async function suitePatternProblems(scenarios: ReadonlyArray<{ criteria: CriterionConfig[] }>): Promise<PatternProblem[]> {
  const located = scenarios.flatMap((scenario, index) =>
    scenario.criteria.flatMap((criterion, criterionIndex) =>
      criterion.kind === 'match' && criterion.mode === 'regex' ? [{ path: [index, 'criteria', criterionIndex, 'pattern'] as PatternPath, pattern: criterion.pattern }] : [],
    ),
  );
  const problems: PatternProblem[] = [];
  const slice = new TimeSlice();
  let index = 0;
  for (const result of compileWithinBudget(
    located.map((entry) => entry.pattern),
    MAX_SUITE_PATTERN_COST,
    OVER_BUDGET,
  )) {
    const { path } = located[index++]!;
    if (!result.ok) problems.push({ path, reason: result.reason });
    if ('overBudget' in result) break;
    await slice.pause();
  }
  return problems;
}

/**
 * Refuses scenarios that were saved before the budget applied, or that a change outside the suite's own validation
 * put over it (a scenario made from a session): a 400 naming each pattern under `scenarios.`.
 */
export async function assertSuitePatterns(scenarios: ReadonlyArray<{ criteria: CriterionConfig[] }>, suiteId: string): Promise<void> {
  const problems = await suitePatternProblems(scenarios);
  if (problems.length === 0) return;
  const [first, ...rest] = problems.map(({ path, reason }) => {
    const param = `scenarios.${path.join('.')}`;
    return { code: 'invalid_field', message: `Test suite "${suiteId}" ${param}: ${reason}`, param };
  });
  throw new InvalidFieldsError([first!, ...rest]);
}
