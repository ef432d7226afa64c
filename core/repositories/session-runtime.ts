import { chargeEndingSession, DEFAULT_SESSION_BILLING, type SessionBilling } from '../billing/session-charge.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { PublicCost } from '../billing/session-cost.ts';
import type { Database, Transaction } from '../db/database.ts';
import type { SessionLatency, SessionUsage, Transport } from '../domain/session.ts';
import { appendEvent, appendEventStatement } from '../events/outbox.ts';
import { requestEvaluationAtSessionEnd } from '../evaluations/evaluation-jobs.ts';
import { sql } from '../db/sql.ts';
import { newId } from '../ids.ts';
import { openProviderCredential, type ProviderCredentialRow } from './provider-credentials.ts';

/**
 * What the agent runtime reads and writes while it runs a session: the stream claim, the transcript as it happens,
 * and the end-of-session report. Every tenant write runs as the tenant role (RLS) and records its outbox event in
 * the same transaction.
 */

export interface StreamSessionRow {
  id: string;
  org_id: string;
  assistant_id: string;
  assistant: unknown;
  audio: unknown;
  metadata: Record<string, string>;
  status: 'created' | 'active' | 'ended' | 'failed';
  ended_reason: string | null;
  stream_token_hash: Buffer | null;
  stream_token_expires_at: Date | null;
  started_at: Date | null;
}

/**
 * Looks a session up by id alone. Cross-tenant by nature (the connecting client holds only a session id and its
 * token, no API key), so it runs as the system role; the caller must verify the token before trusting the row.
 */
export async function findSessionForStream(db: Database, sessionId: string): Promise<StreamSessionRow | undefined> {
  return db.system((trx) =>
    trx<StreamSessionRow>('sessions')
      .where({ id: sessionId })
      .first('id', 'org_id', 'assistant_id', 'assistant', 'audio', 'metadata', 'status', 'ended_reason', 'stream_token_hash', 'stream_token_expires_at', 'started_at'),
  );
}

/**
 * created → active, exactly once: the conditional update is the lock, so of two racing connections one wins and the
 * other sees `undefined` (4009). That makes the token single-use; its hash stays, so the gateway can still tell the
 * token's holder (who may learn that the session is live or over) from anyone else (who may not).
 */
export async function claimSessionForStream(db: Database, orgId: string, sessionId: string, transport: Transport = 'websocket'): Promise<{ startedAt: Date } | undefined> {
  return db.tenant(orgId, async (trx) => {
    const [row] = await trx('sessions')
      .where({ org_id: orgId, id: sessionId, status: 'created' })
      .update({ status: 'active', started_at: trx.fn.now() })
      .returning(['id', 'assistant_id', 'started_at']);
    if (!row) return undefined;
    const startedAt = row.started_at as Date;
    await appendEvent(trx, {
      orgId,
      type: 'session.started',
      sessionId,
      assistantId: row.assistant_id as string,
      data: { session_id: sessionId, assistant_id: row.assistant_id, transport, started_at: startedAt.toISOString() },
    });
    return { startedAt };
  });
}

export interface RuntimeSecrets {
  credentials: Map<string, { apiKey: string; baseUrl?: string }>;
  toolSigningSecret: string;
}

/** The organization's provider keys and tool signing secret, decrypted for the lifetime of one session. */
export async function loadRuntimeSecrets(db: Database, secretBox: SecretBox, orgId: string): Promise<RuntimeSecrets> {
  return db.tenant(orgId, async (trx) => {
    const org = await trx('organizations').where({ id: orgId }).first('tool_signing_secret');
    if (!org) throw new Error(`Organization ${orgId} not found`);
    const rows = await trx<ProviderCredentialRow>('provider_credentials').where({ org_id: orgId }).select('provider', 'sealed_api_key', 'base_url');
    const credentials = new Map(rows.map((row) => [row.provider as string, openProviderCredential(row, secretBox)]));
    return { credentials, toolSigningSecret: secretBox.open(org.tool_signing_secret as string) };
  });
}

export interface NewMessage {
  role: 'user' | 'assistant' | 'tool' | 'system';
  text: string;
  /**
   * When it started being spoken or typed (epoch ms). Its id is made from this time, so a transcript sorted by id
   * reads in the order things were said even when a message is stored late (an interrupted greeting is only complete
   * after the caller's words that cut it). Without it, the time of storing.
   */
  spokenAt?: number;
  startMs: number | null;
  endMs: number | null;
  interrupted: boolean;
  toolCalls?: unknown[] | null;
  toolResult?: Record<string, unknown> | null;
  metrics?: Record<string, number | null> | null;
}

export interface SessionRef {
  orgId: string;
  sessionId: string;
  assistantId: string;
}

/**
 * One transcript item; spoken/typed user and assistant text also becomes a `transcript.final` event. Two of these
 * are written per turn, so they go as one statement in one round trip (a knex transaction would cost six).
 */
export async function appendSessionMessage(db: Database, ref: SessionRef, message: NewMessage): Promise<string> {
  const id = newId('message', message.spokenAt === undefined ? undefined : Math.round(message.spokenAt));
  const json = (value: unknown) => (value ? JSON.stringify(value) : null);
  const inserted = sql`INSERT INTO messages (id, org_id, session_id, role, text, start_ms, end_ms, interrupted, tool_calls, tool_result, metrics)
    VALUES (${id}, ${ref.orgId}, ${ref.sessionId}, ${message.role}, ${message.text}, ${message.startMs}, ${message.endMs},
            ${message.interrupted}, ${json(message.toolCalls)}::jsonb, ${json(message.toolResult)}::jsonb, ${json(message.metrics)}::jsonb)`;
  const statements = [inserted];
  if ((message.role === 'user' || message.role === 'assistant') && message.text) {
    const data = {
      session_id: ref.sessionId,
      message_id: id,
      role: message.role,
      text: message.text,
      start_ms: message.startMs,
      end_ms: message.endMs,
      interrupted: message.interrupted,
    };
    statements.push(appendEventStatement({ orgId: ref.orgId, type: 'transcript.final', sessionId: ref.sessionId, assistantId: ref.assistantId, data }));
  }
  await db.tenantBatch(ref.orgId, () => statements);
  return id;
}

export interface SessionEnd {
  status: 'ended' | 'failed';
  endedReason: string;
  usage: SessionUsage;
  latency: SessionLatency;
  /** How the session is charged; the default prices, with no meter events, when not given. */
  billing?: SessionBilling;
}

/**
 * active → ended/failed with the usage and latency summary, its cost (and usage records), and the `session.ended`
 * event carrying the end-of-session report (transcript, durations, usage, cost, latency, reason), and the evaluation
 * its analysis asks for (enqueued by the caller once this commits: `enqueueSessionEvaluations`). A session already
 * ended elsewhere is left as it is.
 */
export async function finishSession(db: Database, ref: SessionRef, end: SessionEnd): Promise<Record<string, unknown> | undefined> {
  return db.tenant(ref.orgId, async (trx) => {
    const [row] = await trx('sessions')
      .where({ org_id: ref.orgId, id: ref.sessionId })
      .whereIn('status', ['created', 'active'])
      .update({
        status: end.status,
        ended_reason: end.endedReason,
        ended_at: trx.fn.now(),
        usage: JSON.stringify(end.usage),
        latency: JSON.stringify(end.latency),
      })
      .returning(['id', 'assistant_id', 'assistant', 'source', 'created_at', 'started_at', 'ended_at', 'metadata']);
    if (!row) return undefined;
    const cost = await chargeEndingSession(
      trx,
      { ...ref, assistant: row.assistant, source: row.source, startedAt: row.started_at as Date | null, endedAt: row.ended_at as Date, usage: end.usage },
      end.billing ?? DEFAULT_SESSION_BILLING,
    );
    const report = await endOfSessionReport(trx, ref, row, end, cost);
    await appendEvent(trx, { orgId: ref.orgId, type: 'session.ended', sessionId: ref.sessionId, assistantId: ref.assistantId, data: report });
    await requestEvaluationAtSessionEnd(trx, ref);
    return report;
  });
}

async function endOfSessionReport(
  trx: Transaction,
  ref: SessionRef,
  row: Record<string, unknown>,
  end: SessionEnd,
  cost: PublicCost | null,
): Promise<Record<string, unknown>> {
  const messages = await trx('messages')
    .where({ org_id: ref.orgId, session_id: ref.sessionId })
    .orderBy('id', 'asc')
    .select('id', 'role', 'text', 'start_ms', 'end_ms', 'interrupted', 'tool_calls', 'tool_result');
  const startedAt = row.started_at as Date | null;
  const endedAt = row.ended_at as Date;
  return {
    session_id: ref.sessionId,
    assistant_id: ref.assistantId,
    status: end.status,
    ended_reason: end.endedReason,
    created_at: (row.created_at as Date).toISOString(),
    started_at: startedAt?.toISOString() ?? null,
    ended_at: endedAt.toISOString(),
    duration_ms: startedAt ? endedAt.getTime() - startedAt.getTime() : null,
    metadata: row.metadata,
    usage: end.usage,
    cost,
    latency: end.latency,
    transcript: messages.map((message) => ({
      id: message.id,
      role: message.role,
      text: message.text,
      start_ms: message.start_ms,
      end_ms: message.end_ms,
      interrupted: message.interrupted,
      ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}),
      ...(message.tool_result ? { tool_result: message.tool_result } : {}),
    })),
  };
}
