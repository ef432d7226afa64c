import type { Transaction } from '../db/database.ts';
import type { AnalysisConfig } from '../evaluations/analysis-config.ts';
import { PlatformError } from '../errors.ts';
import { newId } from '../ids.ts';
import { sessionEvaluations } from '../repositories/evaluations.ts';
import type { SessionRow } from '../domain/session.ts';
import { DEFAULT_TIMEOUT_S, MAX_LINE_CHARS, MAX_SCRIPTED_TURNS, type Scenario } from './scenario-config.ts';

/**
 * A real conversation as a regression scenario: the caller says what the session's caller said, in order, and the
 * scorecard that judged the session (its latest evaluation's, else the one its assistant snapshot carried) decides.
 */
export async function scenarioFromSession(
  trx: Transaction,
  session: SessionRow,
  options: { input: 'text' | 'speech'; name?: string | undefined },
): Promise<Scenario> {
  if (session.status !== 'ended' && session.status !== 'failed') {
    throw new PlatformError('conflict', 'session_not_ended', `Session "${session.id}" has not ended yet.`, 'session_id');
  }
  const userTurns = (await trx('messages')
    .where({ org_id: session.org_id, session_id: session.id, role: 'user' })
    .whereRaw(`btrim(text) <> ''`)
    .orderBy('id', 'asc')
    .limit(MAX_SCRIPTED_TURNS + 1)
    .pluck('text')) as string[];
  if (userTurns.length === 0) throw new PlatformError('conflict', 'session_has_no_user_turns', `The caller said nothing in session "${session.id}": there is nothing to replay.`, 'session_id');
  if (userTurns.length > MAX_SCRIPTED_TURNS) {
    throw new PlatformError('conflict', 'session_too_long', `Session "${session.id}" has more than ${MAX_SCRIPTED_TURNS} caller turns; a scenario replays at most ${MAX_SCRIPTED_TURNS}.`, 'session_id');
  }
  const [latest] = await sessionEvaluations(trx, session.org_id, session.id);
  const analysis = latest?.analysis ?? (session.assistant as { analysis?: AnalysisConfig | null }).analysis ?? null;
  return {
    id: newId('scenario'),
    name: options.name ?? `Replay of ${session.id}`,
    caller: { turns: userTurns.map((text) => text.trim().slice(0, MAX_LINE_CHARS)) },
    input: options.input,
    criteria: analysis?.scorecard?.criteria ?? [],
    timeout_s: DEFAULT_TIMEOUT_S,
    source_session_id: session.id,
  };
}
