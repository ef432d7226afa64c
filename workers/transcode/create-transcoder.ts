import type { Config } from '../../core/config.ts';
import type { ObjectStorage } from '../../core/storage/object-storage.ts';
import { resolveFfmpeg } from './ffmpeg-binary.ts';
import { FfmpegTranscoder } from './ffmpeg-transcoder.ts';
import type { Transcoder } from './transcoder.ts';

export function createTranscoder(config: Pick<Config, 'transcode'>, storage: ObjectStorage): Transcoder {
  return new FfmpegTranscoder({ ffmpeg: resolveFfmpeg(config.transcode.ffmpegPath), storage, concurrency: config.transcode.concurrency });
}
