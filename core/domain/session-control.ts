import type { Transaction } from '../db/database.ts';

/**
 * Asks whichever process runs a session to end it. A connected session lives in the api process that accepted its
 * WebSocket; behind a load balancer that may not be the one handling `POST /v1/sessions/{id}/end`, so the request
 * travels as a NOTIFY that every stream gateway listens for (delivered when the transaction commits).
 */
export const SESSION_CONTROL_CHANNEL = 'echosphere_session_control';

export interface SessionEndRequest {
  sessionId: string;
  reason: string;
}

export async function requestSessionEnd(trx: Transaction, request: SessionEndRequest): Promise<void> {
  await trx.raw('SELECT pg_notify(?, ?)', [SESSION_CONTROL_CHANNEL, JSON.stringify({ session_id: request.sessionId, reason: request.reason })]);
}

export function parseSessionEndRequest(payload: string): SessionEndRequest | undefined {
  try {
    const parsed = JSON.parse(payload) as { session_id?: unknown; reason?: unknown };
    if (typeof parsed.session_id === 'string' && typeof parsed.reason === 'string') return { sessionId: parsed.session_id, reason: parsed.reason };
  } catch {
    // Not ours to act on.
  }
  return undefined;
}
