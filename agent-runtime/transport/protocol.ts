/**
 * The JSON half of the WebSocket protocol (docs/websocket-protocol.md). Binary frames carry audio in the session's
 * negotiated format in both directions.
 */
export type ClientMessage =
  | { type: 'user.text'; text: string }
  | { type: 'assistant.say'; text: string; interruptible?: boolean }
  | { type: 'interruptions.set'; enabled: boolean }
  | { type: 'session.end' }
  | { type: 'ping'; id?: string };

export interface TurnMetricsPayload {
  end_of_turn_delay_ms: number | null;
  stt_delay_ms: number | null;
  llm_ttft_ms: number | null;
  tts_ttfb_ms: number | null;
  e2e_ms: number | null;
}

export type ServerEvent =
  | { type: 'session.started'; session_id: string; audio: { encoding: string; sample_rate_hz: number } }
  | { type: 'user.speech.started' }
  | { type: 'user.speech.stopped' }
  | { type: 'transcript'; role: 'user' | 'assistant'; text: string; final: boolean; interrupted?: boolean; message_id?: string }
  | { type: 'assistant.audio.started' }
  | { type: 'assistant.audio.cleared'; played_ms: number }
  | { type: 'assistant.audio.done'; played_ms: number }
  | { type: 'tool.call'; call_id: string; name: string; arguments: unknown }
  | { type: 'tool.result'; call_id: string; name: string; result: unknown; is_error: boolean }
  | ({ type: 'turn.metrics'; message_id: string } & TurnMetricsPayload)
  | { type: 'error'; code: string; message: string }
  | { type: 'session.ended'; reason: string }
  | { type: 'pong'; id?: string };

export const CLOSE_CODES = {
  normal: 1000,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policy: 1008,
  tooLarge: 1009,
  serverError: 1011,
  badToken: 4001,
  alreadyConnected: 4009,
} as const;

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; code: string; message: string };

/** Validates one text frame. Never throws: bad input becomes an `error` event, not a crash. */
export function parseClientMessage(raw: string): ParsedClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'Text frames must be JSON objects' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'invalid_json', message: 'Text frames must be JSON objects' };
  }
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'user.text':
      if (typeof message.text !== 'string' || !message.text.trim()) return invalid('user.text needs a non-empty "text"');
      return { ok: true, message: { type: 'user.text', text: message.text } };
    case 'assistant.say':
      if (typeof message.text !== 'string' || !message.text.trim()) return invalid('assistant.say needs a non-empty "text"');
      if (message.interruptible !== undefined && typeof message.interruptible !== 'boolean') return invalid('"interruptible" must be a boolean');
      return { ok: true, message: { type: 'assistant.say', text: message.text, interruptible: message.interruptible as boolean | undefined } };
    case 'interruptions.set':
      if (typeof message.enabled !== 'boolean') return invalid('interruptions.set needs a boolean "enabled"');
      return { ok: true, message: { type: 'interruptions.set', enabled: message.enabled } };
    case 'session.end':
      return { ok: true, message: { type: 'session.end' } };
    case 'ping':
      return { ok: true, message: { type: 'ping', ...(typeof message.id === 'string' ? { id: message.id } : {}) } };
    default:
      return {
        ok: false,
        code: 'unknown_message_type',
        message: `Unknown message type: ${JSON.stringify(message.type ?? null).slice(0, 64)}`,
      };
  }
}

function invalid(message: string): ParsedClientMessage {
  return { ok: false, code: 'invalid_message', message };
}
