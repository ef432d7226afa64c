/**
 * Every event EchoSphere records in its outbox, with the payload customers receive as `data`.
 * The OpenAPI `webhooks` section documents the same catalogue; the two are kept in step by the contract tests.
 */
export const EVENT_TYPES = [
  'session.created',
  'session.started',
  'session.ended',
  'transcript.final',
  'recording.ready',
  'recording.failed',
  'recording.skipped',
  'evaluation.completed',
  'evaluation.failed',
  'test_run.completed',
  'endpoint.disabled',
  'webhook.test',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Events delivered only to endpoints that subscribe to them by name (never through a wildcard). */
export const OPT_IN_EVENT_TYPES: readonly EventType[] = ['transcript.final'];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}
