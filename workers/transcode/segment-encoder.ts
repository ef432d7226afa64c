import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ObjectStorage } from '../../core/storage/object-storage.ts';
import {
  AAC_FRAME_SAMPLES,
  RECORDING_CHANNELS,
  RECORDING_SAMPLE_RATE_HZ,
  SEGMENT_DURATION_S,
  WAV_HEADER_BYTES,
  recordingKeys,
} from '../../core/storage/recording-layout.ts';
import { adtsFrames } from './adts.ts';
import { runFfmpeg } from './ffmpeg-binary.ts';
import { LADDER } from './ladder.ts';
import { padTransportStream } from './ts-stuffing.ts';

/** Audio before and after a segment that the encoder sees but whose frames are dropped (two AAC frames each way). */
const CONTEXT_SAMPLES = 2 * AAC_FRAME_SAMPLES;
const BYTES_PER_FRAME = RECORDING_CHANNELS * 2;

export class MissingChunkError extends Error {}

/**
 * Encodes HLS segment `seq` of every rendition from recorder chunk `seq`, independently of all other segments, so
 * segments can be made during the session, in parallel, and again after a crash with the same result.
 *
 * Independently encoded AAC segments normally click at their joins: each encoder starts from silence (priming) and
 * ends with padding. Instead the encoder is fed two frames of the previous chunk and two of the next, and only the
 * frames that cover this chunk are kept; those frames were encoded with their true neighbours, so the decoder's
 * overlap-add across the join reconstructs the signal. Timestamps continue at seq × 4.096 s.
 */
export async function encodeSegment(ffmpeg: string, storage: ObjectStorage, prefix: string, seq: number): Promise<void> {
  const keys = recordingKeys(prefix);
  const [previous, current, next] = await Promise.all([
    seq > 0 ? storage.get(keys.chunk(seq - 1)) : Promise.resolve(undefined),
    storage.get(keys.chunk(seq)),
    storage.get(keys.chunk(seq + 1)),
  ]);
  if (!current) throw new MissingChunkError(`Recording chunk ${seq} is missing`);
  if (seq > 0 && !previous) throw new MissingChunkError(`Recording chunk ${seq - 1} is missing`);
  const data = (wav: Buffer) => wav.subarray(WAV_HEADER_BYTES);
  const lead = previous ? data(previous).subarray(-CONTEXT_SAMPLES * BYTES_PER_FRAME) : Buffer.alloc(0);
  const body = data(current);
  const tail = next ? data(next).subarray(0, CONTEXT_SAMPLES * BYTES_PER_FRAME) : Buffer.alloc(0);
  const leadFrames = lead.length / BYTES_PER_FRAME / AAC_FRAME_SAMPLES;
  const keepFrames = Math.ceil(body.length / BYTES_PER_FRAME / AAC_FRAME_SAMPLES);
  if (keepFrames === 0) throw new MissingChunkError(`Recording chunk ${seq} is empty`);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'echosphere-segment-'));
  try {
    await runFfmpeg(
      ffmpeg,
      [
        '-f', 's16le', '-ar', String(RECORDING_SAMPLE_RATE_HZ), '-ac', String(RECORDING_CHANNELS), '-i', 'pipe:0',
        ...LADDER.flatMap((rendition, index) => [
          '-map', '0:a', '-c:a', 'aac', '-b:a', String(rendition.bitrateBps), '-ac', String(rendition.channels),
          '-ar', String(rendition.sampleRateHz), '-f', 'adts', path.join(dir, `${index}.aac`),
        ]),
      ],
      Buffer.concat([lead, body, tail]),
    );
    // ADTS frame 0 is the encoder's priming frame; frame i carries input samples [(i-1)·1024, i·1024).
    for (const [index] of LADDER.entries()) {
      const frames = adtsFrames(await fs.readFile(path.join(dir, `${index}.aac`)));
      const kept = frames.slice(1 + leadFrames, 1 + leadFrames + keepFrames);
      if (kept.length !== keepFrames) throw new Error(`Encoder produced ${frames.length} frames, expected at least ${1 + leadFrames + keepFrames}`);
      await fs.writeFile(path.join(dir, `${index}.trimmed.aac`), Buffer.concat(kept));
    }
    await runFfmpeg(ffmpeg, [
      ...LADDER.flatMap((_, index) => ['-f', 'aac', '-i', path.join(dir, `${index}.trimmed.aac`)]),
      ...LADDER.flatMap((_, index) => [
        // A 2 s mux delay lets the muxer pack many frames per PES packet (far less overhead than one per frame);
        // mpegts_copyts stops it shifting timestamps by that delay, so PTS stays exactly seq × 4.096 s.
        '-map', `${index}:a`, '-c', 'copy', '-f', 'mpegts', '-muxdelay', '2', '-muxpreload', '0', '-mpegts_copyts', '1',
        '-output_ts_offset', (seq * SEGMENT_DURATION_S).toFixed(6), path.join(dir, `${index}.ts`),
      ]),
    ]);
    await Promise.all(
      LADDER.map(async (rendition, index) =>
        storage.put(keys.segment(rendition.name, seq), padTransportStream(await fs.readFile(path.join(dir, `${index}.ts`))), 'video/mp2t'),
      ),
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
