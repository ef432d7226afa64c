import { runSession } from '../../agent-runtime/session/run-session.ts';
import type { RuntimeDeps, SessionOutcome } from '../../agent-runtime/session/runtime-deps.ts';
import { InProcessTransport } from '../../agent-runtime/transport/in-process-transport.ts';
import { judgeOf } from '../../core/evaluations/analysis-config.ts';
import { sessionEvaluations, type EvaluationRow } from '../../core/repositories/evaluations.ts';
import type { PublicAssistant } from '../../contract/assistant.ts';
import { claimSessionForStream, createSessionWithinLimit } from '../../core/repositories/sessions.ts';
import type { ScenarioResult } from '../../core/repositories/test-runs.ts';
import { isScripted, type Scenario } from '../../core/test-suites/scenario-config.ts';
import { scenarioSnapshot } from '../../core/test-suites/test-assistant.ts';
import { runEvaluationJob, type EvaluationWorkerDeps } from '../evaluations/evaluation-worker.ts';
import { openJudge } from '../evaluations/judge/judge-access.ts';
import type { Judge } from '../evaluations/judge/judge-client.ts';
import { ConversationWatch } from './conversation-watch.ts';
import { recordedClips } from './recorded-clips.ts';
import { playCaller } from './simulated-caller.ts';
import { scenarioVerdict } from './scenario-verdict.ts';

export interface ScenarioPlayDeps {
  runtime: RuntimeDeps;
  evaluations: EvaluationWorkerDeps;
  defaultMaxConcurrentSessions: number;
}

export interface ScenarioPlay {
  orgId: string;
  testRunId: string;
  /** The suite the run was requested from: its storage holds the scenarios' recorded clips. */
  suiteId: string;
  assistant: PublicAssistant;
  scenario: Scenario;
  /** Aborts when the runner must stop (it lost the run): the call is ended and not evaluated. */
  stop?: AbortSignal;
}

/** How long a session is given to start once it is created (it is claimed at once; this only bounds the row). */
const CLAIM_WINDOW_MS = 60_000;

/**
 * Plays one scenario: a real session (`source: "test"`) of the assistant, run by the shared runtime on an in-process
 * transport, with the scenario's caller on the other end; once it has ended, the evaluation pipeline scores it with
 * the scenario's criteria (run here rather than waiting for the queue; the queued job then finds it done).
 */
export async function playScenario(deps: ScenarioPlayDeps, play: ScenarioPlay): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const { scenario } = play;
  const result = (fields: Partial<ScenarioResult>): ScenarioResult => ({
    scenario_id: scenario.id,
    scenario_name: scenario.name,
    status: 'error',
    session_id: null,
    scores: [],
    error: null,
    duration_ms: Date.now() - startedAt,
    ...fields,
  });
  if (scenario.input === 'speech' && play.assistant.transcriber.provider === 'none') {
    return result({ error: 'A speech scenario needs an assistant with a transcriber; this one has transcriber.provider "none" (use input "text").' });
  }
  let persona: Judge | undefined;
  if (!isScripted(scenario.caller)) {
    const access = await openJudge(deps.runtime, play.orgId, judgeOf(play.assistant.analysis)).catch((error: unknown) => ({ skipped: (error as Error).message }));
    if ('skipped' in access) return result({ error: `A persona caller is played by the assistant's evaluation judge model, and there is none to use. ${access.skipped}` });
    persona = access.judge;
  }

  const snapshot = scenarioSnapshot(play.assistant, scenario.criteria);
  const session = await createSessionWithinLimit(deps.runtime.db, {
    orgId: play.orgId,
    assistant: snapshot,
    transport: 'websocket',
    source: 'test',
    audio: { encoding: 'pcm_s16le', sample_rate_hz: 16000 },
    metadata: { test_run_id: play.testRunId, scenario_id: scenario.id },
    streamTokenHash: undefined,
    streamTokenExpiresAt: new Date(Date.now() + CLAIM_WINDOW_MS),
    defaultLimit: deps.defaultMaxConcurrentSessions,
  });
  if (!session) {
    return result({ error: 'The organization is at its max_concurrent_sessions, so the scenario could not start a session; lower the run\'s concurrency or raise the limit.' });
  }
  const claim = await claimSessionForStream(deps.runtime.db, play.orgId, session.id, { agentProcessId: deps.runtime.agentProcessId });
  if (!claim) return result({ session_id: session.id, error: 'The scenario\'s session ended before it could start.' });

  const watch = new ConversationWatch();
  const transport = new InProcessTransport(watch);
  const run = runSession({ id: session.id, orgId: play.orgId, assistantId: session.assistant_id, assistant: snapshot, startedAt: claim.startedAt }, transport, deps.runtime);
  const timeout = AbortSignal.timeout(scenario.timeout_s * 1000);
  const signal = play.stop ? AbortSignal.any([timeout, play.stop]) : timeout;
  let callerError: string | undefined;
  try {
    const clips = recordedClips(deps.runtime.media?.storage, { orgId: play.orgId, suiteId: play.suiteId });
    await playCaller({ scenario, transport, watch, assistantSpeaksFirst: Boolean(snapshot.first_message), ...(persona ? { persona } : {}), clips, signal });
  } catch (error) {
    callerError = timeout.aborted
      ? `The scenario did not finish within its timeout_s (${scenario.timeout_s} s): the assistant's turn ${watch.turnEnds} was the last to end.`
      : `The caller could not go on: ${(error as Error).message}`;
  }
  const outcome: SessionOutcome = await run.end('customer-ended');
  // A stopped runner's result is not kept: the evaluation is left to its queued job.
  const evaluation = snapshot.analysis && !play.stop?.aborted ? await evaluate(deps.evaluations, play.orgId, session.id) : undefined;
  return result({ session_id: session.id, ...scenarioVerdict({ outcome, callerError, evaluation }) });
}

/** Runs the session's pending evaluation now and returns it finished (whichever delivery finished it first). */
async function evaluate(deps: EvaluationWorkerDeps, orgId: string, sessionId: string): Promise<EvaluationRow | undefined> {
  const [pending] = await deps.db.tenant(orgId, (trx) => sessionEvaluations(trx, orgId, sessionId));
  if (!pending) return undefined;
  await runEvaluationJob(deps, { orgId, evaluationId: pending.id }, { attempt: 1, maxAttempts: 1 });
  const [finished] = await deps.db.tenant(orgId, (trx) => sessionEvaluations(trx, orgId, sessionId));
  return finished;
}
