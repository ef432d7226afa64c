import type { Transaction } from '../db/database.ts';
import type { AnalysisConfig } from '../evaluations/analysis-config.ts';
import { PlatformError } from '../errors.ts';
import { newId } from '../ids.ts';
import { sessionEvaluations } from '../repositories/evaluations.ts';
import type { SessionRow } from '../domain/session.ts';
import { getRecordingForSession } from '../repositories/recordings.ts';
import type { ObjectStorage } from '../storage/object-storage.ts';
import { deleteCallerClips, storeCallerClip, type SuiteRef } from './caller-clips.ts';
import { cutCallerClips, turnWindows, type TurnWindow } from './cut-caller-clips.ts';
import { DEFAULT_TIMEOUT_S, MAX_LINE_CHARS, MAX_SCRIPTED_TURNS, type Scenario } from './scenario-config.ts';

interface MessageRow {
  role: 'user' | 'assistant';
  text: string;
  start_ms: number | null;
  end_ms: number | null;
}

/** A session made into a scenario, before its recorded clips (if any) are copied: that is storage work, done apart. */
export interface SessionReplay {
  scenario: Scenario;
  /** Where to cut each caller turn's clip from, for a speech scenario of a session with a stored recording. */
  recording?: { sourceKey: string; windows: Array<TurnWindow | null> };
}

/**
 * A real conversation as a regression scenario: the caller says what the session's caller said, in order, and the
 * scorecard that judged the session (its latest evaluation's, else the one its assistant snapshot carried) decides.
 * Reads only; `withRecordedClips` then gives a speech scenario of a recorded session the caller's recorded audio.
 */
export async function replayOfSession(trx: Transaction, session: SessionRow, options: { input: 'text' | 'speech'; name?: string | undefined }): Promise<SessionReplay> {
  if (session.status !== 'ended' && session.status !== 'failed') {
    throw new PlatformError('conflict', 'session_not_ended', `Session "${session.id}" has not ended yet.`, 'session_id');
  }
  const messages: MessageRow[] = await trx('messages')
    .where({ org_id: session.org_id, session_id: session.id })
    .whereIn('role', ['user', 'assistant'])
    .orderBy('id', 'asc')
    .select('role', 'text', 'start_ms', 'end_ms');
  // The caller's turns are the user messages with words; the assistant's (spoken or tool calls) only bound them in time.
  const conversation = messages.filter((message) => message.role === 'assistant' || message.text.trim() !== '');
  const userTurns = conversation.filter((message) => message.role === 'user');
  if (userTurns.length === 0) throw new PlatformError('conflict', 'session_has_no_user_turns', `The caller said nothing in session "${session.id}": there is nothing to replay.`, 'session_id');
  if (userTurns.length > MAX_SCRIPTED_TURNS) {
    throw new PlatformError('conflict', 'session_too_long', `Session "${session.id}" has more than ${MAX_SCRIPTED_TURNS} caller turns; a scenario replays at most ${MAX_SCRIPTED_TURNS}.`, 'session_id');
  }
  const [latest] = await sessionEvaluations(trx, session.org_id, session.id);
  const analysis = latest?.analysis ?? (session.assistant as { analysis?: AnalysisConfig | null }).analysis ?? null;
  const scenario: Scenario = {
    id: newId('scenario'),
    name: options.name ?? `Replay of ${session.id}`,
    caller: { turns: userTurns.map((turn) => turn.text.trim().slice(0, MAX_LINE_CHARS)) },
    input: options.input,
    criteria: analysis?.scorecard?.criteria ?? [],
    timeout_s: DEFAULT_TIMEOUT_S,
    source_session_id: session.id,
  };
  const recording = options.input === 'speech' ? await recordedConversation(trx, session, conversation) : undefined;
  return { scenario, ...(recording ? { recording } : {}) };
}

/**
 * The scenario with each turn's recorded clip copied into the suite's storage (null where a turn has no sound), or
 * as it was when there is nothing to cut. The caller deletes the clips if the scenario is not saved after all.
 */
export async function withRecordedClips(storage: ObjectStorage, suite: SuiteRef, replay: SessionReplay): Promise<Scenario> {
  if (!replay.recording) return replay.scenario;
  const clips = await cutCallerClips(storage, replay.recording.sourceKey, replay.recording.windows);
  if (clips.every((clip) => clip === null)) return replay.scenario;
  const stored: Array<string | null> = [];
  try {
    for (const clip of clips) stored.push(clip ? await storeCallerClip(storage, suite, clip) : null);
  } catch (error) {
    await deleteCallerClips(storage, suite, stored.filter((id) => id !== null));
    throw error;
  }
  return { ...replay.scenario, caller: { ...replay.scenario.caller, turn_audio: stored } };
}

/**
 * The stored recording and each caller turn's window in it (`conversation` in order), or undefined when the session has none to cut from (not
 * recorded, skipped, failed, deleted). The chunks are complete once the recording has left `recording`; until then
 * the caller is asked to try again.
 */
async function recordedConversation(trx: Transaction, session: SessionRow, conversation: MessageRow[]): Promise<SessionReplay['recording']> {
  const recording = await getRecordingForSession(trx, session.org_id, session.id);
  if (recording?.status === 'recording') {
    throw new PlatformError('conflict', 'recording_not_stored', `The recording of session "${session.id}" is still being stored; try again in a few seconds.`, 'session_id');
  }
  if (recording?.status !== 'processing' && recording?.status !== 'ready') return undefined;
  const windows = turnWindows(conversation.map((message) => ({ role: message.role, startMs: message.start_ms, endMs: message.end_ms })));
  return { sourceKey: recording.source_key, windows };
}
