import { AudioFrame, AudioSource, AudioStream, DisconnectReason, LocalAudioTrack, Room, RoomEvent, TrackKind, TrackPublishOptions, TrackSource, type RemoteParticipant, type RemoteTrack } from '@livekit/rtc-node';
import { CUSTOMER_IDENTITY } from '../../core/livekit/session-rooms.ts';
import { PacedTransport } from '../transport/paced-transport.ts';
import { parseClientMessage, type ServerEvent } from '../transport/protocol.ts';
import type { DisconnectReason as SessionDisconnectReason, SessionTransport, TransportHandlers } from '../transport/session-transport.ts';
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
export class LiveKitRoomTransport extends PacedTransport implements SessionTransport {
  readonly audio = { encoding: 'pcm_s16le', sample_rate_hz: ROOM_SAMPLE_RATE_HZ };
  private readonly source = new AudioSource(ROOM_SAMPLE_RATE_HZ, 1, SOURCE_QUEUE_MS);
  private readonly track = LocalAudioTrack.createAudioTrack('agent', this.source);
  private handlers: TransportHandlers | undefined;
  private microphone: ReadableStreamDefaultReader<AudioFrame> | undefined;
  /** Data packets go out in order; closing waits for the last (`session.ended`) to leave. */
  private sending: Promise<void> = Promise.resolve();
  /** The transcription stream's current segment per speaker: interim texts replace each other until the final. */
  private readonly segments = { user: 0, assistant: 0 };
  private customerTrackSid = '';
  private closing = false;
  private disconnected = false;

  private constructor(private readonly room: Room) {
    super(ROOM_SAMPLE_RATE_HZ, { interimTranscripts: false });
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

  protected deliver(event: ServerEvent): void {
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

  protected sendAudio(samples: Int16Array): void {
    void this.source.captureFrame(new AudioFrame(samples, ROOM_SAMPLE_RATE_HZ, 1, samples.length)).catch(() => {});
  }

  /** What the track still holds is dropped, as a WebSocket client drops its buffer. */
  protected override dropClientAudio(): void {
    this.source.clearQueue();
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
        this.receiveAudio(frame.data);
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
