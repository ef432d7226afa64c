import { compileWithinBudget, type BudgetedRegexResult } from './pattern-budget.ts';

/**
 * The cost all of a script's rule patterns may have together, in regex instructions (core/tenant-regex/pattern-cost.ts).
 * A turn tries the rules in order, so this bounds the matching work one user message can cause (about instructions ×
 * characters matched), and the compiling work of saving or starting a script: about 0.3 s at this limit, done in
 * slices between other work. 200 ordinary rules of some 60 characters cost about 13,000.
 * @internal exported for its tests
 */
export const MAX_SCRIPT_COST = 30_000;

/**
 * Compiles a script's rule patterns in order against the script's budget, one result per pattern. Once the budget is
 * spent the rest are refused without being compiled. A generator, so a caller on the event loop can yield between rules.
 */
export function compileScriptPatterns(patterns: Iterable<string>): Generator<BudgetedRegexResult> {
  return compileWithinBudget(
    patterns,
    MAX_SCRIPT_COST,
    `makes the script's patterns cost more than ${MAX_SCRIPT_COST.toLocaleString('en-US')} regex instructions in all (use fewer or simpler rules)`,
  );
}
