import { runSql, type Transaction } from '../db/database.ts';
import { sql } from '../db/sql.ts';
import type { EventType } from './catalogue.ts';
import { newId } from '../ids.ts';
import { serverUrlReceives, subscribes } from './event-subscriptions.ts';
import { fetchPage, type Page } from '../db/pagination.ts';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One try, as kept in `webhook_deliveries.attempts` and shown in the delivery log. */
export interface DeliveryAttempt {
  attempted_at: string;
  url: string;
  /** The HTTP status, or null when no response came (timeout, refused address, network error). */
  status_code: number | null;
  latency_ms: number;
  /** Why the attempt failed without a response, or why a response did not count as success. */
  error: string | null;
  /** The start of the response body. */
  response_body: string | null;
}

export interface WebhookDeliveryRow {
  id: string;
  org_id: string;
  event_id: string;
  endpoint_id: string | null;
  url: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  attempt_count: number;
  next_attempt_at: Date | null;
  lease_id: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Where an event goes: an org endpoint, or (endpointId null) the assistant's `server_url`. */
export interface DeliveryTarget {
  eventId: string;
  orgId: string;
  endpointId: string | null;
  url: string;
}

export interface EventForFanOut {
  id: string;
  org_id: string;
  type: string;
  session_id: string | null;
  assistant_id: string | null;
}

/**
 * The targets of each event. An assistant's `server_url` (from the session's assistant snapshot, or the assistant itself
 * for events without a session) overrides the org endpoints for the events it receives; opt-in types such as
 * `transcript.final` still go to org endpoints that subscribe to them by name. `webhook.test` is targeted at creation.
 */
export async function resolveTargets(trx: Transaction, events: readonly EventForFanOut[]): Promise<DeliveryTarget[]> {
  if (events.length === 0) return [];
  const orgIds = [...new Set(events.map((event) => event.org_id))];
  const sessionIds = [...new Set(events.flatMap((event) => (event.session_id ? [event.session_id] : [])))];
  const bareAssistantIds = [...new Set(events.flatMap((event) => (!event.session_id && event.assistant_id ? [event.assistant_id] : [])))];

  const [endpoints, sessions, assistants] = await Promise.all([
    trx('webhook_endpoints').whereIn('org_id', orgIds).andWhere({ enabled: true }).select('id', 'org_id', 'url', 'event_types'),
    sessionIds.length
      ? trx('sessions').whereIn('id', sessionIds).select('id', trx.raw(`assistant->>'server_url' AS server_url`))
      : Promise.resolve([]),
    bareAssistantIds.length
      ? trx('assistants').whereIn('id', bareAssistantIds).select('id', trx.raw(`config->>'server_url' AS server_url`))
      : Promise.resolve([]),
  ]);
  const serverUrlBySession = new Map<string, string | null>(sessions.map((row: { id: string; server_url: string | null }) => [row.id, row.server_url]));
  const serverUrlByAssistant = new Map<string, string | null>(assistants.map((row: { id: string; server_url: string | null }) => [row.id, row.server_url]));

  const targets: DeliveryTarget[] = [];
  for (const event of events) {
    const serverUrl = event.session_id ? serverUrlBySession.get(event.session_id) : event.assistant_id ? serverUrlByAssistant.get(event.assistant_id) : null;
    if (serverUrl && serverUrlReceives(event.type)) {
      targets.push({ eventId: event.id, orgId: event.org_id, endpointId: null, url: serverUrl });
      continue;
    }
    for (const endpoint of endpoints as Array<{ id: string; org_id: string; url: string; event_types: string[] }>) {
      if (endpoint.org_id !== event.org_id) continue;
      const matches = serverUrl ? endpoint.event_types.includes(event.type) : subscribes(endpoint.event_types, event.type);
      if (matches) targets.push({ eventId: event.id, orgId: event.org_id, endpointId: endpoint.id, url: endpoint.url });
    }
  }
  return targets;
}

/** Claims a delivery for the caller as it is created, when `take` says this worker can attempt it now. */
export interface InsertLease {
  leaseId: string;
  leaseMs: number;
  take: (target: DeliveryTarget) => boolean;
}

/** The key under which attempts to one receiver are counted: its endpoint, or the server_url itself. */
export function targetKey(target: { endpointId?: string | null; endpoint_id?: string | null; url: string }): string {
  return target.endpointId ?? target.endpoint_id ?? target.url;
}

/** Inserts pending deliveries; those `lease.take` accepts are claimed straight away for the caller (the fast path). */
export async function insertDeliveries(trx: Transaction, targets: readonly DeliveryTarget[], lease?: InsertLease): Promise<{ ids: string[]; leasedIds: string[] }> {
  if (targets.length === 0) return { ids: [], leasedIds: [] };
  const leasedIds: string[] = [];
  const rows = targets.map((target) => {
    const id = newId('webhookDelivery');
    const leased = lease !== undefined && lease.take(target);
    if (leased) leasedIds.push(id);
    return {
      id,
      org_id: target.orgId,
      event_id: target.eventId,
      endpoint_id: target.endpointId,
      url: target.url,
      status: 'pending',
      next_attempt_at: leased ? trx.raw(`now() + ? * interval '1 millisecond'`, [lease.leaseMs]) : trx.fn.now(),
      lease_id: leased ? lease.leaseId : null,
    };
  });
  for (let start = 0; start < rows.length; start += 500) await trx('webhook_deliveries').insert(rows.slice(start, start + 500));
  return { ids: rows.map((row) => row.id), leasedIds };
}

/** Joins claimed deliveries (a CTE named `d`) with their event, endpoint and, for server_url deliveries, org secret. */
const CLAIMED_COLUMNS = sql`
  SELECT d.id, d.org_id, d.lease_id, d.event_id, d.endpoint_id, d.url, d.attempt_count,
         e.type AS event_type, e.session_id AS event_session_id, e.assistant_id AS event_assistant_id,
         e.data AS event_data, e.created_at AS event_created_at,
         ep.url AS endpoint_url, ep.enabled AS endpoint_enabled, ep.sealed_secret, ep.sealed_previous_secret,
         ep.previous_secret_expires_at, o.tool_signing_secret AS org_signing_secret
  FROM d
  JOIN events e ON e.id = d.event_id
  LEFT JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
  LEFT JOIN organizations o ON o.id = d.org_id AND d.endpoint_id IS NULL`;

/**
 * Claims up to `limit` due deliveries for this worker and returns what their attempts need, in one statement: SKIP
 * LOCKED lets several workers claim side by side, and the lease (next_attempt_at pushed `leaseMs` ahead) makes a
 * crashed worker's claims due again once it runs out.
 */
export async function claimDueDeliveries(
  trx: Transaction,
  leaseId: string,
  limit: number,
  leaseMs: number,
  /** Target keys (see `targetKey`) this worker cannot take more attempts for right now. */
  busyTargets: readonly string[] = [],
): Promise<ClaimedDelivery[]> {
  const rows = await runSql(
    trx,
    sql`WITH due AS (
       SELECT id FROM webhook_deliveries
       WHERE status = 'pending' AND next_attempt_at <= now()
         AND coalesce(endpoint_id, url) NOT IN (SELECT jsonb_array_elements_text(${JSON.stringify(busyTargets)}::jsonb))
       ORDER BY next_attempt_at
       LIMIT ${limit} FOR UPDATE SKIP LOCKED
     ), d AS (
       UPDATE webhook_deliveries d
       SET lease_id = ${leaseId}, next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
       FROM due WHERE d.id = due.id
       RETURNING d.id, d.org_id, d.lease_id, d.event_id, d.endpoint_id, d.url, d.attempt_count
     )
     ${CLAIMED_COLUMNS}`,
  );
  return rows as ClaimedDelivery[];
}

/** Gives claimed deliveries back unattempted, due at once (for another worker, or for this one when it has room). */
export async function releaseDeliveries(trx: Transaction, ids: readonly string[], leaseId: string): Promise<void> {
  if (ids.length === 0) return;
  await trx('webhook_deliveries').whereIn('id', ids).andWhere({ lease_id: leaseId }).update({ lease_id: null, next_attempt_at: trx.fn.now() });
}

/** Everything an attempt needs, for deliveries this worker holds the lease of. */
export interface ClaimedDelivery {
  id: string;
  org_id: string;
  lease_id: string;
  event_id: string;
  endpoint_id: string | null;
  url: string;
  attempt_count: number;
  event_type: EventType;
  event_session_id: string | null;
  event_assistant_id: string | null;
  event_data: Record<string, unknown>;
  event_created_at: Date;
  /** Null for server_url deliveries, and when the endpoint was deleted meanwhile. */
  endpoint_url: string | null;
  endpoint_enabled: boolean | null;
  sealed_secret: string | null;
  sealed_previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  org_signing_secret: string | null;
}

export async function loadClaimedDeliveries(trx: Transaction, ids: readonly string[], leaseId: string): Promise<ClaimedDelivery[]> {
  if (ids.length === 0) return [];
  const rows = await runSql(
    trx,
    sql`WITH d AS (
       SELECT id, org_id, lease_id, event_id, endpoint_id, url, attempt_count FROM webhook_deliveries
       WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)) AND lease_id = ${leaseId}
     )
     ${CLAIMED_COLUMNS}`,
  );
  return rows as ClaimedDelivery[];
}

/** The outcome of one claimed delivery, written back in batches. */
export interface DeliveryOutcome {
  id: string;
  lease_id: string;
  status: DeliveryStatus;
  /** Null when nothing was sent (the endpoint was disabled before the attempt). */
  attempt: DeliveryAttempt | null;
  retry_delay_ms: number | null;
  failure_reason: string | null;
}

/**
 * Writes outcomes, but only for deliveries whose lease is still ours: a worker that outlived its lease (and whose
 * delivery another worker has re-claimed) must not overwrite the newer record. In the same statement, because it runs
 * on every pass, endpoints that just succeeded get their failure clock cleared (see `recordEndpointHealth`).
 */
export async function recordOutcomes(trx: Transaction, outcomes: readonly DeliveryOutcome[], succeededEndpointIds: readonly string[] = []): Promise<void> {
  if (outcomes.length === 0) return;
  await runSql(
    trx,
    sql`WITH healed AS (
       UPDATE webhook_endpoints SET failing_since = NULL
       WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify([...new Set(succeededEndpointIds)])}::jsonb)) AND failing_since IS NOT NULL
     )
     UPDATE webhook_deliveries d SET
       status = r.status,
       attempts = CASE WHEN r.attempt IS NULL THEN d.attempts ELSE d.attempts || jsonb_build_array(r.attempt) END,
       attempt_count = d.attempt_count + CASE WHEN r.attempt IS NULL THEN 0 ELSE 1 END,
       next_attempt_at = CASE WHEN r.status = 'pending' THEN now() + r.retry_delay_ms * interval '1 millisecond' END,
       failure_reason = r.failure_reason,
       lease_id = NULL,
       updated_at = now()
     FROM jsonb_to_recordset(${JSON.stringify(outcomes)}::jsonb) AS r(id text, lease_id text, status text, attempt jsonb, retry_delay_ms bigint, failure_reason text)
     WHERE d.id = r.id AND d.lease_id = r.lease_id`,
  );
}

export async function eventTypesById(trx: Transaction, orgId: string, eventIds: readonly string[]): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const rows: Array<{ id: string; type: string }> = await trx('events').where({ org_id: orgId }).whereIn('id', [...new Set(eventIds)]).select('id', 'type');
  return new Map(rows.map((row) => [row.id, row.type]));
}

export async function listEndpointDeliveries(trx: Transaction, orgId: string, endpointId: string, status: DeliveryStatus | undefined, page: Page) {
  const query = trx('webhook_deliveries').where({ org_id: orgId, endpoint_id: endpointId });
  if (status) query.andWhere({ status });
  return fetchPage<WebhookDeliveryRow>(query, page);
}
