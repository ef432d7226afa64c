import os from 'node:os';
import { decodeMulaw, encodeMulaw } from './mulaw.ts';

/** PCM16 on the wire is little-endian; so are Int16Arrays on every machine we run on, which makes conversion a copy. */
const NATIVE_LITTLE_ENDIAN = os.endianness() === 'LE';

type AudioEncoding = 'pcm_s16le' | 'mulaw';
const SUPPORTED_SAMPLE_RATES_HZ = [8000, 16000, 24000, 48000] as const;

/** The wire format a session's client negotiated at creation (`sessions.audio`). Always mono. */
export interface AudioFormat {
  encoding: AudioEncoding;
  sampleRateHz: number;
}

const DEFAULT_AUDIO_FORMAT: AudioFormat = { encoding: 'pcm_s16le', sampleRateHz: 16000 };

export function parseAudioFormat(raw: unknown): AudioFormat {
  const value = (raw ?? {}) as { encoding?: unknown; sample_rate_hz?: unknown };
  const encoding = value.encoding === 'mulaw' ? 'mulaw' : 'pcm_s16le';
  const rate = Number(value.sample_rate_hz ?? DEFAULT_AUDIO_FORMAT.sampleRateHz);
  const sampleRateHz = (SUPPORTED_SAMPLE_RATES_HZ as readonly number[]).includes(rate) ? rate : DEFAULT_AUDIO_FORMAT.sampleRateHz;
  return { encoding, sampleRateHz };
}

function bytesPerSample(format: AudioFormat): number {
  return format.encoding === 'mulaw' ? 1 : 2;
}

export function durationMsOfBytes(format: AudioFormat, byteLength: number): number {
  return (byteLength / bytesPerSample(format) / format.sampleRateHz) * 1000;
}

/** Wire bytes → linear samples. Returns undefined when the byte count cannot be whole samples. */
export function decodeWire(format: AudioFormat, bytes: Buffer): Int16Array | undefined {
  if (format.encoding === 'mulaw') return decodeMulaw(bytes);
  if (bytes.byteLength % 2 !== 0) return undefined;
  const samples = new Int16Array(bytes.byteLength / 2);
  if (NATIVE_LITTLE_ENDIAN) {
    new Uint8Array(samples.buffer).set(bytes);
    return samples;
  }
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}

export function encodeWire(format: AudioFormat, samples: Int16Array): Buffer {
  if (format.encoding === 'mulaw') return Buffer.from(encodeMulaw(samples));
  // A view, not a copy (Buffer.from(Uint8Array) would copy every frame): paced frames are never written to once sent.
  if (NATIVE_LITTLE_ENDIAN) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}
