import { Router, type Response } from 'express';
import { PlatformError } from '../../core/errors.ts';
import { isId } from '../../core/ids.ts';
import { getRecordingForSession } from '../../core/repositories/recordings.ts';
import type { ApiDeps } from '../deps.ts';
import { mediaOf } from './recording-urls.ts';

/** The only files a signed URL can reach below a recording's folder. */
const SERVABLE = /^(hls\/master\.m3u8|hls\/[a-z0-9_]{1,40}\/index\.m3u8|hls\/[a-z0-9_]{1,40}\/seg_\d{6}\.ts|download\.m4a)$/;
const SAFE_SEGMENT = /^[A-Za-z0-9_.-]+$/;

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4a: 'audio/mp4',
};

const forbidden = (message: string) => new PlatformError('permission', 'invalid_media_signature', message);
const notFound = () => new PlatformError('not_found', 'media_not_found', 'No such media.');

/**
 * Unauthenticated media: `/media/{org}/{session}/{expires}/{signature}/{path}` (see MediaUrlSigner). Players fetch
 * playlists and segments without API keys, so the URL itself is the credential: forged, expired and cross-tenant
 * URLs fail the signature, and the path is matched against an allow-list before it reaches storage.
 */
export function mediaRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.get('/media/*rest', async (req, res) => {
    const media = mediaOf(deps);
    // req.path is not percent-decoded, so an encoded "../" or "/" cannot slip past the segment check.
    const parts = req.path.split('/').slice(2);
    const [orgId, sessionId, expires, signature, ...rest] = parts;
    if (!orgId || !sessionId || !expires || !signature || rest.length === 0) throw notFound();
    if (parts.some((part) => !SAFE_SEGMENT.test(part) || part === '.' || part === '..')) throw notFound();
    const relative = rest.join('/');
    if (!isId('organization', orgId) || !isId('session', sessionId) || !/^\d{1,12}$/.test(expires) || !SERVABLE.test(relative)) {
      throw notFound();
    }
    const verdict = media.urls.verify(orgId, sessionId, Number(expires), signature);
    if (verdict === 'invalid') throw forbidden('The media URL signature is not valid.');
    if (verdict === 'expired') throw forbidden('The media URL has expired; fetch the recording again for fresh URLs.');

    const recording = await deps.db.tenant(orgId, (trx) => getRecordingForSession(trx, orgId, sessionId));
    if (!recording || recording.status !== 'ready') throw notFound();
    const key = recording.source_key + relative;
    const extension = relative.slice(relative.lastIndexOf('.') + 1);
    const remainingS = Number(expires) - Date.now() / 1000;
    res.setHeader('Content-Type', CONTENT_TYPES[extension] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', `private, max-age=${Math.max(0, Math.floor(Math.min(remainingS, 86_400)))}`);
    res.setHeader('Access-Control-Allow-Origin', '*');

    if (media.storage.kind === 's3' && extension !== 'm3u8') {
      const url = await media.storage.presignGet(key, remainingS, extension === 'm4a' ? `${sessionId}.m4a` : undefined);
      return res.redirect(302, url!);
    }
    if (media.storage.kind === 's3' && relative !== 'hls/master.m3u8') {
      return sendPresignedPlaylist(res, deps, key, remainingS);
    }
    const found = await media.storage.getStream(key);
    if (!found) throw notFound();
    res.setHeader('Content-Length', String(found.sizeBytes));
    found.body.pipe(res);
  });

  return router;
}

/** A media playlist whose segment URIs point straight at S3, presigned until the signed URL itself expires. */
async function sendPresignedPlaylist(res: Response, deps: ApiDeps, key: string, remainingS: number): Promise<void> {
  const { storage } = mediaOf(deps);
  const playlist = await storage.get(key);
  if (!playlist) throw notFound();
  const folder = key.slice(0, key.lastIndexOf('/') + 1);
  const lines = await Promise.all(
    playlist
      .toString('utf8')
      .split('\n')
      .map(async (line) => (line && !line.startsWith('#') && SAFE_SEGMENT.test(line) ? ((await storage.presignGet(folder + line, remainingS)) ?? line) : line)),
  );
  res.send(lines.join('\n'));
}
