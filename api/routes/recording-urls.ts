import type { Request } from 'express';
import type { Config } from '../../core/config.ts';
import { PlatformError } from '../../core/errors.ts';
import type { RecordingRow } from '../../core/repositories/recordings.ts';
import type { ApiDeps } from '../deps.ts';
import { toPublicRecordingBase } from '../presenters/recording.ts';

export function mediaOf(deps: ApiDeps): NonNullable<ApiDeps['media']> {
  if (!deps.media) throw new PlatformError('internal', 'recordings_unavailable', 'Recording media is not configured on this server.', undefined, 503);
  return deps.media;
}

function publicBaseUrl(config: Config, req: Request): string {
  return config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
}

/**
 * The public recording with freshly signed URLs. Playlists are always served by the api under one signature that
 * covers the recording's folder; segments come from the api (local storage) or straight from S3 (presigned URLs
 * written into the media playlists by the media route). The download is a presigned S3 URL when there is one.
 */
export async function toPublicRecording(deps: ApiDeps, req: Request, row: RecordingRow) {
  const base = toPublicRecordingBase(row);
  if (row.status !== 'ready' || !row.renditions || !row.download_key) {
    return { ...base, playback: null, renditions: [], download_url: null, expires_at: null };
  }
  const media = mediaOf(deps);
  const expiresAtS = Math.floor(Date.now() / 1000) + deps.config.playbackUrlTtlS;
  const signed = media.urls.signedBase(publicBaseUrl(deps.config, req), row.org_id, row.session_id, expiresAtS);
  const relative = (key: string) => key.slice(row.source_key.length);
  const expiresAt = new Date(expiresAtS * 1000).toISOString();
  const downloadUrl =
    (await media.storage.presignGet(row.download_key, expiresAtS - Date.now() / 1000, `${row.session_id}.m4a`)) ??
    signed + relative(row.download_key);
  return {
    ...base,
    playback: { hls_url: signed + relative(row.renditions.master_key), expires_at: expiresAt },
    renditions: row.renditions.items.map((item) => ({
      name: item.name,
      bandwidth: item.bandwidth,
      average_bandwidth: item.average_bandwidth,
      codecs: item.codecs,
      channels: item.channels,
      sample_rate_hz: item.sample_rate_hz,
      hls_url: signed + relative(item.playlist_key),
    })),
    download_url: downloadUrl,
    expires_at: expiresAt,
  };
}
