/**
 * Minimal RIFF/WAVE reading for 16-bit PCM, enough for eSpeak output, test fixtures and STT uploads. The one writer of
 * WAV headers is `wavHeader` in core/storage/recording-layout.ts, beside the recording chunk layout it describes (core
 * does not depend on the agent runtime, so it cannot live here).
 */
export interface PcmAudio {
  sampleRateHz: number;
  channels: number;
  samples: Int16Array;
}

export function parseWav(bytes: Uint8Array): PcmAudio {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.toString('ascii', 0, 4) !== 'RIFF' || view.toString('ascii', 8, 12) !== 'WAVE') throw new Error('Not a WAV file');
  let offset = 12;
  let sampleRateHz = 0;
  let channels = 0;
  let bitsPerSample = 0;
  while (offset + 8 <= view.length) {
    const id = view.toString('ascii', offset, offset + 4);
    // eSpeak writes 0x7fffffff-ish sizes when streaming; clamp the data chunk to what is really there.
    const size = Math.min(view.readUInt32LE(offset + 4), view.length - offset - 8);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = view.readUInt16LE(body + 2);
      sampleRateHz = view.readUInt32LE(body + 4);
      bitsPerSample = view.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (bitsPerSample !== 16) throw new Error(`Unsupported WAV sample size: ${bitsPerSample} bits`);
      const count = Math.floor(size / 2);
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = view.readInt16LE(body + i * 2);
      return { sampleRateHz, channels, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV file has no data chunk');
}
