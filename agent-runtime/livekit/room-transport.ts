import { AudioFrame, AudioSource, AudioStream, DisconnectReason, LocalAudioTrack, Room, RoomEvent, TrackKind, TrackPublishOptions, TrackSource, type RemoteParticipant, type RemoteTrack } from '@livekit/rtc-node';
import { CUSTOMER_IDENTITY } from '../../core/livekit/session-rooms.ts';
import { InputClock } from '../transport/input-clock.ts';
import { type AudioSink, PacedAudioOutput } from '../transport/paced-audio-output.ts';
import { parseClientMessage, type ServerEvent } from '../transport/protocol.ts';
import type { AudioTap, DisconnectReason as SessionDisconnectReason, SessionTransport, TransportHandlers } from '../transport/session-transport.ts';
import { TranscriptCapture } from '../transport/transcript-capture.ts';
import { WebSocketAudioInput } from '../transport/websocket-audio-input.ts';
import { COMMANDS_TOPIC, EVENTS_TOPIC, TRANSCRIPTION_TOPIC } from './data-topics.ts';

/**
 * The rate of both audio directions in the room as the runtime sees them (LiveKit decodes and resamples Opus for us):
 * what TTS voices produce natively, and what the recording is stored at.
 */
const ROOM_SAMPLE_RATE_HZ = 24_000;
/** How much audio the track's source holds beyond what the pacing keeps there (it never gets near this). */
const SOURCE_QUEUE_MS = 1000;

/**
 * A session in a LiveKit room, seen from the agent participant. Audio is the runtime's own: the customer's microphone
 * track is read into the same pushed input the WebSocket uses, and replies go through the same paced output, whose
 * frames are captured into the agent's published track. Because the output paces in real time with a small lead
 * and the track's source holds no more than that lead, "what the customer heard" is known exactly as on the
 * WebSocket — which is what the recording, the cut of an interrupted reply and the turn metrics are built on.
 * Events go out on the data topic `EVENTS_TOPIC`, commands come in on `COMMANDS_TOPIC`.
 */
export class LiveKitRoomTransport implements SessionTransport {
  readonly audioInput = new WebSocketAudioInput(ROOM_SAMPLE_RATE_HZ);
  readonly audioOutput: PacedAudioOutput;
  readonly textOutput = new TranscriptCapture();
  readonly outputSampleRateHz = ROOM_SAMPLE_RATE_HZ;
  readonly audio = { encoding: 'pcm_s16le', sample_rate_hz: ROOM_SAMPLE_RATE_HZ };
  private readonly source = new AudioSource(ROOM_SAMPLE_RATE_HZ, 1, SOURCE_QUEUE_MS);
  private readonly track = LocalAudioTrack.createAudioTrack('agent', this.source);
  private readonly sink: AudioSink;
  private readonly inputClock = new InputClock(ROOM_SAMPLE_RATE_HZ);
  private handlers: TransportHandlers | undefined;
  private tap: AudioTap | undefined;
  private microphone: ReadableStreamDefaultReader<AudioFrame> | undefined;
  /** Data packets go out in order; closing waits for the last (`session.ended`) to leave. */
  private sending: Promise<void> = Promise.resolve();
  private finished = false;
  /** The transcription stream's current segment per speaker: interim texts replace each other until the final. */
  private readonly segments = { user: 0, assistant: 0 };
  private customerTrackSid = '';
  private closing = false;
  private disconnected = false;

  private constructor(private readonly room: Room) {
    this.sink = {
      sendAudio: (samples) => void this.source.captureFrame(new AudioFrame(samples, ROOM_SAMPLE_RATE_HZ, 1, samples.length)).catch(() => {}),
      audioStarted: () => this.send({ type: 'assistant.audio.started' }),
      audioCleared: (playedMs) => {
        // What the track still holds is dropped, as a WebSocket client drops its buffer.
        this.source.clearQueue();
        this.send({ type: 'assistant.audio.cleared', played_ms: playedMs });
      },
      audioDone: (playedMs) => this.send({ type: 'assistant.audio.done', played_ms: playedMs }),
    };
    this.audioOutput = new PacedAudioOutput(ROOM_SAMPLE_RATE_HZ, this.sink, this.textOutput);
  }

  /** Publishes the agent's audio track in a room the agent has joined. */
  static async open(room: Room): Promise<LiveKitRoomTransport> {
    const transport = new LiveKitRoomTransport(room);
    await room.localParticipant!.publishTrack(transport.track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
    return transport;
  }

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
    this.room.on(RoomEvent.DataReceived, this.onData);
    this.room.on(RoomEvent.TrackSubscribed, this.onTrack);
    this.room.on(RoomEvent.ParticipantDisconnected, this.onParticipantLeft);
    this.room.on(RoomEvent.Disconnected, this.onRoomDisconnected);
    const customer = this.room.remoteParticipants.get(CUSTOMER_IDENTITY);
    if (!customer) return this.disconnect('participant-left');
    for (const publication of customer.trackPublications.values()) {
      if (publication.track) this.onTrack(publication.track, publication, customer);
    }
  }

  send(event: ServerEvent): void {
    if (this.finished) return;
    if (event.type === 'session.ended') this.finished = true;
    const payload = new TextEncoder().encode(JSON.stringify(event));
    const participant = this.room.localParticipant;
    if (!participant || !this.room.isConnected) return;
    this.sending = this.sending.then(() =>
      participant.publishData(payload, { reliable: true, topic: EVENTS_TOPIC, destination_identities: [CUSTOMER_IDENTITY] }).catch(() => {}),
    );
    if (event.type === 'transcript') this.sendTranscription(event.role, event.text, event.final);
  }

  /** The same transcript on LiveKit's own transcription stream, which LiveKit client components display as is. */
  private sendTranscription(role: 'user' | 'assistant', text: string, final: boolean): void {
    const participant = this.room.localParticipant!;
    const segmentId = `${role}-${this.segments[role]}`;
    if (final) this.segments[role]++;
    const trackSid = role === 'user' ? this.customerTrackSid : (this.track.sid ?? '');
    const attributes = { 'lk.transcription_final': String(final), 'lk.segment_id': segmentId, 'lk.transcribed_track_id': trackSid };
    this.sending = this.sending.then(() =>
      participant.sendText(text, { topic: TRANSCRIPTION_TOPIC, attributes, destinationIdentities: [CUSTOMER_IDENTITY] }).then(() => undefined, () => undefined),
    );
  }

  tapAudio(tap: AudioTap | undefined): void {
    this.tap = tap;
    this.sink.audioHeard = tap ? (samples, atMs) => tap.assistant(samples, atMs) : undefined;
  }

  audioInMs(): number {
    return this.audioInput.receivedMs;
  }

  audioOutMs(): number {
    return this.audioOutput.sentMs;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.room.off(RoomEvent.DataReceived, this.onData);
    this.room.off(RoomEvent.TrackSubscribed, this.onTrack);
    this.room.off(RoomEvent.ParticipantDisconnected, this.onParticipantLeft);
    this.room.off(RoomEvent.Disconnected, this.onRoomDisconnected);
    this.audioOutput.close();
    await this.microphone?.cancel().catch(() => {});
    await this.audioInput.close().catch(() => {});
    // `session.ended` reaches the customer before the agent leaves.
    await this.sending;
    await this.room.disconnect().catch(() => {});
    await this.source.close().catch(() => {});
  }

  private readonly onData = (payload: Uint8Array, participant?: RemoteParticipant, _kind?: unknown, topic?: string) => {
    if (this.closing || !this.handlers || topic !== COMMANDS_TOPIC || participant?.identity !== CUSTOMER_IDENTITY) return;
    const parsed = parseClientMessage(new TextDecoder().decode(payload));
    if (parsed.ok) this.handlers.onMessage(parsed.message);
    else this.send({ type: 'error', code: parsed.code, message: parsed.message });
  };

  private readonly onTrack = (track: RemoteTrack, _publication: unknown, participant: RemoteParticipant) => {
    if (participant.identity !== CUSTOMER_IDENTITY || track.kind !== TrackKind.KIND_AUDIO || this.microphone || this.closing) return;
    this.customerTrackSid = track.sid ?? '';
    const reader = new AudioStream(track, { sampleRate: ROOM_SAMPLE_RATE_HZ, numChannels: 1 }).getReader();
    this.microphone = reader;
    void this.readMicrophone(reader);
  };

  private async readMicrophone(reader: ReadableStreamDefaultReader<AudioFrame>): Promise<void> {
    try {
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done || this.closing) return;
        const capturedAt = this.inputClock.stamp(frame.samplesPerChannel, Date.now());
        this.tap?.user(frame.data, capturedAt);
        this.audioInput.pushSamples(frame.data);
      }
    } catch {
      // The track went away with its participant: the disconnect handler ends the session.
    }
  }

  private readonly onParticipantLeft = (participant: RemoteParticipant) => {
    if (participant.identity === CUSTOMER_IDENTITY) this.disconnect('participant-left');
  };

  private readonly onRoomDisconnected = (reason: DisconnectReason) => {
    this.disconnect(reason === DisconnectReason.ROOM_DELETED ? 'room-deleted' : 'agent-unavailable');
  };

  private disconnect(reason: SessionDisconnectReason): void {
    if (this.closing || this.disconnected || !this.handlers) return;
    this.disconnected = true;
    this.handlers.onDisconnect(reason);
  }
}
