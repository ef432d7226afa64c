/**
 * Speech-shaped audio for TTS fakes: one short voiced tone per letter, silence between words and longer silence after
 * punctuation. It is real sound (energy where the text has words, so clients, recorders and level meters see it) and
 * costs almost nothing to make, with a duration known per character — which is what alignment data needs.
 */
const TONE_MS_PER_LETTER = 55;
const WORD_GAP_MS = 45;
const PUNCTUATION_GAP_MS = 140;

export interface ToneSpeech {
  samples: Int16Array;
  /** Start and duration of every character of `text`, in ms from the start of the audio. */
  chars: string[];
  charStartTimesMs: number[];
  charDurationsMs: number[];
}

function charDurationMs(char: string): number {
  if (/\s/.test(char)) return WORD_GAP_MS;
  if (/[.,!?;:]/.test(char)) return PUNCTUATION_GAP_MS;
  return TONE_MS_PER_LETTER;
}

/** The pitch of a letter's tone. */
export function tonePitchHz(char: string): number {
  return 110 + (char.toLowerCase().charCodeAt(0) % 26) * 6;
}

export function synthesizeToneSpeech(text: string, sampleRateHz: number): ToneSpeech {
  const chars = [...text];
  const durations = chars.map(charDurationMs);
  const totalMs = durations.reduce((sum, ms) => sum + ms, 0);
  const samples = new Int16Array(Math.round((totalMs / 1000) * sampleRateHz));
  const starts: number[] = [];
  let atMs = 0;
  chars.forEach((char, index) => {
    starts.push(atMs);
    const durationMs = durations[index]!;
    if (durationMs === TONE_MS_PER_LETTER) {
      const first = Math.round((atMs / 1000) * sampleRateHz);
      const count = Math.round((durationMs / 1000) * sampleRateHz);
      // A vowel-like pitch per letter, with a harmonic and a raised-cosine envelope (no clicks between letters).
      const pitchHz = tonePitchHz(char);
      for (let i = 0; i < count && first + i < samples.length; i++) {
        const t = i / sampleRateHz;
        const envelope = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / count);
        const value = Math.sin(2 * Math.PI * pitchHz * t) + 0.4 * Math.sin(4 * Math.PI * pitchHz * t);
        samples[first + i] = Math.round(value * envelope * 7000);
      }
    }
    atMs += durationMs;
  });
  return { samples, chars, charStartTimesMs: starts, charDurationsMs: durations };
}

/** Root mean square of PCM16 samples, normalised to 0..1. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length) / 32768;
}
