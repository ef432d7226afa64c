import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inParallel } from '../../core/in-parallel.ts';
import type { ObjectStorage } from '../../core/storage/object-storage.ts';
import {
  RECORDING_SAMPLE_RATE_HZ,
  SEGMENT_SAMPLES,
  chunkFrames,
  chunkSeqOf,
  recordingKeys,
} from '../../core/storage/recording-layout.ts';
import { FfmpegError, runFfmpeg } from './ffmpeg-binary.ts';
import { masterPlaylist, measureBandwidth, mediaPlaylist, renditionInfo, type SegmentInfo } from './hls-playlists.ts';
import { DOWNLOAD_RENDITION, LADDER } from './ladder.ts';
import { MissingChunkError, encodeSegment } from './segment-encoder.ts';
import { EmptyRecordingError, PermanentTranscodeError, type TranscodeResult, type Transcoder } from './transcoder.ts';

export interface FfmpegTranscoderOptions {
  ffmpeg: string;
  storage: ObjectStorage;
  /** Segments encoded at once when finalizing; default: one per CPU. */
  concurrency?: number;
}

/**
 * The default engine. During the session each segment is encoded as soon as its audio is stored (see
 * segment-encoder.ts), so at the end only the last segment or two, the playlists and the download remain.
 * Whatever was missed (a worker was down, progressive encoding off) is encoded here in parallel.
 */
export class FfmpegTranscoder implements Transcoder {
  readonly engine = 'ffmpeg' as const;
  private readonly concurrency: number;

  constructor(private readonly options: FfmpegTranscoderOptions) {
    this.concurrency = options.concurrency ?? Math.max(1, os.availableParallelism());
  }

  async encodeSegmentEarly(prefix: string, seq: number): Promise<void> {
    const keys = recordingKeys(prefix);
    const existing = await Promise.all(LADDER.map((rendition) => this.options.storage.list(keys.segment(rendition.name, seq))));
    if (existing.every((objects) => objects.length > 0)) return;
    await encodeSegment(this.options.ffmpeg, this.options.storage, prefix, seq).catch(rethrowClassified);
  }

  async finalize(prefix: string): Promise<TranscodeResult> {
    return this.build(prefix).catch(rethrowClassified);
  }

  private async build(prefix: string): Promise<TranscodeResult> {
    const { storage } = this.options;
    const keys = recordingKeys(prefix);
    const chunks = (await storage.list(keys.chunks)).flatMap((object) => {
      const seq = chunkSeqOf(object.key);
      return seq === undefined ? [] : [{ seq, frames: chunkFrames(object.sizeBytes) }];
    });
    chunks.forEach((chunk, index) => {
      if (chunk.seq !== index) throw new PermanentTranscodeError(`Recording chunk ${index} is missing`);
    });
    const totalFrames = chunks.reduce((sum, chunk) => sum + chunk.frames, 0);
    if (totalFrames === 0) throw new EmptyRecordingError('The recording contains no audio');
    if (chunks.slice(0, -1).some((chunk) => chunk.frames !== SEGMENT_SAMPLES)) throw new PermanentTranscodeError('A recording chunk is truncated');

    const existing = new Set((await storage.list(keys.hls)).map((object) => object.key));
    const missing = chunks
      .map((chunk) => chunk.seq)
      .filter((seq) => LADDER.some((rendition) => !existing.has(keys.segment(rendition.name, seq))));
    await inParallel(missing, this.concurrency, (seq) => encodeSegment(this.options.ffmpeg, storage, prefix, seq));

    const sizes = new Map((await storage.list(keys.hls)).map((object) => [object.key, object.sizeBytes]));
    const renditions = await Promise.all(
      LADDER.map(async (rendition) => {
        const segments: SegmentInfo[] = chunks.map((chunk) => ({
          name: keys.segmentName(chunk.seq),
          durationS: chunk.frames / RECORDING_SAMPLE_RATE_HZ,
          sizeBytes: sizes.get(keys.segment(rendition.name, chunk.seq)) ?? 0,
        }));
        await storage.put(keys.playlist(rendition.name), Buffer.from(mediaPlaylist(segments)), 'application/vnd.apple.mpegurl');
        return { rendition, uri: `${rendition.name}/index.m3u8`, ...measureBandwidth(segments) };
      }),
    );
    await this.writeDownload(prefix, chunks.length);
    // The master playlist goes last: its presence means every rendition is complete.
    await storage.put(keys.master, Buffer.from(masterPlaylist(renditions)), 'application/vnd.apple.mpegurl');

    return {
      durationMs: Math.round((totalFrames / RECORDING_SAMPLE_RATE_HZ) * 1000),
      masterKey: keys.master,
      downloadKey: keys.download,
      renditions: renditions.map((variant) => renditionInfo(variant, keys.playlist(variant.rendition.name))),
    };
  }

  /** The download is the top rendition's AAC frames remuxed into MP4 (no re-encode: fast and identical audio). */
  private async writeDownload(prefix: string, segmentCount: number): Promise<void> {
    const { storage } = this.options;
    const keys = recordingKeys(prefix);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'echosphere-download-'));
    try {
      const joined = path.join(dir, 'all.ts');
      const handle = await fs.open(joined, 'w');
      try {
        for (let seq = 0; seq < segmentCount; seq++) {
          const segment = await storage.get(keys.segment(DOWNLOAD_RENDITION.name, seq));
          if (!segment) throw new Error(`Segment ${seq} vanished while building the download`);
          await handle.write(segment);
        }
      } finally {
        await handle.close();
      }
      const output = path.join(dir, 'download.m4a');
      // The joined segments are MPEG-TS: said outright, so the format is never left to probing.
      await runFfmpeg(this.options.ffmpeg, ['-f', 'mpegts', '-i', joined, '-map', '0:a', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', '-f', 'mp4', output]);
      await storage.putStream(keys.download, createReadStream(output), 'audio/mp4');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Failures that another attempt would repeat become permanent: a missing chunk, or ffmpeg refusing its input (an exit
 * code; the same chunks give the same refusal). Storage errors and an ffmpeg killed by a signal stay retryable.
 */
function rethrowClassified(error: unknown): never {
  if (error instanceof MissingChunkError) throw new PermanentTranscodeError(error.message);
  if (error instanceof FfmpegError && error.exitCode !== null) throw new PermanentTranscodeError(error.message);
  throw error;
}
