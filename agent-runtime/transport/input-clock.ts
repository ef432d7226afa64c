/** Arrival further than this from where the stream's own sample count puts a frame means the client paused or jumped. */
const REANCHOR_MS = 1000;

/**
 * When each client audio frame was captured, on the wall clock. A microphone produces samples at a fixed rate, but
 * frames arrive in bursts (network, a busy event loop); stamping each with its arrival time would open gaps and
 * shift everything after them. The stream's sample count is the timeline, anchored at the first frame and
 * re-anchored only when the client stopped sending for a while.
 */
export class InputClock {
  private nextAtMs: number | undefined;

  constructor(private readonly sampleRateHz: number) {}

  /** The capture time of a frame of `samples` that arrived at `arrivalMs`. */
  stamp(samples: number, arrivalMs: number): number {
    const expected = this.nextAtMs;
    const atMs = expected === undefined || Math.abs(arrivalMs - expected) > REANCHOR_MS ? arrivalMs : expected;
    this.nextAtMs = atMs + (samples / this.sampleRateHz) * 1000;
    return atMs;
  }
}
