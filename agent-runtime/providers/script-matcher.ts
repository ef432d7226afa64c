import { compileScriptPatterns } from '../../core/tenant-regex/script-patterns.ts';
import { TimeSlice } from '../../core/time-slice.ts';
import { literalTenantRegex, type TenantRegexResult } from '../../core/tenant-regex/tenant-regex.ts';
import type { ScriptRule } from '../config/assistant-snapshot.ts';

/**
 * Rules see at most this much of a message. One rule's match cannot be paused, and costs up to about (pattern cost ×
 * characters): for a pattern at its limit that is some 100 ms per thousand characters, so a typed 64 KB frame must not
 * reach it whole. A thousand characters is over a minute of speech in one turn.
 * @internal exported for its tests
 */
export const MAX_MATCHED_CHARS = 1000;

/**
 * Matching one message may take this long in all. Ordinary scripts need well under a millisecond; one built to be slow
 * (hundreds of rules whose automata grow with every character) could take seconds, so past this it stops and the
 * default reply answers.
 * @internal exported for its tests
 */
export const MATCH_BUDGET_MS = 100;

interface CompiledRule {
  matches: (text: string) => boolean;
  reply: string;
}

/**
 * Finds the first rule of a script whose pattern matches a message. Every pattern runs on the linear-time engine
 * (core/tenant-regex); compiling and matching pause for other sessions' work every few milliseconds, so even a script
 * at its limits is a short wait for its own session and none for anyone else.
 */
export class ScriptMatcher {
  private readonly compiled: Promise<CompiledRule[]>;

  /** Compiling starts at once (the session is starting), so the first message does not wait for it. */
  constructor(private readonly rules: ScriptRule[]) {
    this.compiled = this.compile();
  }

  /** The reply of the first matching rule; none when no rule matches or the turn's matching budget is spent. */
  async firstMatch(text: string): Promise<string | undefined> {
    const rules = await this.compiled;
    const input = text.slice(0, MAX_MATCHED_CHARS);
    const slice = new TimeSlice();
    let spentMs = 0;
    for (const rule of rules) {
      const started = performance.now();
      if (rule.matches(input)) return rule.reply;
      spentMs += performance.now() - started;
      if (spentMs > MATCH_BUDGET_MS) return undefined;
      await slice.pause();
    }
    return undefined;
  }

  private async compile(): Promise<CompiledRule[]> {
    const regexPatterns = this.rules.flatMap((rule) => (Array.isArray(rule.pattern) ? [] : [rule.pattern]));
    const results = compileScriptPatterns(regexPatterns);
    const compiled: CompiledRule[] = [];
    const slice = new TimeSlice();
    for (const rule of this.rules) {
      const matches = Array.isArray(rule.pattern) ? keywordMatcher(rule.pattern) : patternMatcher(rule.pattern, results.next().value);
      compiled.push({ matches, reply: rule.reply });
      await slice.pause();
    }
    return compiled;
  }
}

/** Any one of the keywords, as a whole word. */
function keywordMatcher(keywords: string[]): (text: string) => boolean {
  const words = keywords.map((keyword) => {
    try {
      const word = literalTenantRegex(keyword, true);
      return (text: string) => word.test(text);
    } catch {
      // RE2 refuses a literal beyond its size limit; compiling runs unawaited at session start, so it must not throw.
      return substringMatcher(keyword);
    }
  });
  return (text) => words.some((matches) => matches(text));
}

function patternMatcher(pattern: string, result: TenantRegexResult | undefined): (text: string) => boolean {
  if (result?.ok) return (text) => result.regex.test(text);
  // A pattern the API would refuse today (stored before it was validated this way) is taken literally, so an old
  // script never breaks a session.
  return substringMatcher(pattern);
}

/** Case-insensitive substring search: no engine, no cost beyond reading the text. */
function substringMatcher(literal: string): (text: string) => boolean {
  const lower = literal.toLowerCase();
  return (text) => text.toLowerCase().includes(lower);
}
