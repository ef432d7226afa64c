import { pcmCaptureModuleUrl } from './pcm-capture-worklet';

const FRAME_MS = 20;

export interface MicrophoneCapture {
  stop(): void;
}

/**
 * Microphone → AudioWorklet → 20 ms PCM16 frames at the AudioContext's rate (the context runs at the session's rate,
 * so the browser resamples the microphone for us).
 */
export async function captureMicrophone(context: AudioContext, onFrame: (pcm16: ArrayBuffer) => void): Promise<MicrophoneCapture> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  await context.audioWorklet.addModule(pcmCaptureModuleUrl());
  const source = context.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(context, 'pcm-capture', {
    numberOfInputs: 1,
    numberOfOutputs: 0,
    processorOptions: { frameSamples: Math.round((context.sampleRate * FRAME_MS) / 1000) },
  });
  node.port.onmessage = (event: MessageEvent<ArrayBuffer>) => onFrame(event.data);
  source.connect(node);
  return {
    stop() {
      node.port.onmessage = null;
      source.disconnect();
      node.disconnect();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
