/**
 * Where a session's recording lives in storage and what its pieces look like. Shared by the recorder (writes chunks),
 * the transcoder (reads chunks, writes HLS) and the api (signs URLs for the HLS folder and the download).
 *
 * orgs/{org}/sessions/{session}/recording/
 *   chunks/000000.wav …        stereo 16-bit WAV pieces of SEGMENT_SAMPLES frames, written during the session
 *   hls/master.m3u8            master playlist
 *   hls/{rendition}/index.m3u8, hls/{rendition}/seg_000000.ts …
 *   download.m4a               the whole recording in one file
 */
export const RECORDING_SAMPLE_RATE_HZ = 24_000;
export const RECORDING_CHANNELS = 2;
/** One AAC frame. Segments are whole frames so independently encoded segments butt together without gaps. */
export const AAC_FRAME_SAMPLES = 1024;
/** 96 AAC frames = 4.096 s: the HLS segment (and recorder chunk) length. */
export const SEGMENT_SAMPLES = 96 * AAC_FRAME_SAMPLES;
export const SEGMENT_DURATION_S = SEGMENT_SAMPLES / RECORDING_SAMPLE_RATE_HZ;
export const WAV_HEADER_BYTES = 44;

const pad = (n: number) => String(n).padStart(6, '0');

export function recordingPrefix(orgId: string, sessionId: string): string {
  return `orgs/${orgId}/sessions/${sessionId}/recording/`;
}

export const recordingKeys = (prefix: string) => ({
  chunk: (seq: number) => `${prefix}chunks/${pad(seq)}.wav`,
  chunks: `${prefix}chunks/`,
  hls: `${prefix}hls/`,
  master: `${prefix}hls/master.m3u8`,
  playlist: (rendition: string) => `${prefix}hls/${rendition}/index.m3u8`,
  segment: (rendition: string, seq: number) => `${prefix}hls/${rendition}/seg_${pad(seq)}.ts`,
  segmentName: (seq: number) => `seg_${pad(seq)}.ts`,
  download: `${prefix}download.m4a`,
});

export function chunkSeqOf(key: string): number | undefined {
  const match = /chunks\/(\d{6})\.wav$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

/** A canonical 44-byte PCM WAV header. */
export function wavHeader(dataBytes: number, sampleRateHz = RECORDING_SAMPLE_RATE_HZ, channels = RECORDING_CHANNELS): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRateHz, 24);
  header.writeUInt32LE(sampleRateHz * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/** Frames (per-channel samples) in a chunk object of `sizeBytes`. */
export function chunkFrames(sizeBytes: number): number {
  return Math.max(0, Math.floor((sizeBytes - WAV_HEADER_BYTES) / (2 * RECORDING_CHANNELS)));
}
