import type { ClientMessage } from '../../sdk/protocol.ts';

/**
 * The JSON half of the WebSocket protocol (docs/websocket-protocol.md): its message types live in sdk/protocol.ts,
 * which the SDK imports too; here are the server's close codes and its validation of client messages. Binary frames
 * carry audio in the session's negotiated format in both directions.
 */
export type { ClientMessage, ServerEvent, TurnMetricsPayload } from '../../sdk/protocol.ts';

export const CLOSE_CODES = {
  normal: 1000,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policy: 1008,
  tooLarge: 1009,
  serverError: 1011,
  tryAgainLater: 1013,
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
