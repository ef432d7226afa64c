/**
 * The JSON messages of EchoSphere's session protocol (docs/websocket-protocol.md), shared by the server and this SDK:
 * commands the client sends (`ClientMessage`) and events the server sends (`ServerEvent`). The same JSON travels on a
 * session's WebSocket text frames and on a LiveKit session's data topics (docs/livekit.md). Types only, so the SDK
 * stays free of server code.
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
