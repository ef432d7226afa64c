import type { Schemas } from '../../api/client';

export const SUBSCRIBABLE_EVENTS: { type: Schemas['EventTypeSelector']; label: string }[] = [
  { type: '*', label: 'Everything (except opt-in events)' },
  { type: 'session.created', label: 'session.created' },
  { type: 'session.started', label: 'session.started' },
  { type: 'session.ended', label: 'session.ended — end-of-session report' },
  { type: 'transcript.final', label: 'transcript.final (opt-in)' },
  { type: 'recording.ready', label: 'recording.ready' },
  { type: 'recording.failed', label: 'recording.failed' },
  { type: 'recording.skipped', label: 'recording.skipped — nothing was heard' },
  { type: 'endpoint.disabled', label: 'endpoint.disabled' },
];
