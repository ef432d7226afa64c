/**
 * What a request may carry into PostgreSQL. `text` and `jsonb` refuse U+0000, `jsonb` refuses the `\uD800`-style
 * escape of an unpaired UTF-16 surrogate (and `text` would silently store U+FFFD in its place), and a deeply nested
 * value overflows recursive code on its way there (JSON.stringify, PostgreSQL's own parser). Such input is a 400 at
 * the edge instead of a database error deep in a transaction.
 */

/**
 * Deeper than any body the contract describes (a tool's JSON Schema is the deepest); far below any stack limit.
 * @internal exported for its tests
 */
export const MAX_JSON_DEPTH = 64;

const UNSTORABLE_CHARACTER = /[\u0000\p{Cs}]/u;

export interface UnstorableInput {
  /** Where it is, e.g. `['tools', 0, 'name']`; a refused object key is named by the key itself. */
  path: (string | number)[];
  problem: string;
}

export function hasUnstorableCharacter(text: string): boolean {
  return UNSTORABLE_CHARACTER.test(text);
}

export const UNSTORABLE_CHARACTER_PROBLEM = 'must not contain NUL (U+0000) or unpaired UTF-16 surrogates';

/** The first string (value or object key) PostgreSQL would refuse, or the first value nested too deeply. */
export function findUnstorableInput(value: unknown): UnstorableInput | undefined {
  // Iterative: the value comes from JSON.parse, which accepts nesting deep enough to overflow a recursive walk.
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      if (hasUnstorableCharacter(current)) return { path, problem: UNSTORABLE_CHARACTER_PROBLEM };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH) return { path, problem: `must not nest objects and arrays more than ${MAX_JSON_DEPTH} deep` };
    const entries: [string | number, unknown][] = Array.isArray(current) ? current.map((item, index) => [index, item]) : Object.entries(current);
    const badKey = entries.find(([key]) => typeof key === 'string' && hasUnstorableCharacter(key));
    if (badKey) return { path: [...path, badKey[0]], problem: UNSTORABLE_CHARACTER_PROBLEM };
    // Reversed onto the stack so the first offence in document order is the one reported.
    for (const [key, item] of entries.reverse()) pending.push({ value: item, path: [...path, key] });
  }
  return undefined;
}
