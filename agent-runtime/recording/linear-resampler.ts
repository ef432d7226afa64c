/**
 * Streaming linear-interpolation resampler for 16-bit mono audio. It keeps its phase and last sample between calls,
 * so frames of any size resample without clicks at their edges. Speech recordings do not need a better filter.
 */
export class LinearResampler {
  private readonly step: number;
  private position = 0;
  private previous = 0;

  constructor(
    readonly fromHz: number,
    readonly toHz: number,
  ) {
    this.step = fromHz / toHz;
  }

  /** Forget the stream's history (after a gap, the next frame starts fresh). */
  reset(): void {
    this.position = 0;
    this.previous = 0;
  }

  process(input: Int16Array): Int16Array {
    if (this.fromHz === this.toHz) return input;
    // `position` is measured in input samples relative to input[0]; -1 refers to `previous`.
    // Sized up front: this runs for every frame of every recorded session, both ways.
    const output = new Int16Array(Math.max(0, Math.ceil((input.length - this.position) / this.step) + 1));
    let count = 0;
    while (this.position < input.length - 1 + 1e-9) {
      const index = Math.floor(this.position);
      const fraction = this.position - index;
      const a = index < 0 ? this.previous : input[index]!;
      const b = input[Math.min(index + 1, input.length - 1)]!;
      output[count++] = Math.round(a + (b - a) * fraction);
      this.position += this.step;
    }
    this.position -= input.length;
    if (input.length > 0) this.previous = input[input.length - 1]!;
    return output.subarray(0, count);
  }
}
