import type { voice } from '@livekit/agents';

/**
 * Collects the assistant text the session sends alongside its audio, so that when a reply is interrupted the audio
 * output can say which part of it was actually heard (the library keeps the full text otherwise).
 * Shaped like the library's TextOutput (voice/io.ts), which the package does not export.
 */
export class TranscriptCapture {
  private text = '';
  /** Word timings from TTS alignment (seconds from segment start), when the TTS provides them. */
  private timed: Array<{ text: string; startS: number }> = [];

  async captureText(piece: string | voice.TimedString): Promise<void> {
    if (typeof piece === 'string') {
      this.text += piece;
      return;
    }
    this.text += piece.text;
    if (piece.startTime !== undefined) this.timed.push({ text: piece.text, startS: piece.startTime });
  }

  flush(): void {}

  onAttached(): void {}

  onDetached(): void {}

  /** Whether the TTS gave word timings for this segment (so the text heard can be placed exactly as it plays). */
  hasWordTimings(): boolean {
    return this.timed.length > 0;
  }

  /** Forget the finished segment's text. */
  reset(): void {
    this.text = '';
    this.timed = [];
  }

  /**
   * The text heard after `playedMs` of `capturedMs` audio: by word timings when known, else in proportion to the
   * audio played, cut back to a word boundary (never a half word).
   */
  heardText(playedMs: number, capturedMs: number): string {
    if (playedMs <= 0) return '';
    if (this.timed.length > 0) {
      return this.timed
        .filter((word) => word.startS * 1000 < playedMs)
        .map((word) => word.text)
        .join('')
        .trim();
    }
    if (capturedMs <= 0 || playedMs >= capturedMs) return this.text.trim();
    const cut = Math.floor(this.text.length * (playedMs / capturedMs));
    const boundary = this.text.slice(0, cut + 1).search(/\s\S*$/);
    return (boundary > 0 ? this.text.slice(0, boundary) : '').trim();
  }
}
