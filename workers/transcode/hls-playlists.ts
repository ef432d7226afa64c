import type { RenditionInfo } from '../../core/repositories/recordings.ts';
import type { Rendition } from './ladder.ts';

export interface SegmentInfo {
  name: string;
  durationS: number;
  sizeBytes: number;
}

/** A VOD media playlist. Segment durations are exact (4.096 s; the last one shorter). */
export function mediaPlaylist(segments: SegmentInfo[]): string {
  const target = Math.max(1, ...segments.map((segment) => Math.round(segment.durationS)));
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    ...segments.flatMap((segment) => [`#EXTINF:${segment.durationS.toFixed(6)},`, segment.name]),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

export interface VariantInfo {
  rendition: Rendition;
  uri: string;
  /** Peak segment bit rate in bits per second, container overhead included (what BANDWIDTH means in RFC 8216). */
  bandwidth: number;
  averageBandwidth: number;
}

/** The bandwidths of one rendition, measured from its real segments. */
export function measureBandwidth(segments: SegmentInfo[]): { bandwidth: number; averageBandwidth: number } {
  const totalBits = segments.reduce((sum, segment) => sum + segment.sizeBytes * 8, 0);
  const totalS = segments.reduce((sum, segment) => sum + segment.durationS, 0);
  const peak = Math.max(...segments.map((segment) => (segment.sizeBytes * 8) / segment.durationS));
  return { bandwidth: Math.ceil(peak), averageBandwidth: Math.ceil(totalBits / totalS) };
}

export function masterPlaylist(variants: VariantInfo[]): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...variants.flatMap((variant) => [
      `#EXT-X-STREAM-INF:BANDWIDTH=${variant.bandwidth},AVERAGE-BANDWIDTH=${variant.averageBandwidth},CODECS="${variant.rendition.codecs}"`,
      variant.uri,
    ]),
    '',
  ].join('\n');
}

/** A variant as the recording row keeps it (and the API shows it), whichever engine encoded it. */
export function renditionInfo(variant: VariantInfo, playlistKey: string): RenditionInfo {
  return {
    name: variant.rendition.name,
    bandwidth: variant.bandwidth,
    average_bandwidth: variant.averageBandwidth,
    codecs: variant.rendition.codecs,
    channels: variant.rendition.channels,
    sample_rate_hz: variant.rendition.sampleRateHz,
    playlist_key: playlistKey,
  };
}
