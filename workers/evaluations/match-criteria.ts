import type { MatchCriterion } from '../../core/evaluations/analysis-config.ts';
import type { CriterionScore } from '../../core/evaluations/evaluation-result.ts';
import { compileTenantRegex, literalTenantRegex, type TenantRegex } from '../../core/tenant-regex/tenant-regex.ts';
import { evidenceOf, spokenMessages, type EvaluatedSession } from './evaluated-session.ts';

/**
 * A match criterion over the transcript. Patterns are the tenant's, so they run on the linear-time engine
 * (core/tenant-regex), case-insensitively; `contains` is a literal on the same engine. The evidence is the matching
 * messages: what made `regex`/`contains` pass, or what made `not_contains` fail.
 */
export function scoreMatch(criterion: MatchCriterion, session: EvaluatedSession): CriterionScore {
  const base = { criterion: criterion.name, kind: 'match' as const, scale: 'pass_fail' as const };
  const regex = matcherOf(criterion);
  if (!regex.ok) {
    // Saved patterns were checked; one that no longer compiles (a tightened engine limit) is reported, not thrown.
    return { ...base, status: 'skipped', score: null, passed: null, rationale: `The pattern ${regex.reason}.`, evidence: [] };
  }
  const searched = spokenMessages(session).filter((message) => criterion.role === 'any' || message.role === criterion.role);
  const matching = searched.filter((message) => regex.regex.test(message.text));
  const whose = criterion.role === 'any' ? 'message' : `${criterion.role} message`;
  const found = matching.length > 0;
  const passed = criterion.mode === 'not_contains' ? !found : found;
  const what = criterion.mode === 'regex' ? `matches /${criterion.pattern}/` : `contains "${criterion.pattern}"`;
  const rationale = found
    ? `${matching.length} of ${searched.length} ${whose}s ${what}.`
    : `No ${whose} ${what} (${searched.length} searched).`;
  return { ...base, status: 'scored', score: passed ? 1 : 0, passed, rationale, evidence: evidenceOf(matching) };
}

function matcherOf(criterion: MatchCriterion): { ok: true; regex: TenantRegex } | { ok: false; reason: string } {
  if (criterion.mode === 'regex') return compileTenantRegex(criterion.pattern);
  return { ok: true, regex: literalTenantRegex(criterion.pattern) };
}
