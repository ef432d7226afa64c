import { initializeLogger, loggerOptions } from '@livekit/agents';
import { pino } from 'pino';
import type { Logger } from '../../core/logger.ts';

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

/** pino's numeric levels as our logger's. */
const OUR_LEVELS: Record<number, string> = { 10: 'silly', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' };

/**
 * @livekit/agents logs through a pino logger of its own, which must exist before any session starts. It is set up
 * once per process, one step quieter than ours (its info lines are per-speech chatter), without conversation text,
 * and writing into our logger, so its lines look like ours (pretty on a terminal, JSON otherwise) and say where they
 * came from (`source: "livekit-agents"`).
 */
export function initializeLibraryLogger(ours: Logger): void {
  if (loggerOptions()) return;
  const level = libraryLogLevel(ours.level);
  // The library reads these options (e.g. whether to trace); the logger it made is replaced just below.
  initializeLogger({ pretty: false, level });
  const redact = level === 'debug' ? undefined : { paths: LIBRARY_PII_FIELDS.map((field) => `["${field}"]`), remove: true };
  const intoOurs = { write: (line: string) => forward(ours, line) };
  const logger = pino({ level, redact, base: undefined, timestamp: false }, intoOurs);
  (globalThis as Record<symbol, unknown>)[LIBRARY_LOGGER_KEY] = logger;
}

function forward(ours: Logger, line: string): void {
  const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string } & Record<string, unknown>;
  ours.log(OUR_LEVELS[level] ?? 'info', msg ?? '', { source: 'livekit-agents', ...fields });
}

/**
 * The library's log level for ours: a step quieter (its info is chatty), debug when we debug.
 * @internal exported for its tests
 */
export function libraryLogLevel(ourLevel: string): 'debug' | 'info' | 'warn' | 'error' {
  if (ourLevel === 'error') return 'error';
  if (ourLevel === 'debug' || ourLevel === 'silly') return 'debug';
  if (ourLevel === 'verbose') return 'info';
  return 'warn';
}
