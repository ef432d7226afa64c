import { Router } from 'express';
import { PlatformError } from '../../core/errors.ts';
import { getRecordingForSession, markRecordingDeleted } from '../../core/repositories/recordings.ts';
import { deletePrefix } from '../../core/storage/object-storage.ts';
import type { ApiDeps } from '../deps.ts';
import { authOf } from '../http/request-context.ts';
import { pathId } from '../http/route-helpers.ts';
import { mediaOf, toPublicRecording } from './recording-urls.ts';

const noRecording = (sessionId: string) =>
  new PlatformError('not_found', 'recording_not_found', `Session "${sessionId}" has no recording.`, 'id');

export function recordingRoutes(deps: ApiDeps): Router {
  const router = Router();
  const { db } = deps;

  router.get('/:id/recording', async (req, res) => {
    const { orgId } = authOf(req);
    const sessionId = pathId(req, 'session', 'session');
    const row = await db.tenant(orgId, (trx) => getRecordingForSession(trx, orgId, sessionId));
    if (!row) throw noRecording(sessionId);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await toPublicRecording(deps, req, row));
  });

  router.delete('/:id/recording', async (req, res) => {
    const { orgId } = authOf(req);
    const sessionId = pathId(req, 'session', 'session');
    const row = await db.tenant(orgId, (trx) => getRecordingForSession(trx, orgId, sessionId));
    if (!row) throw noRecording(sessionId);
    if (row.status === 'recording' || row.status === 'processing') {
      throw new PlatformError('conflict', 'recording_in_progress', 'The recording is still being made; delete it once it is ready or failed.');
    }
    // Media first: if deleting it fails the row still points at it and the request can be repeated.
    if (row.status !== 'deleted') await deletePrefix(mediaOf(deps).storage, row.source_key);
    const deleted = (await db.tenant(orgId, (trx) => markRecordingDeleted(trx, orgId, row.id))) ?? row;
    res.json(await toPublicRecording(deps, req, deleted));
  });

  return router;
}
