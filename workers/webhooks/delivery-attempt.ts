import { toPublicEvent } from '../../contract/event.ts';
import { OutboundRequestError, type GuardedHttpClient } from '../../core/net/guarded-http.ts';
import type { ClaimedDelivery, DeliveryAttempt, DeliveryOutcome } from '../../core/webhooks/deliveries.ts';
import { signingSecrets } from '../../core/webhooks/endpoints.ts';
import { nextRetryDelayMs, parseRetryAfter, type RetryPolicy } from '../../core/webhooks/retry-schedule.ts';
import { webhookHeaders } from '../../core/webhooks/webhook-signer.ts';
import type { OpenedSecrets } from './opened-secrets.ts';

export interface AttemptSettings {
  http: GuardedHttpClient;
  secrets: OpenedSecrets;
  retryPolicy: RetryPolicy;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** What an attempt says about the endpoint's health (server_url deliveries have no endpoint to judge). */
export type EndpointSignal = { endpointId: string; result: 'succeeded' | 'failed' | 'gone' };

export interface AttemptResult {
  outcome: DeliveryOutcome;
  signal?: EndpointSignal;
}

const USER_AGENT = 'EchoSphere-Webhooks/1';

/** The webhook body of a delivery's event: the event's public JSON, the same bytes for every endpoint and retry. */
export function eventBody(delivery: ClaimedDelivery): string {
  return JSON.stringify(
    toPublicEvent({
      id: delivery.event_id,
      org_id: delivery.org_id,
      type: delivery.event_type,
      session_id: delivery.event_session_id,
      assistant_id: delivery.event_assistant_id,
      data: delivery.event_data,
      created_at: new Date(delivery.event_created_at),
    }),
  );
}

/** One delivery attempt: sign `body` (see `eventBody`), POST, and decide what happens next. Never throws. */
export async function attemptDelivery(delivery: ClaimedDelivery, body: string, settings: AttemptSettings): Promise<AttemptResult> {
  const base = { id: delivery.id, lease_id: delivery.lease_id };
  if (delivery.endpoint_id && !delivery.endpoint_enabled) {
    return { outcome: { ...base, status: 'failed', attempt: null, retry_delay_ms: null, failure_reason: 'endpoint_disabled' } };
  }

  const url = delivery.endpoint_url ?? delivery.url;
  const attemptedAt = new Date();
  const headers = {
    ...webhookHeaders({ id: delivery.event_id, timestampS: Math.floor(attemptedAt.getTime() / 1000), body }, secretsFor(delivery, settings.secrets)),
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
  };

  let attempt: DeliveryAttempt;
  let retryAfterMs: number | undefined;
  try {
    const response = await settings.http.post(url, { headers, body, timeoutMs: settings.timeoutMs, maxResponseBytes: settings.maxResponseBytes });
    attempt = {
      attempted_at: attemptedAt.toISOString(),
      url,
      status_code: response.status,
      latency_ms: response.durationMs,
      error: response.status >= 300 && response.status < 400 ? 'redirects are not followed' : null,
      response_body: response.body || null,
    };
    if (response.status >= 200 && response.status < 300) {
      return { outcome: { ...base, status: 'succeeded', attempt, retry_delay_ms: null, failure_reason: null }, ...signal(delivery, 'succeeded') };
    }
    if (response.status === 410) {
      return { outcome: { ...base, status: 'failed', attempt, retry_delay_ms: null, failure_reason: 'endpoint_gone' }, ...signal(delivery, 'gone') };
    }
    if (response.status === 429 || response.status === 503) {
      const header = response.headers['retry-after'];
      retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header);
    }
  } catch (error) {
    const known = error instanceof OutboundRequestError;
    attempt = {
      attempted_at: attemptedAt.toISOString(),
      url,
      status_code: null,
      latency_ms: known ? error.durationMs : Math.round(Date.now() - attemptedAt.getTime()),
      error: known ? error.message : 'internal error while sending',
      response_body: null,
    };
    // The address policy refused the URL (or every address its host resolves to): the next attempts would be refused
    // the same way, so the delivery fails now rather than knocking on a forbidden address for a day.
    if (known && error.failure === 'unsafe_url') {
      return { outcome: { ...base, status: 'failed', attempt, retry_delay_ms: null, failure_reason: 'unsafe_url' }, ...signal(delivery, 'failed') };
    }
  }

  const delay = nextRetryDelayMs(delivery.attempt_count + 1, settings.retryPolicy, retryAfterMs);
  const outcome: DeliveryOutcome =
    delay === undefined
      ? { ...base, status: 'failed', attempt, retry_delay_ms: null, failure_reason: 'attempts_exhausted' }
      : { ...base, status: 'pending', attempt, retry_delay_ms: delay, failure_reason: null };
  return { outcome, ...signal(delivery, 'failed') };
}

function signal(delivery: ClaimedDelivery, result: EndpointSignal['result']): { signal?: EndpointSignal } {
  return delivery.endpoint_id ? { signal: { endpointId: delivery.endpoint_id, result } } : {};
}

/**
 * Endpoint deliveries are signed with the endpoint's secret(s); server_url deliveries with the organization's server
 * signing secret (sealed at rest), the same one tool calls to customer servers are signed with.
 */
function secretsFor(delivery: ClaimedDelivery, secrets: OpenedSecrets): string[] {
  if (delivery.sealed_secret) {
    return signingSecrets(
      {
        sealed_secret: delivery.sealed_secret,
        sealed_previous_secret: delivery.sealed_previous_secret,
        previous_secret_expires_at: delivery.previous_secret_expires_at ? new Date(delivery.previous_secret_expires_at) : null,
      },
      secrets,
    );
  }
  return [secrets.open(delivery.org_signing_secret!)];
}
