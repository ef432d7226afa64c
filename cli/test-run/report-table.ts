/** How `echosphere test run` prints a run: a line per scenario as it finishes, then the summary. */

interface ScenarioResult {
  scenario_name: string;
  status: string;
  session_id: string | null;
  error: string | null;
  duration_ms: number | null;
  scores: Array<{ criterion: string; passed: boolean | null; rationale: string }>;
}

const LABELS: Record<string, string> = { passed: 'PASS ', failed: 'FAIL ', error: 'ERROR' };
const NAME_WIDTH = 32;

export function scenarioLine(result: ScenarioResult): string {
  const name = result.scenario_name.length > NAME_WIDTH ? `${result.scenario_name.slice(0, NAME_WIDTH - 1)}…` : result.scenario_name.padEnd(NAME_WIDTH);
  const seconds = result.duration_ms === null ? '' : `${(result.duration_ms / 1000).toFixed(1)} s`;
  const lines = [`  ${LABELS[result.status] ?? result.status}  ${name}  ${seconds.padStart(8)}  ${result.session_id ?? ''}`];
  for (const score of result.scores.filter((score) => score.passed === false)) lines.push(`         ✗ ${score.criterion}: ${oneLine(score.rationale)}`);
  if (result.error) lines.push(`         ${oneLine(result.error)}`);
  return `${lines.join('\n')}\n`;
}

export function summaryLine(run: { id: string; status: string; summary: { total: number; passed: number; failed: number; errored: number; duration_ms: number | null } }): string {
  const { total, passed, failed, errored, duration_ms: durationMs } = run.summary;
  const took = durationMs === null ? '' : ` in ${(durationMs / 1000).toFixed(1)} s`;
  return `\n${total} scenario${total === 1 ? '' : 's'}: ${passed} passed, ${failed} failed, ${errored} errored${took} (run ${run.id}, ${run.status})\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
