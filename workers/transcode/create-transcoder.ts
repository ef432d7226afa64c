import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import type { Config } from '../../core/config.ts';
import type { ObjectStorage } from '../../core/storage/object-storage.ts';
import { resolveFfmpeg } from './ffmpeg-binary.ts';
import { FfmpegTranscoder } from './ffmpeg-transcoder.ts';
import { MediaConvertTranscoder } from './mediaconvert-transcoder.ts';
import type { Transcoder } from './transcoder.ts';

export function createTranscoder(config: Pick<Config, 'transcode' | 'storage' | 'awsRegion'>, storage: ObjectStorage): Transcoder {
  if (config.transcode.engine === 'mediaconvert') {
    // parseConfig refuses mediaconvert without S3 storage and a role, so both are present here.
    const { endpoint, roleArn, queueArn } = config.transcode.mediaConvert;
    return new MediaConvertTranscoder({
      client: new MediaConvertClient({ region: config.awsRegion, ...(endpoint ? { endpoint } : {}) }),
      storage,
      bucket: config.storage.s3Bucket!,
      keyPrefix: config.storage.s3Prefix,
      roleArn: roleArn!,
      queueArn,
    });
  }
  return new FfmpegTranscoder({ ffmpeg: resolveFfmpeg(config.transcode.ffmpegPath), storage, concurrency: config.transcode.concurrency });
}
