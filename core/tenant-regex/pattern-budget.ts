import { compileTenantRegex, type TenantRegexResult } from './tenant-regex.ts';

/** A pattern refused because the ones before it spent the budget they share (it was not compiled). */
export type BudgetedRegexResult = TenantRegexResult | { ok: false; reason: string; overBudget: true };

/**
 * Compiles patterns in order against one budget of regex instructions (core/tenant-regex/pattern-cost.ts) they share,
 * on top of each pattern's own limit, one result per pattern: a set of patterns a tenant saves together (a script's
 * rules, a test suite's match criteria) costs a bounded amount to compile and to match, however many there are. Once
 * the budget is spent the rest are refused with `overBudget` without being compiled. A generator, so a caller on the
 * event loop can yield between patterns.
 */
export function* compileWithinBudget(patterns: Iterable<string>, budget: number, overBudgetReason: string): Generator<BudgetedRegexResult> {
  let remaining = budget;
  for (const pattern of patterns) {
    const result = remaining > 0 ? compileTenantRegex(pattern) : undefined;
    if (result && (!result.ok || result.regex.cost <= remaining)) {
      if (result.ok) remaining -= result.regex.cost;
      yield result;
      continue;
    }
    remaining = 0;
    yield { ok: false, reason: overBudgetReason, overBudget: true };
  }
}
