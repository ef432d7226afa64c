import type { Transaction } from '../db/database.ts';
import type { AnalysisConfig } from '../evaluations/analysis-config.ts';
import { PlatformError } from '../errors.ts';
import { newId } from '../ids.ts';
import { sessionEvaluations } from '../repositories/evaluations.ts';
import type { SessionRow } from '../domain/session.ts';
import { getRecordingForSession } from '../repositories/recordings.ts';
import type { ObjectStorage } from '../storage/object-storage.ts';
import { storeCallerClip, type SuiteRef } from './caller-clips.ts';
import { cutCallerClips } from './cut-caller-clips.ts';
import { DEFAULT_TIMEOUT_S, MAX_LINE_CHARS, MAX_SCRIPTED_TURNS, type Scenario } from './scenario-config.ts';

interface UserTurn {
  text: string;
  start_ms: number | null;
  end_ms: number | null;
}

/**
 * A real conversation as a regression scenario: the caller says what the session's caller said, in order, and the
 * scorecard that judged the session (its latest evaluation's, else the one its assistant snapshot carried) decides.
 * A speech scenario of a recorded session replays the caller's recorded audio: each turn's clip is copied into the
 * suite's storage now (see caller-clips.ts); a session without a recording gets synthesised lines.
 */
export async function scenarioFromSession(
  trx: Transaction,
  storage: ObjectStorage | undefined,
  suite: SuiteRef,
  session: SessionRow,
  options: { input: 'text' | 'speech'; name?: string | undefined },
): Promise<Scenario> {
  if (session.status !== 'ended' && session.status !== 'failed') {
    throw new PlatformError('conflict', 'session_not_ended', `Session "${session.id}" has not ended yet.`, 'session_id');
  }
  const userTurns: UserTurn[] = await trx('messages')
    .where({ org_id: session.org_id, session_id: session.id, role: 'user' })
    .whereRaw(`btrim(text) <> ''`)
    .orderBy('id', 'asc')
    .limit(MAX_SCRIPTED_TURNS + 1)
    .select('text', 'start_ms', 'end_ms');
  if (userTurns.length === 0) throw new PlatformError('conflict', 'session_has_no_user_turns', `The caller said nothing in session "${session.id}": there is nothing to replay.`, 'session_id');
  if (userTurns.length > MAX_SCRIPTED_TURNS) {
    throw new PlatformError('conflict', 'session_too_long', `Session "${session.id}" has more than ${MAX_SCRIPTED_TURNS} caller turns; a scenario replays at most ${MAX_SCRIPTED_TURNS}.`, 'session_id');
  }
  const turnAudio = options.input === 'speech' && storage ? await recordedTurns(trx, storage, suite, session, userTurns) : undefined;
  const [latest] = await sessionEvaluations(trx, session.org_id, session.id);
  const analysis = latest?.analysis ?? (session.assistant as { analysis?: AnalysisConfig | null }).analysis ?? null;
  return {
    id: newId('scenario'),
    name: options.name ?? `Replay of ${session.id}`,
    caller: { turns: userTurns.map((turn) => turn.text.trim().slice(0, MAX_LINE_CHARS)), ...(turnAudio ? { turn_audio: turnAudio } : {}) },
    input: options.input,
    criteria: analysis?.scorecard?.criteria ?? [],
    timeout_s: DEFAULT_TIMEOUT_S,
    source_session_id: session.id,
  };
}

/**
 * Each turn's recorded clip id (null where the turn has no span or no sound), or undefined when the session has no
 * stored recording to cut from (not recorded, skipped, failed, deleted). The chunks are complete once the recording
 * has left `recording`; until then the caller is asked to try again.
 */
async function recordedTurns(trx: Transaction, storage: ObjectStorage, suite: SuiteRef, session: SessionRow, turns: UserTurn[]): Promise<Array<string | null> | undefined> {
  const recording = await getRecordingForSession(trx, session.org_id, session.id);
  if (recording?.status === 'recording') {
    throw new PlatformError('conflict', 'recording_not_stored', `The recording of session "${session.id}" is still being stored; try again in a few seconds.`, 'session_id');
  }
  if (recording?.status !== 'processing' && recording?.status !== 'ready') return undefined;
  const spans = turns.map((turn) => (turn.start_ms !== null && turn.end_ms !== null ? { startMs: turn.start_ms, endMs: turn.end_ms } : null));
  const clips = await cutCallerClips(storage, recording.source_key, spans);
  if (clips.every((clip) => clip === null)) return undefined;
  return Promise.all(clips.map((clip) => (clip ? storeCallerClip(storage, suite, clip) : null)));
}
