import { type AST, RegExpParser, visitRegExpAST } from '@eslint-community/regexpp';
import { RE2JS } from 're2js';

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
 * Linear is not free: a match costs about (program size × text length), and compiling costs the program size. The
 * program size is estimated from the parsed pattern before compiling, because a 500-character pattern with nested
 * counted repetitions can expand to half a million instructions, which would take a quarter of a second to compile.
 */

/** Instructions one pattern may compile to; a 500-character list of literal alternatives needs about 550. */
export const MAX_PATTERN_PROGRAM_SIZE = 1000;

export type TenantRegexResult = { ok: true; regex: TenantRegex } | { ok: false; reason: string };

export interface TenantRegex {
  /** Whether the pattern matches anywhere in the text. Case-insensitive. */
  test(text: string): boolean;
  /** RE2's measure of the compiled program, which bounds the cost of each character matched. */
  readonly programSize: number;
}

/**
 * Compiles a tenant's pattern (JavaScript syntax, case-insensitive), or says why it cannot run. `maxProgramSize` lowers
 * the limit, for callers that share a budget between several patterns. Never throws.
 */
export function compileTenantRegex(source: string, maxProgramSize = MAX_PATTERN_PROGRAM_SIZE): TenantRegexResult {
  let pattern: AST.Pattern;
  try {
    pattern = new RegExpParser().parsePattern(source, 0, source.length, { unicode: false });
  } catch (error) {
    return { ok: false, reason: `is not a valid regular expression (${(error as Error).message})` };
  }
  const unsupported = unsupportedConstruct(pattern);
  if (unsupported) return { ok: false, reason: `uses ${unsupported}, which the linear-time regex engine does not support` };
  const estimate = estimatedProgramSize(pattern);
  if (estimate > maxProgramSize) return { ok: false, reason: tooLarge(maxProgramSize) };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(source), RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    return { ok: false, reason: `cannot run on the linear-time regex engine (${(error as Error).message})` };
  }
  const programSize = compiled.programSize();
  if (programSize > maxProgramSize) return { ok: false, reason: tooLarge(maxProgramSize) };
  return { ok: true, regex: { test: (text) => testAndForget(compiled, text), programSize } };
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

/** A literal, case-insensitive pattern on the same engine (for keywords, and patterns kept from before validation). */
export function literalTenantRegex(text: string, wholeWord = false): TenantRegex {
  const quoted = RE2JS.quote(text);
  const compiled = RE2JS.compile(wholeWord ? `\\b${quoted}\\b` : quoted, RE2JS.CASE_INSENSITIVE);
  return { test: (input) => testAndForget(compiled, input), programSize: compiled.programSize() };
}

function tooLarge(limit: number): string {
  return `is too complex: it would compile to more than ${limit.toLocaleString('en-US')} regex instructions (use fewer or smaller counted repetitions such as {1,100})`;
}

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

/**
 * An upper estimate of RE2's program size: one instruction per character, class or assertion, one per alternative,
 * and a counted repetition copies its element once per allowed repeat (that is what RE2 compiles it to).
 */
function estimatedProgramSize(node: AST.Node): number {
  switch (node.type) {
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup':
    case 'Assertion':
      return 'alternatives' in node ? node.alternatives.reduce((size, alternative) => size + 1 + estimatedProgramSize(alternative), 2) : 1;
    case 'Alternative':
      return node.elements.reduce((size, element) => size + estimatedProgramSize(element), 0);
    case 'Quantifier':
      return 1 + estimatedProgramSize(node.element) * (node.max === Number.POSITIVE_INFINITY ? node.min + 1 : node.max);
    default:
      return 1;
  }
}
