import { initializeLogger, log, loggerOptions } from '@livekit/agents';

/**
 * Fields the library fills with what people said (transcripts, replies, tool arguments). They are dropped from its
 * log lines unless our own level is debug, so conversations never reach the logs by default.
 */
const LIBRARY_PII_FIELDS = [
  'lk.pii.user_input',
  'lk.pii.user_message',
  'lk.pii.user_transcript',
  'lk.pii.new_transcript',
  'lk.pii.transcript',
  'lk.pii.audio_transcript',
  'lk.pii.message',
  'lk.pii.input_text',
  'lk.pii.instructions',
  'lk.pii.chat_ctx',
  'lk.pii.arguments',
  'lk.pii.output',
  'lk.pii.tool_call',
  'lk.pii.response',
  'lk.pii.data',
  'lk.pii.raw_data',
  'lk.pii.ws_data',
  'lk.pii.event',
];

/** Where the library looks its logger up (log_core.js in @livekit/agents 1.9.0). */
const LIBRARY_LOGGER_KEY = Symbol.for('@livekit/agents:logger');

/**
 * @livekit/agents logs through its own pino logger, which must exist before any session starts. It is set up once
 * per process, one step quieter than ours (its info lines are per-speech chatter), and without conversation text.
 */
export function initializeLibraryLogger(ourLevel: string): void {
  if (loggerOptions()) return;
  const level = libraryLogLevel(ourLevel);
  initializeLogger({ pretty: false, level });
  if (level === 'debug') return;
  const redacted = log().child({}, { redact: { paths: LIBRARY_PII_FIELDS.map((field) => `["${field}"]`), remove: true } });
  (globalThis as Record<symbol, unknown>)[LIBRARY_LOGGER_KEY] = redacted;
}

export function libraryLogLevel(ourLevel: string): 'debug' | 'info' | 'warn' | 'error' {
  if (ourLevel === 'error') return 'error';
  if (ourLevel === 'debug' || ourLevel === 'silly') return 'debug';
  if (ourLevel === 'verbose') return 'info';
  return 'warn';
}
