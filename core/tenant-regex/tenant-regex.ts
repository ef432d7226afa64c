import { type AST, RegExpParser, visitRegExpAST } from '@eslint-community/regexpp';
import { RE2JS } from 're2js';
import { estimatedCost } from './pattern-cost.ts';

/**
 * Regular expressions written by tenants (scripted-model rules) run on the process's shared event loop, so they never
 * reach JavaScript's backtracking `RegExp`, where `(x+x+)+y` takes seconds on 27 characters and stalls every session.
 * They run on re2js, a pure-JavaScript port of RE2: matching time grows linearly with the text, whatever the pattern.
 * Chosen over the `re2` binding, which compiles C++ at install time (its prebuilt binaries are downloaded from outside
 * the npm registry), and `re2-wasm`, which has seen one release in years; re2js is released every few weeks and has no
 * dependencies.
 *
 * The syntax stays the JavaScript one tenants already write: a pattern is parsed as a JavaScript regular expression
 * (@eslint-community/regexpp, the parser ESLint uses) to refuse what RE2 cannot run — backreferences and lookaround —
 * with a reason a person can act on, then translated to RE2 syntax (`(?<name>…)`, `\uXXXX`, …) by re2js.
 *
 * Linear is not free: matching costs about (program size × text length), and compiling costs the program size plus
 * case-folding every character range. Both are bounded by a cost estimated from the parsed pattern before RE2 compiles
 * anything (./pattern-cost.ts), then checked against the real program size.
 */

/**
 * The cost one pattern may have, in regex instructions; a 500-character list of literal alternatives needs about 550.
 * @internal exported for its tests
 */
export const MAX_PATTERN_COST = 1000;

export type TenantRegexResult = { ok: true; regex: TenantRegex } | { ok: false; reason: string };

export interface TenantRegex {
  /** Whether the pattern matches anywhere in the text. Case-insensitive unless compiled with `caseSensitive`. */
  test(text: string): boolean;
  /** In regex instructions: RE2's program size, or the estimate when larger (what compiling it took, too). */
  readonly cost: number;
}

/**
 * Compiles a tenant's pattern (JavaScript syntax, case-insensitive), or says why it cannot run. Never throws.
 * `caseSensitive` keeps JavaScript's own default, for patterns inside a JSON Schema (`pattern`), which mean exactly that.
 */
export function compileTenantRegex(source: string, options: { caseSensitive?: boolean } = {}): TenantRegexResult {
  let pattern: AST.Pattern;
  try {
    pattern = new RegExpParser().parsePattern(source, 0, source.length, { unicode: false });
  } catch (error) {
    return { ok: false, reason: `is not a valid regular expression (${(error as Error).message})` };
  }
  const unsupported = unsupportedConstruct(pattern);
  if (unsupported) return { ok: false, reason: `uses ${unsupported}, which the linear-time regex engine does not support` };
  const estimate = estimatedCost(pattern);
  if (estimate > MAX_PATTERN_COST) return { ok: false, reason: TOO_COMPLEX };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(source), options.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    return { ok: false, reason: `cannot run on the linear-time regex engine (${(error as Error).message})` };
  }
  const cost = Math.max(estimate, compiled.programSize());
  if (cost > MAX_PATTERN_COST) return { ok: false, reason: TOO_COMPLEX };
  return { ok: true, regex: { test: (text) => testAndForget(compiled, text), cost } };
}

/**
 * Each match leaves no cached automaton states behind. RE2's lazy DFA keeps up to 8 MB of states per pattern, and
 * crafted messages fill that within a few turns even for a 20-instruction pattern: 200 rules in a long session would
 * otherwise hold over a gigabyte. Matching from a cold cache is the cost the limits above are set for.
 * (`RE2JS.reset()` only drops pooled NFA machines; the DFA is the engine's typed `lazyDFA`.)
 */
function testAndForget(compiled: RE2JS, text: string): boolean {
  try {
    return compiled.test(text);
  } finally {
    compiled.re2().lazyDFA?.clearCache();
  }
}

/** A literal, case-insensitive pattern on the same engine, optionally as a whole word (script keywords). */
export function literalTenantRegex(text: string, wholeWord = false): TenantRegex {
  const quoted = RE2JS.quote(text);
  const compiled = RE2JS.compile(wholeWord ? `\\b${quoted}\\b` : quoted, RE2JS.CASE_INSENSITIVE);
  return { test: (input) => testAndForget(compiled, input), cost: compiled.programSize() };
}

const TOO_COMPLEX =
  `is too complex: it would cost more than ${MAX_PATTERN_COST.toLocaleString('en-US')} regex instructions to compile and match ` +
  '(counted repetitions such as {1,100} multiply what they repeat; wide character ranges and \\p{…} classes weigh more)';

function unsupportedConstruct(pattern: AST.Pattern): string | undefined {
  let found: string | undefined;
  visitRegExpAST(pattern, {
    onBackreferenceEnter: (node) => {
      found ??= `a backreference (${node.raw})`;
    },
    onAssertionEnter: (node) => {
      if (node.kind === 'lookahead') found ??= `a lookahead (${node.raw.slice(0, 3)}…)`;
      if (node.kind === 'lookbehind') found ??= `a lookbehind (${node.raw.slice(0, 4)}…)`;
    },
  });
  return found;
}
