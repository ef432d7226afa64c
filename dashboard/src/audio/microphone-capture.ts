import { capturePcm, type PcmCapture } from './pcm-capture';

export type MicrophoneCapture = PcmCapture;

/**
 * Microphone → 20 ms PCM16 frames at the AudioContext's rate (the context runs at the session's rate, so the browser
 * resamples the microphone for us).
 */
export async function captureMicrophone(context: AudioContext, onFrame: (pcm16: ArrayBuffer) => void): Promise<MicrophoneCapture> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  const capture = await capturePcm(context, stream, onFrame);
  return {
    stop() {
      capture.stop();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
