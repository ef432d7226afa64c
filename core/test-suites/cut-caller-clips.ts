import type { ObjectStorage } from '../storage/object-storage.ts';
import { chunkFrames, RECORDING_CHANNELS, RECORDING_SAMPLE_RATE_HZ, recordingKeys, SEGMENT_SAMPLES, WAV_HEADER_BYTES } from '../storage/recording-layout.ts';

/** A caller turn's span on the session clock (its message's start_ms and end_ms). */
export interface TurnSpan {
  startMs: number;
  endMs: number;
}

/**
 * Speech detection marks a turn a little after its first sound and before its last has faded: the clip starts this
 * much earlier and ends this much later (never into the caller's turn before or after it).
 */
const MARGIN_MS = 300;
/** A span whose loudest sample stays below this (1 % of full scale) holds no speech: a typed line, or a muted caller. */
const SILENT_PEAK = 328;
const CALLER_CHANNEL = 0;

/**
 * The caller's own audio for each turn, cut from a session's stored recording chunks (`recordingPrefix`): the left
 * channel only, mono at the recording's rate, each span widened by MARGIN_MS. A turn without a span (null) or without
 * speech in it gets null (its line is synthesised instead). Chunks are read once each, as the turns come to them.
 */
export async function cutCallerClips(storage: ObjectStorage, recordingPrefix: string, turns: Array<TurnSpan | null>): Promise<Array<Int16Array | null>> {
  const chunks = new Map<number, Promise<Buffer | undefined>>();
  const chunk = (seq: number) => {
    if (!chunks.has(seq)) chunks.set(seq, storage.get(recordingKeys(recordingPrefix).chunk(seq)));
    return chunks.get(seq)!;
  };
  const clips: Array<Int16Array | null> = [];
  for (const [index, turn] of turns.entries()) {
    if (!turn) {
      clips.push(null);
      continue;
    }
    const fromMs = Math.max(turn.startMs - MARGIN_MS, turns[index - 1]?.endMs ?? 0, 0);
    const toMs = Math.min(turn.endMs + MARGIN_MS, turns[index + 1]?.startMs ?? Infinity);
    const from = Math.round((fromMs / 1000) * RECORDING_SAMPLE_RATE_HZ);
    const to = Math.round((toMs / 1000) * RECORDING_SAMPLE_RATE_HZ);
    const clip = to > from ? await callerChannel(chunk, from, to) : new Int16Array(0);
    clips.push(clip.some((sample) => Math.abs(sample) >= SILENT_PEAK) ? clip : null);
  }
  return clips;
}

/** Caller samples [from, to) of the recording; what lies past its last stored chunk is left out. */
async function callerChannel(chunk: (seq: number) => Promise<Buffer | undefined>, from: number, to: number): Promise<Int16Array> {
  const out = new Int16Array(to - from);
  let length = 0;
  for (let seq = Math.floor(from / SEGMENT_SAMPLES); seq * SEGMENT_SAMPLES < to; seq++) {
    const body = await chunk(seq);
    if (!body) break;
    const chunkStart = seq * SEGMENT_SAMPLES;
    const first = Math.max(from, chunkStart) - chunkStart;
    const last = Math.min(to - chunkStart, chunkFrames(body.length));
    for (let frame = first; frame < last; frame++) {
      out[chunkStart + frame - from] = body.readInt16LE(WAV_HEADER_BYTES + (frame * RECORDING_CHANNELS + CALLER_CHANNEL) * 2);
    }
    length = Math.max(length, chunkStart + last - from);
  }
  return out.subarray(0, length);
}
