import { pcmCaptureModuleUrl } from './pcm-capture-worklet';

const FRAME_MS = 20;

export interface PcmCapture {
  stop(): void;
}

/** A media stream's audio → AudioWorklet → 20 ms PCM16 frames at the AudioContext's rate. The stream stays open. */
export async function capturePcm(context: AudioContext, stream: MediaStream, onFrame: (pcm16: ArrayBuffer) => void): Promise<PcmCapture> {
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
    },
  };
}
