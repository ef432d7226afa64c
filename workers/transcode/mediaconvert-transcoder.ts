import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateJobCommand,
  GetJobCommand,
  ListJobsCommand,
  type Job,
  type MediaConvertClient,
} from '@aws-sdk/client-mediaconvert';
import { deletePrefix, type ObjectStorage } from '../../core/storage/object-storage.ts';
import {
  RECORDING_SAMPLE_RATE_HZ,
  SEGMENT_SAMPLES,
  WAV_HEADER_BYTES,
  chunkFrames,
  chunkSeqOf,
  recordingKeys,
  wavHeader,
} from '../../core/storage/recording-layout.ts';
import { masterPlaylist, measureBandwidth, mediaPlaylist, renditionInfo, type SegmentInfo } from './hls-playlists.ts';
import { LADDER } from './ladder.ts';
import { classifyMediaConvertFailure, failedJobError } from './mediaconvert-errors.ts';
import { mediaConvertJobSettings, nameModifierOf } from './mediaconvert-job-settings.ts';
import { EmptyRecordingError, PermanentTranscodeError, type TranscodeResult, type Transcoder } from './transcoder.ts';

export interface MediaConvertTranscoderOptions {
  client: MediaConvertClient;
  /** The S3 storage holding the recordings, and where it puts them: `s3://{bucket}/{keyPrefix}{key}`. */
  storage: ObjectStorage;
  bucket: string;
  keyPrefix: string;
  /** The IAM role MediaConvert assumes to read the chunks and write the outputs. */
  roleArn: string;
  queueArn?: string;
  /** MediaConvert takes at most 150 inputs per job; longer recordings are first joined into one WAV. */
  maxInputs?: number;
  /** First wait between GetJob polls; doubles up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** How long one attempt waits for the job; the job keeps running and the next attempt picks it up. */
  timeoutMs?: number;
  /** How far back ListJobs is searched for a job submitted by an attempt that crashed before recording it. */
  lookbackMs?: number;
}

/** Written next to the recording: which MediaConvert job builds it, and (once normalised) the result. */
interface JobMarker {
  jobId: string;
  result?: TranscodeResult;
}

/** The user-metadata key that ties a MediaConvert job to the recording it builds. */
const RECORDING_TAG = 'echosphere_recording';
const MAX_INPUTS = 150;
const ABANDONED = new Set(['ERROR', 'CANCELED']);

/**
 * The ABR ladder built by AWS Elemental MediaConvert. One job per recording: the stored WAV chunks are its inputs
 * (joined into one WAV first past MediaConvert's 150-input limit), it writes an HLS group (three AAC variants, 4 s
 * TS segments) and the .m4a download into the recording's folder, and the worker then moves the segments into the
 * ffmpeg engine's layout and writes EchoSphere's own master playlist, so playback cannot tell the engines apart.
 *
 * Retries never submit a second job: the job id is stored in `mediaconvert/job.json` right after CreateJob, a job
 * created by an attempt that died before storing it is found again with ListJobs by its user metadata, and the
 * client request token (derived from the recording) makes a CreateJob repeated within MediaConvert's idempotency
 * window return the first job.
 */
export class MediaConvertTranscoder implements Transcoder {
  readonly engine = 'mediaconvert' as const;

  constructor(private readonly options: MediaConvertTranscoderOptions) {}

  /** MediaConvert encodes whole recordings only; segments are not built during the session. */
  async encodeSegmentEarly(): Promise<void> {}

  async finalize(prefix: string): Promise<TranscodeResult> {
    const { storage } = this.options;
    const work = workKeys(prefix);
    const marker = await this.readMarker(prefix);
    if (marker?.result) {
      // A previous attempt finished but may have died while cleaning up.
      await this.removeIntermediates(prefix);
      return marker.result;
    }
    const chunks = await this.recordingChunks(prefix);
    const job = await this.findOrSubmitJob(prefix, chunks.map((chunk) => chunk.key), marker);
    const finished = await this.waitForJob(job.Id!);
    if (finished.Status !== 'COMPLETE') throw failedJobError(finished);

    const totalFrames = chunks.reduce((sum, chunk) => sum + chunk.frames, 0);
    let result: TranscodeResult;
    try {
      result = await this.normalise(prefix, Math.round((totalFrames / RECORDING_SAMPLE_RATE_HZ) * 1000));
    } catch (error) {
      // An attempt presumed dead (its lease lapsed) may have finished first and removed MediaConvert's files.
      const finishedElsewhere = (await this.readMarker(prefix))?.result;
      if (finishedElsewhere) return finishedElsewhere;
      throw error;
    }
    await storage.put(work.marker, Buffer.from(JSON.stringify({ jobId: finished.Id!, result } satisfies JobMarker)), 'application/json');
    await this.removeIntermediates(prefix);
    return result;
  }

  private async recordingChunks(prefix: string): Promise<{ key: string; frames: number }[]> {
    const keys = recordingKeys(prefix);
    const chunks = (await this.options.storage.list(keys.chunks)).flatMap((object) => {
      const seq = chunkSeqOf(object.key);
      return seq === undefined ? [] : [{ seq, key: object.key, frames: chunkFrames(object.sizeBytes) }];
    });
    chunks.forEach((chunk, index) => {
      if (chunk.seq !== index) throw new PermanentTranscodeError(`Recording chunk ${index} is missing`);
    });
    if (chunks.reduce((sum, chunk) => sum + chunk.frames, 0) === 0) throw new EmptyRecordingError('The recording contains no audio');
    if (chunks.slice(0, -1).some((chunk) => chunk.frames !== SEGMENT_SAMPLES)) throw new PermanentTranscodeError('A recording chunk is truncated');
    return chunks;
  }

  private async findOrSubmitJob(prefix: string, chunkKeys: string[], marker: JobMarker | undefined): Promise<Job> {
    const { client } = this.options;
    let previousFailure: string | undefined;
    if (marker) {
      const job = await this.getJob(marker.jobId);
      if (job && !ABANDONED.has(job.Status ?? '')) return job;
      previousFailure = marker.jobId;
    }
    const found = await this.findSubmittedJob(prefix, previousFailure);
    if (found) {
      await this.writeMarker(prefix, found.Id!);
      return found;
    }
    const inputKeys = chunkKeys.length <= (this.options.maxInputs ?? MAX_INPUTS) ? chunkKeys : [await this.joinChunks(prefix, chunkKeys)];
    const work = workKeys(prefix);
    try {
      const created = await client.send(
        new CreateJobCommand({
          Role: this.options.roleArn,
          ...(this.options.queueArn ? { Queue: this.options.queueArn } : {}),
          // A resubmission after a failed job needs a token of its own, or MediaConvert would answer with the failed job.
          ClientRequestToken: createHash('sha256').update(`${prefix}\n${previousFailure ?? ''}`).digest('hex').slice(0, 64),
          UserMetadata: { [RECORDING_TAG]: prefix },
          StatusUpdateInterval: 'SECONDS_10',
          Settings: mediaConvertJobSettings(
            inputKeys.map((key) => this.s3Uri(key)),
            { hls: this.s3Uri(`${work.hls}index`), download: this.s3Uri(recordingKeys(prefix).download.replace(/\.m4a$/, '')) },
          ),
        }),
      );
      const job = created.Job!;
      await this.writeMarker(prefix, job.Id!);
      return job;
    } catch (error) {
      throw classifyMediaConvertFailure(error);
    }
  }

  private async getJob(id: string): Promise<Job | undefined> {
    try {
      return (await this.options.client.send(new GetJobCommand({ Id: id }))).Job;
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFoundException') return undefined;
      throw classifyMediaConvertFailure(error);
    }
  }

  /** The newest live job tagged with this recording, among jobs created within the lookback window. */
  private async findSubmittedJob(prefix: string, excludeId: string | undefined): Promise<Job | undefined> {
    const since = Date.now() - (this.options.lookbackMs ?? 7 * 86_400_000);
    let NextToken: string | undefined;
    try {
      do {
        const page = await this.options.client.send(
          new ListJobsCommand({ Order: 'DESCENDING', MaxResults: 20, NextToken, ...(this.options.queueArn ? { Queue: this.options.queueArn } : {}) }),
        );
        for (const job of page.Jobs ?? []) {
          if (job.CreatedAt && job.CreatedAt.getTime() < since) return undefined;
          if (job.UserMetadata?.[RECORDING_TAG] === prefix && job.Id !== excludeId && !ABANDONED.has(job.Status ?? '')) return job;
        }
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (error) {
      throw classifyMediaConvertFailure(error);
    }
    return undefined;
  }

  private async waitForJob(id: string): Promise<Job> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 30 * 60_000);
    let delayMs = this.options.pollIntervalMs ?? 1000;
    for (;;) {
      const job = await this.getJob(id);
      if (!job) throw new Error(`MediaConvert job ${id} disappeared`);
      if (job.Status === 'COMPLETE' || ABANDONED.has(job.Status ?? '')) return job;
      if (Date.now() + delayMs > deadline) {
        throw new Error(`MediaConvert job ${id} still ${job.Status} after ${Math.round((this.options.timeoutMs ?? 1_800_000) / 1000)} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, this.options.maxPollIntervalMs ?? 15_000);
    }
  }

  /**
   * Moves MediaConvert's HLS output into the ffmpeg engine's layout (`hls/{rendition}/index.m3u8`, `seg_000000.ts`),
   * which is what the api serves and signs, and writes EchoSphere's master playlist with measured bandwidths.
   * Rerunning it rewrites the same objects.
   */
  private async normalise(prefix: string, durationMs: number): Promise<TranscodeResult> {
    const { storage } = this.options;
    const keys = recordingKeys(prefix);
    const work = workKeys(prefix);
    const renditions = [];
    for (const rendition of LADDER) {
      const playlistKey = `${work.hls}index${nameModifierOf(rendition)}.m3u8`;
      const playlist = await storage.get(playlistKey);
      if (!playlist) throw new Error(`MediaConvert did not write ${playlistKey}`);
      const produced = parseMediaPlaylist(playlist.toString('utf8'));
      if (produced.length === 0) throw new Error(`MediaConvert wrote no segments for ${rendition.name}`);
      const segments: SegmentInfo[] = [];
      for (const [seq, segment] of produced.entries()) {
        const body = await storage.get(work.hls + segment.uri);
        if (!body) throw new Error(`MediaConvert segment ${segment.uri} is missing`);
        await storage.put(keys.segment(rendition.name, seq), body, 'video/mp2t');
        segments.push({ name: keys.segmentName(seq), durationS: segment.durationS, sizeBytes: body.length });
      }
      await storage.put(keys.playlist(rendition.name), Buffer.from(mediaPlaylist(segments)), 'application/vnd.apple.mpegurl');
      renditions.push({ rendition, uri: `${rendition.name}/index.m3u8`, ...measureBandwidth(segments) });
    }
    if ((await storage.list(keys.download)).length === 0) throw new Error('MediaConvert did not write the download');
    // The master playlist goes last: its presence means every rendition is complete.
    await storage.put(keys.master, Buffer.from(masterPlaylist(renditions)), 'application/vnd.apple.mpegurl');
    return {
      durationMs,
      masterKey: keys.master,
      downloadKey: keys.download,
      renditions: renditions.map((variant) => renditionInfo(variant, keys.playlist(variant.rendition.name))),
    };
  }

  /** One WAV of the whole recording, streamed chunk by chunk (a multipart upload; never all in memory). */
  private async joinChunks(prefix: string, chunkKeys: string[]): Promise<string> {
    const { storage } = this.options;
    const key = workKeys(prefix).joined;
    const sizes = new Map((await storage.list(recordingKeys(prefix).chunks)).map((object) => [object.key, object.sizeBytes]));
    const dataBytes = chunkKeys.reduce((sum, chunkKey) => sum + (sizes.get(chunkKey) ?? WAV_HEADER_BYTES) - WAV_HEADER_BYTES, 0);
    async function* body() {
      yield wavHeader(dataBytes);
      for (const chunkKey of chunkKeys) {
        const chunk = await storage.get(chunkKey);
        if (!chunk) throw new PermanentTranscodeError(`Recording chunk ${chunkKey} vanished`);
        yield chunk.subarray(WAV_HEADER_BYTES);
      }
    }
    await storage.putStream(key, Readable.from(body()), 'audio/wav');
    return key;
  }

  private async readMarker(prefix: string): Promise<JobMarker | undefined> {
    const body = await this.options.storage.get(workKeys(prefix).marker);
    if (!body) return undefined;
    try {
      const marker = JSON.parse(body.toString('utf8')) as JobMarker;
      return typeof marker.jobId === 'string' ? marker : undefined;
    } catch {
      return undefined;
    }
  }

  private writeMarker(prefix: string, jobId: string): Promise<void> {
    return this.options.storage.put(workKeys(prefix).marker, Buffer.from(JSON.stringify({ jobId } satisfies JobMarker)), 'application/json');
  }

  /** MediaConvert's own playlists and segments (now copied) and the joined WAV; the marker stays as the record. */
  private async removeIntermediates(prefix: string): Promise<void> {
    const work = workKeys(prefix);
    await deletePrefix(this.options.storage, work.hls);
    await this.options.storage.deleteMany([work.joined]);
  }

  private s3Uri(key: string): string {
    return `s3://${this.options.bucket}/${this.options.keyPrefix}${key}`;
  }
}

/**
 * MediaConvert's working area inside the recording's folder.
 * @internal exported for its tests
 */
export function workKeys(prefix: string) {
  return {
    marker: `${prefix}mediaconvert/job.json`,
    joined: `${prefix}mediaconvert/recording.wav`,
    hls: `${prefix}mediaconvert/hls/`,
  };
}

/** Segment URIs and durations of a media playlist, in order. */
function parseMediaPlaylist(text: string): { uri: string; durationS: number }[] {
  const segments: { uri: string; durationS: number }[] = [];
  let durationS: number | undefined;
  for (const line of text.split(/\r?\n/).map((raw) => raw.trim())) {
    if (line.startsWith('#EXTINF:')) durationS = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line && !line.startsWith('#')) {
      if (durationS === undefined || !Number.isFinite(durationS)) throw new Error(`Playlist entry ${line} has no duration`);
      // MediaConvert writes segment names relative to the playlist; anything else would escape the work folder.
      if (!/^[\w.-]+$/.test(line)) throw new Error(`Unexpected segment URI ${line}`);
      segments.push({ uri: line, durationS });
      durationS = undefined;
    }
  }
  return segments;
}
