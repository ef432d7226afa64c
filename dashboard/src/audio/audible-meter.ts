import { capturePcm, type PcmCapture } from './pcm-capture';

/** A 20 ms frame whose peak is above this (PCM16) carries sound, not silence or comfort noise. */
const AUDIBLE_PEAK = 1000;
const FRAME_S = 0.02;

/**
 * Reports each stretch of a playing audio stream that carries sound (its duration in seconds). A WebRTC track runs
 * continuously (silence between replies), so how much was received says nothing; how much was audible does.
 */
export async function meterAudible(context: AudioContext, stream: MediaStream, onAudible: (seconds: number) => void): Promise<PcmCapture> {
  return capturePcm(context, stream, (pcm16) => {
    let peak = 0;
    for (const sample of new Int16Array(pcm16)) peak = Math.max(peak, Math.abs(sample));
    if (peak > AUDIBLE_PEAK) onAudible(FRAME_S);
  });
}
