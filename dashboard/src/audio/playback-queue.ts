/** How far ahead of "now" the first buffer of a reply starts: enough to absorb network jitter, short enough to feel live. */
const START_LEAD_S = 0.06;

/**
 * Plays the assistant's PCM16 chunks back to back on the AudioContext's clock, so there are no gaps or clicks between
 * network frames, and drops everything queued at once when the user barges in (`assistant.audio.cleared`).
 */
export class PlaybackQueue {
  private nextStartS = 0;
  private readonly scheduled = new Set<AudioBufferSourceNode>();
  private carry: number | null = null;
  /** Seconds of assistant audio received in this call. */
  receivedS = 0;

  constructor(private readonly context: AudioContext) {}

  enqueue(chunk: Uint8Array): void {
    const bytes = this.withCarry(chunk);
    const samples = Math.floor(bytes.byteLength / 2);
    if (samples === 0) return;
    const view = new DataView(bytes.buffer, bytes.byteOffset, samples * 2);
    const buffer = this.context.createBuffer(1, samples, this.context.sampleRate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples; i++) channel[i] = view.getInt16(i * 2, true) / 0x8000;

    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    const startS = Math.max(this.nextStartS, this.context.currentTime + START_LEAD_S);
    source.start(startS);
    this.nextStartS = startS + buffer.duration;
    this.receivedS += buffer.duration;
    this.scheduled.add(source);
    source.onended = () => this.scheduled.delete(source);
  }

  /** Whether audio is still queued or playing. */
  get playing(): boolean {
    return this.nextStartS > this.context.currentTime;
  }

  /** Stops what is playing and forgets what is queued. */
  clear(): void {
    for (const source of this.scheduled) {
      source.onended = null;
      source.stop();
      source.disconnect();
    }
    this.scheduled.clear();
    this.nextStartS = 0;
    this.carry = null;
  }

  /** A frame may split a sample across two chunks; keep the odd byte for the next one. */
  private withCarry(chunk: Uint8Array): Uint8Array {
    let bytes = chunk;
    if (this.carry !== null) {
      bytes = new Uint8Array(chunk.byteLength + 1);
      bytes[0] = this.carry;
      bytes.set(chunk, 1);
      this.carry = null;
    }
    if (bytes.byteLength % 2 === 1) {
      this.carry = bytes[bytes.byteLength - 1]!;
      bytes = bytes.subarray(0, bytes.byteLength - 1);
    }
    return bytes;
  }
}
