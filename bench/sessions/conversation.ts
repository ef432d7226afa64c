// The one exchange every benchmark client repeats: the user's question (typed, or spoken from a fixture) and the
// fixed reply the fake model gives, which the fake TTS voices as tone speech of a known length.
import { rms } from '../../test/fakes/tone-speech.ts';
import { loadSpeech } from '../../test/support/microphone.ts';

/** What the fake model answers to every turn (2.2 s of tone speech). */
export const REPLY = 'Sure, here is a short answer for you.';

/** What the user says each turn, typed or spoken (the Deepgram fake transcribes the speech fixture as this text). */
export const USER_TEXT = 'What are your opening hours on Saturday?';
/** The speech fixture of `USER_TEXT` (16 kHz), spoken in real time into the client's microphone. */
export const USER_SPEECH = loadSpeech('what-are-your-opening-hours');

const WINDOW_SAMPLES = 320; // 20 ms at 16 kHz
/** The Deepgram fake's speech threshold: a quieter 20 ms window is silence. */
const SPEECH_RMS = 0.01;

/** How much silence ends the fixture: the speech ended this long before its last frame left the microphone. */
export const USER_SPEECH_TRAILING_SILENCE_MS = (() => {
  let lastSpeechEnd = 0;
  for (let offset = 0; offset < USER_SPEECH.length; offset += WINDOW_SAMPLES) {
    if (rms(USER_SPEECH.subarray(offset, offset + WINDOW_SAMPLES)) > SPEECH_RMS) lastSpeechEnd = Math.min(USER_SPEECH.length, offset + WINDOW_SAMPLES);
  }
  return ((USER_SPEECH.length - lastSpeechEnd) / 16_000) * 1000;
})();
