import { randomUUID } from 'node:crypto';
import { GuardedHttpClient, OutboundRequestError } from '../../core/net/guarded-http.ts';
import { webhookHeaders } from '../../core/webhooks/webhook-signer.ts';
import type { FunctionToolConfig } from '../config/assistant-snapshot.ts';

/** Bytes of a tool server's answer passed on to the LLM; more is almost certainly not meant for a prompt. */
const MAX_RESULT_BYTES = 64 * 1024;

export interface ToolCallContext {
  sessionId: string;
  assistantId: string;
  /** The organization's tool signing secret (`whsec_…`), already decrypted. */
  signingSecret: string;
  http: GuardedHttpClient;
}

export type ToolCallOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/**
 * Calls a customer's tool server: POST {url} with `{type: "tool.call", call_id, name, arguments, session_id,
 * assistant_id}`, signed like our webhooks (Standard Webhooks headers, the organization's tool signing secret) so the
 * customer can verify it came from us. A 2xx JSON body (or text) is the result; anything else is an error the LLM sees.
 */
export async function callCustomerTool(
  tool: FunctionToolConfig,
  callId: string,
  args: unknown,
  context: ToolCallContext,
): Promise<ToolCallOutcome> {
  const body = JSON.stringify({
    type: 'tool.call',
    call_id: callId,
    name: tool.name,
    arguments: args,
    session_id: context.sessionId,
    assistant_id: context.assistantId,
  });
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'EchoSphere-Tools/1',
    ...webhookHeaders({ id: `tool_${randomUUID()}`, timestampS: Math.floor(Date.now() / 1000), body }, [context.signingSecret]),
  };
  try {
    const response = await context.http.post(tool.server.url, {
      headers,
      body,
      timeoutMs: tool.server.timeout_ms,
      maxResponseBytes: MAX_RESULT_BYTES,
    });
    if (response.status < 200 || response.status >= 300) {
      return { ok: false, error: `The tool server answered HTTP ${response.status}` };
    }
    return { ok: true, result: parseResult(response.body) };
  } catch (error) {
    if (error instanceof OutboundRequestError) {
      const what = error.failure === 'timeout' ? `did not answer within ${tool.server.timeout_ms} ms` : error.message;
      return { ok: false, error: `The tool server ${what}` };
    }
    return { ok: false, error: 'The tool server could not be reached' };
  }
}

function parseResult(body: string): unknown {
  if (!body) return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
