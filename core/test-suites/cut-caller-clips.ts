import type { ObjectStorage } from '../storage/object-storage.ts';
import { chunkFrames, RECORDING_CHANNELS, RECORDING_SAMPLE_RATE_HZ, recordingKeys, SEGMENT_SAMPLES, WAV_HEADER_BYTES } from '../storage/recording-layout.ts';

/** A message of the session, in conversation order, with its span on the session clock (its start_ms and end_ms). */
export interface SpokenMessage {
  role: 'user' | 'assistant';
  startMs: number | null;
  endMs: number | null;
}

/**
 * Where a caller turn's audio lies in the recording, in ms of the session: nothing before `afterMs` or from `beforeMs`
 * on is the turn; every sound from `ownsFromMs` on is; sound between `afterMs` and `ownsFromMs` joins the turn only
 * when no long pause parts it from the turn's sound.
 */
export interface TurnWindow {
  afterMs: number;
  ownsFromMs: number;
  beforeMs: number;
}

/*
 * A user turn's span says when speech detection *decided* the caller started and stopped, on the session's wall clock;
 * the recording places the caller's audio by the input stream's own sample count. On a busy machine the two part by
 * up to a whole utterance (a transcriber may report the start of speech only once it has heard the line), so a user
 * span cannot cut a clip. The assistant's spans can: each is stamped when its audio was played, which is where the
 * recording puts it, and a caller's turn ends before the reply to it starts. So a turn lies between the start of what
 * the assistant said before it (it may barge in) and the start of the reply to it, and once the assistant has
 * finished, every sound the caller makes until that reply is the turn.
 */

/** How far before its detected start a turn's first sound may lie. */
const DETECTION_LAG_LIMIT_MS = 10_000;
/** A silence longer than this parts a turn from sound the caller made while the assistant spoke before it. */
const MAX_PAUSE_MS = 700;
/** Silence kept before a clip's first sound and after its last. */
const PAD_MS = 150;
/** A frame whose loudest sample stays below this (1 % of full scale) holds no speech. */
const SILENT_PEAK = 328;
const FRAME_SAMPLES = RECORDING_SAMPLE_RATE_HZ / 100;
const CALLER_CHANNEL = 0;

const toSamples = (ms: number) => Math.round((ms / 1000) * RECORDING_SAMPLE_RATE_HZ);

/**
 * The window of each user message (in order; null for one without a span), from the assistant's messages around it:
 * those after the previous user message (else that message's end) open it, and the first after it closes it (else
 * the next user message's start, else the recording's end).
 */
export function turnWindows(messages: SpokenMessage[]): Array<TurnWindow | null> {
  const placed = messages.filter((message) => message.role === 'user' || message.startMs !== null);
  const users = [...placed.keys()].filter((index) => placed[index]!.role === 'user');
  return users.map((index, turn) => {
    const detectedStartMs = placed[index]!.startMs;
    if (detectedStartMs === null) return null;
    const previousUser = users[turn - 1];
    const said = placed.slice(previousUser === undefined ? 0 : previousUser + 1, index);
    const next = placed[index + 1];
    const afterMs = Math.max(said[0]?.startMs ?? (previousUser === undefined ? 0 : (placed[previousUser]!.endMs ?? 0)), detectedStartMs - DETECTION_LAG_LIMIT_MS);
    const ownsFromMs = Math.max(afterMs, Math.min(said.at(-1)?.endMs ?? detectedStartMs, detectedStartMs));
    return { afterMs, ownsFromMs, beforeMs: next?.startMs ?? Infinity };
  });
}

/**
 * The caller's own audio for each turn, cut from a session's stored recording chunks (`recordingPrefix`): the left
 * channel only, mono at the recording's rate. A turn without a window (null), or with no sound in it, gets null (its
 * line is synthesised instead). Chunks are read once each, as the turns come to them.
 */
export async function cutCallerClips(storage: ObjectStorage, recordingPrefix: string, windows: Array<TurnWindow | null>): Promise<Array<Int16Array | null>> {
  const chunks = new Map<number, Promise<Buffer | undefined>>();
  const chunk = (seq: number) => {
    if (!chunks.has(seq)) chunks.set(seq, storage.get(recordingKeys(recordingPrefix).chunk(seq)));
    return chunks.get(seq)!;
  };
  const clips: Array<Int16Array | null> = [];
  for (const window of windows) {
    if (!window) {
      clips.push(null);
      continue;
    }
    const from = toSamples(Math.max(window.afterMs, 0));
    // Windows come in order: chunks before this one's start are not read again.
    for (const seq of chunks.keys()) if (seq < Math.floor(from / SEGMENT_SAMPLES)) chunks.delete(seq);
    const to = Number.isFinite(window.beforeMs) ? toSamples(window.beforeMs) : Infinity;
    const audio = to > from ? await callerChannel(chunk, from, to) : new Int16Array(0);
    clips.push(spokenPart(audio, toSamples(window.ownsFromMs) - from));
  }
  return clips;
}

/**
 * The turn's speech in `window`: its last loud frame, back through every loud frame from `ownedFrom` on, and on
 * across pauses no longer than MAX_PAUSE_MS; null when the window is silent. A copy, so the window can go.
 */
function spokenPart(window: Int16Array, ownedFrom: number): Int16Array | null {
  const frames = Math.ceil(window.length / FRAME_SAMPLES);
  const loud = (frame: number) => window.subarray(frame * FRAME_SAMPLES, (frame + 1) * FRAME_SAMPLES).some((sample) => Math.abs(sample) >= SILENT_PEAK);
  let last = frames - 1;
  while (last >= 0 && !loud(last)) last--;
  if (last < 0) return null;
  let first = last;
  for (let frame = last - 1; frame >= 0; frame--) {
    if (!loud(frame)) continue;
    const pauseMs = ((first - frame - 1) * FRAME_SAMPLES * 1000) / RECORDING_SAMPLE_RATE_HZ;
    if (pauseMs > MAX_PAUSE_MS && (frame + 1) * FRAME_SAMPLES <= ownedFrom) break;
    first = frame;
  }
  const pad = toSamples(PAD_MS);
  return window.slice(Math.max(0, first * FRAME_SAMPLES - pad), Math.min(window.length, (last + 1) * FRAME_SAMPLES + pad));
}

/** Caller samples [from, to) of the recording (`to` may be Infinity); what lies past its last stored chunk is left out. */
async function callerChannel(chunk: (seq: number) => Promise<Buffer | undefined>, from: number, to: number): Promise<Int16Array> {
  const pieces: Array<{ body: Buffer; chunkStart: number; first: number; last: number }> = [];
  for (let seq = Math.floor(from / SEGMENT_SAMPLES); seq * SEGMENT_SAMPLES < to; seq++) {
    const body = await chunk(seq);
    if (!body) break;
    const chunkStart = seq * SEGMENT_SAMPLES;
    pieces.push({ body, chunkStart, first: Math.max(from, chunkStart) - chunkStart, last: Math.min(to - chunkStart, chunkFrames(body.length)) });
  }
  const end = pieces.reduce((length, piece) => Math.max(length, piece.chunkStart + piece.last - from), 0);
  const out = new Int16Array(end);
  for (const { body, chunkStart, first, last } of pieces) {
    for (let frame = first; frame < last; frame++) {
      out[chunkStart + frame - from] = body.readInt16LE(WAV_HEADER_BYTES + (frame * RECORDING_CHANNELS + CALLER_CHANNEL) * 2);
    }
  }
  return out;
}
