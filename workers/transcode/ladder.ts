import { RECORDING_SAMPLE_RATE_HZ } from '../../core/storage/recording-layout.ts';

export interface Rendition {
  name: string;
  bitrateBps: number;
  channels: 1 | 2;
  sampleRateHz: number;
  /** RFC 6381 codec string for the master playlist: AAC-LC. */
  codecs: string;
}

/** The ABR ladder: low for bad mobile links, a stereo middle, and full quality. Order = master playlist order. */
export const LADDER: readonly Rendition[] = [
  { name: 'aac_32k_mono', bitrateBps: 32_000, channels: 1, sampleRateHz: RECORDING_SAMPLE_RATE_HZ, codecs: 'mp4a.40.2' },
  { name: 'aac_64k_stereo', bitrateBps: 64_000, channels: 2, sampleRateHz: RECORDING_SAMPLE_RATE_HZ, codecs: 'mp4a.40.2' },
  { name: 'aac_128k_stereo', bitrateBps: 128_000, channels: 2, sampleRateHz: RECORDING_SAMPLE_RATE_HZ, codecs: 'mp4a.40.2' },
];

/** The rendition the downloadable file is made from. */
export const DOWNLOAD_RENDITION = LADDER[LADDER.length - 1]!;
