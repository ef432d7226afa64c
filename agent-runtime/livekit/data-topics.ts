/**
 * The data topics of a LiveKit session. The agent publishes the WebSocket protocol's JSON events
 * (transport/protocol.ts `ServerEvent`) to the customer on `EVENTS_TOPIC`, one event per reliable data packet; the
 * customer sends the protocol's JSON commands (`ClientMessage`) on `COMMANDS_TOPIC`. Audio travels as tracks.
 * Transcripts also go out as LiveKit's transcription text stream (`TRANSCRIPTION_TOPIC`), which LiveKit's client
 * components understand without knowing EchoSphere's events.
 */
export const EVENTS_TOPIC = 'echosphere.events';
export const COMMANDS_TOPIC = 'echosphere.commands';
export const TRANSCRIPTION_TOPIC = 'lk.transcription';
