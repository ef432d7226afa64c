const TONES: Record<string, string> = {
  active: 'info',
  created: 'neutral',
  ended: 'success',
  failed: 'danger',
  succeeded: 'success',
  pending: 'warning',
  ready: 'success',
  processing: 'warning',
  recording: 'info',
  enabled: 'success',
  disabled: 'neutral',
  revoked: 'neutral',
  completed: 'success',
  running: 'info',
  skipped: 'neutral',
  queued: 'neutral',
  passed: 'success',
  error: 'danger',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${TONES[status] ?? 'neutral'}`}>{status}</span>;
}
