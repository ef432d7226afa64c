import { AudioFrame, AudioSource, AudioStream, LocalAudioTrack, Room, RoomEvent, TrackKind, TrackPublishOptions, TrackSource, type RemoteTrack } from '@livekit/rtc-node';
import { COMMANDS_TOPIC, EVENTS_TOPIC, TRANSCRIPTION_TOPIC } from '../../../agent-runtime/livekit/data-topics.ts';
import type { ClientMessage, ServerEvent } from '../../../agent-runtime/transport/protocol.ts';

const MIC_RATE_HZ = 16_000;
const FRAME_SAMPLES = MIC_RATE_HZ / 50; // 20 ms
const HEARD_RATE_HZ = 48_000;
/** A frame of agent audio louder than this (peak) counts as speech heard, not silence or comfort noise. */
const LOUD_PEAK = 1000;

export const isLoud = (samples: Int16Array): boolean => samples.some((sample) => Math.abs(sample) > LOUD_PEAK);

type Event = ServerEvent & { receivedAt: number };

/**
 * The customer's side of a LiveKit session, as an app would be: joins the room with the token from
 * `POST /v1/sessions`, publishes a microphone (16 kHz speech fixtures in real time, silence in between), plays the
 * agent's track (counting loud frames), and reads the events data topic.
 */
export class LiveKitCustomer {
  readonly events: Event[] = [];
  /** LiveKit's transcription text stream, as LiveKit's client components read it. */
  readonly transcriptions: Array<{ text: string; final: boolean; segmentId: string }> = [];
  /** Agent audio received, in ms, and how much of it was loud. */
  heardMs = 0;
  loudMs = 0;
  /** When the last loud agent frame arrived (epoch ms). */
  lastLoudAt = 0;
  /** Called with every frame of agent audio as it is played (a benchmark times them). */
  onHeard: ((frame: { ms: number; loud: boolean }) => void) | undefined;
  private readonly source = new AudioSource(MIC_RATE_HZ, 1, 200);
  private queue: Array<{ samples: Int16Array; offset: number; done: () => void }> = [];
  private speaking = true;
  private microphone: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly room: Room) {}

  static async join(livekit: { url: string; token: string }): Promise<LiveKitCustomer> {
    const customer = new LiveKitCustomer(new Room());
    const { room } = customer;
    room.on(RoomEvent.DataReceived, (payload, _participant, _kind, topic) => {
      if (topic !== EVENTS_TOPIC) return;
      customer.events.push({ ...(JSON.parse(new TextDecoder().decode(payload)) as ServerEvent), receivedAt: Date.now() });
      customer.wake();
    });
    room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader) => {
      const attributes = reader.info.attributes ?? {};
      void reader.readAll().then((text) =>
        customer.transcriptions.push({ text, final: attributes['lk.transcription_final'] === 'true', segmentId: attributes['lk.segment_id'] ?? '' }),
      );
    });
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind === TrackKind.KIND_AUDIO) void customer.listen(track);
    });
    await room.connect(livekit.url, livekit.token, { autoSubscribe: true, dynacast: false });
    const track = LocalAudioTrack.createAudioTrack('microphone', customer.source);
    await room.localParticipant!.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
    customer.microphone = customer.pumpMicrophone();
    return customer;
  }

  /** Speaks `samples` (16 kHz) in real time; resolves when the last frame has been captured. */
  say(samples: Int16Array): Promise<void> {
    return new Promise((resolve) => this.queue.push({ samples, offset: 0, done: resolve }));
  }

  /** Microphone audio captured but not sent yet, in ms: `say()` resolves this long before the last of it leaves. */
  get microphoneQueuedMs(): number {
    return this.source.queuedDuration;
  }

  send(command: ClientMessage): Promise<void> {
    return this.room.localParticipant!.publishData(new TextEncoder().encode(JSON.stringify(command)), { reliable: true, topic: COMMANDS_TOPIC });
  }

  /** The first event of `type` (past or future) that satisfies `predicate`. */
  async waitFor<T extends ServerEvent['type']>(type: T, options: { predicate?: (event: Extract<Event, { type: T }>) => boolean; timeoutMs?: number } = {}): Promise<Extract<Event, { type: T }>> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (;;) {
      const found = this.events.find((event): event is Extract<Event, { type: T }> => event.type === type && (options.predicate?.(event as Extract<Event, { type: T }>) ?? true));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} event within the time; got ${JSON.stringify(this.events.map(({ receivedAt: _, ...event }) => event))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Leaves the room (the microphone stops first). */
  async leave(): Promise<void> {
    this.speaking = false;
    for (const item of this.queue) item.done();
    this.queue = [];
    await this.microphone;
    await this.room.disconnect();
    await this.source.close();
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  /** The source's own queue paces capture to real time: a frame is taken when there is room for it. */
  private async pumpMicrophone(): Promise<void> {
    while (this.speaking) {
      const frame = new Int16Array(FRAME_SAMPLES);
      const current = this.queue[0];
      if (current) {
        frame.set(current.samples.subarray(current.offset, current.offset + FRAME_SAMPLES));
        current.offset += FRAME_SAMPLES;
        if (current.offset >= current.samples.length) {
          this.queue.shift();
          current.done();
        }
      }
      await this.source.captureFrame(new AudioFrame(frame, MIC_RATE_HZ, 1, FRAME_SAMPLES)).catch(() => {});
    }
  }

  private async listen(track: RemoteTrack): Promise<void> {
    try {
      for await (const frame of new AudioStream(track, { sampleRate: HEARD_RATE_HZ, numChannels: 1 })) {
        const ms = (frame.samplesPerChannel / HEARD_RATE_HZ) * 1000;
        this.heardMs += ms;
        const loud = isLoud(frame.data);
        if (loud) {
          this.loudMs += ms;
          this.lastLoudAt = Date.now();
        }
        this.onHeard?.({ ms, loud });
      }
    } catch {
      // The track ended with the room.
    }
  }
}
