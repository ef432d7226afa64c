import { type AST, visitRegExpAST } from '@eslint-community/regexpp';

/**
 * What a pattern will cost RE2 to compile and to run, estimated from its parse tree before RE2 sees it, in RE2's unit:
 * program instructions. Matching costs about instructions × characters; compiling costs the instructions, plus the
 * case folding of every character range, which RE2 does code point by code point when it parses the pattern.
 */
export function estimatedCost(pattern: AST.Pattern): number {
  let folding = 0;
  visitRegExpAST(pattern, {
    onCharacterClassRangeEnter: (range) => {
      folding += rangeFoldingCost(range.min.value, range.max.value);
    },
    onCharacterEnter: (character) => {
      if (isUnicodePropertyEscape(character)) folding += UNICODE_PROPERTY_COST;
    },
  });
  return instructions(pattern) + folding;
}

/**
 * One per character, class or assertion, one more per alternative; a counted repetition copies its element once per
 * allowed repeat, as RE2 compiles it (so a 500-character pattern with nested repetitions can stand for half a million
 * instructions, a quarter of a second to compile).
 */
function instructions(node: AST.Node): number {
  switch (node.type) {
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup':
    case 'Assertion':
      return 'alternatives' in node ? node.alternatives.reduce((count, alternative) => count + 1 + instructions(alternative), 2) : 1;
    case 'Alternative':
      return node.elements.reduce((count, element) => count + instructions(element), 0);
    case 'Quantifier':
      return 1 + instructions(node.element) * (node.max === Number.POSITIVE_INFINITY ? node.min + 1 : node.max);
    default:
      return 1;
  }
}

/**
 * Folding is done once per range as written, however often it is repeated: one unit per 16 code points that have case
 * variants (`[\u0000-\uffff]` folds 65,000 of them, about 12 ms), and a Unicode property class (`\p{…}`, `\P{…}`)
 * weighs 100 (about 0.25 ms).
 */
const UNICODE_PROPERTY_COST = 100;
const CODE_POINTS_PER_UNIT = 16;
/** The code points RE2 folds one by one: from `A` to the last character with a case variant. */
const MIN_FOLD = 0x41;
const MAX_FOLD = 0x1e943;

function rangeFoldingCost(lo: number, hi: number): number {
  if (lo <= MIN_FOLD && hi >= MAX_FOLD) return 0; // RE2 takes a range spanning every foldable character whole
  const folded = Math.min(hi, MAX_FOLD) - Math.max(lo, MIN_FOLD) + 1;
  return Math.max(0, Math.ceil(folded / CODE_POINTS_PER_UNIT));
}

/** Without the `u` flag JavaScript reads `\p` as the letter p; RE2, which runs the pattern, reads a Unicode class. */
function isUnicodePropertyEscape(node: AST.Character): boolean {
  return node.raw === '\\p' || node.raw === '\\P';
}
